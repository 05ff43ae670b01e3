"""Checking files uploaded through the admin tab before they reach the index.

An upload arrives as a file in Gradio's temporary folder plus the name the browser sent. Only
the name's last component is used, cleaned to letters, digits, CJK and a little punctuation;
the type must be one the ingester reads and the size within `ui.max_upload_mb`. Accepted files
are copied (under their clean names) into a fresh staging folder, from which
`Assistant.add_files` moves them into `paths.upload_dir`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from config.errors import IngestError
from index.load import SUPPORTED

MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\-（）()\[\]【】《》 ]+")  # \w covers CJK letters and digits


@dataclass(frozen=True)
class Rejected:
    name: str
    reason: str


@dataclass(frozen=True)
class Staged:
    """Accepted files (clean names, in a staging folder) and the rejected ones with reasons."""

    files: tuple[Path, ...]
    rejected: tuple[Rejected, ...]
    folder: Path | None


def sanitize_filename(name: str) -> str:
    """A safe file name from a browser-supplied one: no folders, no control or odd characters.

    Raises IngestError when nothing usable is left (e.g. "../..", "").
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" ._")
    base = re.sub(r"_+", "_", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip(" ._")[: MAX_NAME_CHARS - len(suffix) - 1]
    if not stem:
        raise IngestError(f"file name {name!r} has no usable characters; rename the file and upload again")
    return f"{stem}.{suffix.lower()}" if suffix else stem


def check_upload(path: Path, name: str, max_bytes: int) -> str:
    """The clean name of an acceptable upload, or IngestError saying why it is refused."""
    clean = sanitize_filename(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(f"{clean}: file type {suffix or '(none)'} is not accepted; "
                          f"allowed: {', '.join(SUPPORTED)}")
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(f"{clean}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit")
    if size == 0:
        raise IngestError(f"{clean}: the file is empty")
    return clean


def stage_uploads(uploads: Sequence[tuple[Path, str]], max_bytes: int) -> Staged:
    """Check each (temp path, browser name) and copy the acceptable ones under clean names.

    Two uploads with the same clean name: the later one is refused rather than overwriting.
    """
    accepted: list[Path] = []
    rejected: list[Rejected] = []
    folder: Path | None = None
    for path, name in uploads:
        try:
            clean = check_upload(path, name, max_bytes)
        except (IngestError, OSError) as exc:
            rejected.append(Rejected(name, str(exc)))
            continue
        folder = folder or Path(tempfile.mkdtemp(prefix="policyqa-upload-"))
        target = folder / clean
        if target.exists():
            rejected.append(Rejected(name, f"{clean}: another upload has the same name"))
            continue
        shutil.copyfile(path, target)
        accepted.append(target)
    return Staged(tuple(accepted), tuple(rejected), folder)
