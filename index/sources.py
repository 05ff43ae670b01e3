"""Where documents come from: the corpus folder, plus files uploaded through the admin UI.

Uploaded files live in `<data_dir>/uploads/` and are named `uploads/<file>` in the index.
Removing a corpus document (whose folder may be read-only) records it in an exclusion list
in the data folder instead of deleting the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from config.settings import Settings
from index.ingest import IngestResult, ingest_corpus

UPLOAD_PREFIX = "uploads/"
EXCLUDED_FILE = "excluded.json"


def excluded(settings: Settings) -> set[str]:
    path = settings.paths.data_dir / EXCLUDED_FILE
    if not path.is_file():
        return set()
    return set(json.loads(path.read_text(encoding="utf-8")))


def exclude_source(settings: Settings, source: str) -> None:
    names = excluded(settings) | {source}
    settings.paths.data_dir.mkdir(parents=True, exist_ok=True)
    target = settings.paths.data_dir / EXCLUDED_FILE
    target.write_text(json.dumps(sorted(names), ensure_ascii=False), encoding="utf-8")


def include_source(settings: Settings, source: str) -> bool:
    """Take `source` off the exclusion list (True when it was on it)."""
    names = excluded(settings)
    if source not in names:
        return False
    target = settings.paths.data_dir / EXCLUDED_FILE
    target.write_text(json.dumps(sorted(names - {source}), ensure_ascii=False), encoding="utf-8")
    return True


def upload_path(settings: Settings, source: str) -> Path | None:
    """The uploaded file behind `source`, or None when `source` is a corpus file."""
    if not source.startswith(UPLOAD_PREFIX):
        return None
    return settings.paths.upload_dir / source[len(UPLOAD_PREFIX) :]


def source_path(settings: Settings, source: str) -> Path:
    """The file on disk behind an indexed document's `source` name."""
    return upload_path(settings, source) or settings.paths.corpus / source


def ingest_sources(settings: Settings, *, progress: bool = False) -> IngestResult:
    """Ingest the corpus and the uploads, leaving out excluded documents."""
    extra = [(settings.paths.upload_dir, UPLOAD_PREFIX)] if settings.paths.upload_dir.is_dir() else []
    return ingest_corpus(settings.paths.corpus, settings.chunking, progress=progress,
                         extra_roots=extra, exclude=excluded(settings))
