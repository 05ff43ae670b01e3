"""Every file the index is built from — corpus and uploads — with its status, for the admin.

A file is 已索引 (a document in the index), 已移除 (taken out by an admin), or 未索引 with the
reason: the last build's reason when this app ran that build, otherwise the reader's reason
found by trying the file now. From the list any file can be removed (an indexed document
leaves the index; an uploaded file is deleted; a corpus file is put on the exclusion list,
since the corpus folder may be read-only) or re-indexed (taken off the exclusion list, and
the index updated).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.ui.base import AssistantPort, ProgressFn
from app.ui.uploads import check_readable, reason_zh
from config.errors import IngestError
from config.settings import Settings
from index.load import SUPPORTED
from index.sources import UPLOAD_PREFIX, exclude_source, excluded, include_source, upload_path
from index.types import Document

Status = Literal["indexed", "excluded", "skipped"]
STATUS_LABEL = {"indexed": "已索引", "excluded": "已移除", "skipped": "未索引"}


@dataclass(frozen=True)
class SourceFile:
    source: str  # as the index names it: corpus-relative, or "uploads/<name>"
    status: Status
    reason: str  # why it is not indexed ("" when indexed)
    doc_id: str | None
    title: str
    size: int

    @property
    def uploaded(self) -> bool:
        return self.source.startswith(UPLOAD_PREFIX)


def _files(root: Path, prefix: str) -> Iterable[tuple[str, Path]]:
    if not root.is_dir():
        return []
    return sorted((prefix + p.relative_to(root).as_posix(), p) for p in root.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))


def list_sources(settings: Settings, documents: Sequence[Document],
                 last_skipped: dict[str, str] | None = None) -> list[SourceFile]:
    """The corpus's and the uploads' files with their status, uploads first."""
    indexed = {d.source: d for d in documents}
    removed = excluded(settings)
    known = last_skipped or {}
    out: list[SourceFile] = []
    files = [*_files(settings.paths.upload_dir, UPLOAD_PREFIX), *_files(settings.paths.corpus, "")]
    for source, path in files:
        size = path.stat().st_size
        doc = indexed.get(source)
        if doc is not None:
            out.append(SourceFile(source, "indexed", "", doc.doc_id, doc.title or source, size))
        elif source in removed:
            out.append(SourceFile(source, "excluded", "管理员已将其移出索引", None, source, size))
        else:
            out.append(SourceFile(source, "skipped", known.get(source) or _probe(path), None, source, size))
    return out


def _probe(path: Path) -> str:
    if path.suffix.lower() not in SUPPORTED:
        return "不支持的文件类型"
    try:
        check_readable(path)
    except IngestError as exc:
        return str(exc)
    return "尚未索引（点“重新索引”更新索引）"


def skipped_reasons(report: Any) -> dict[str, str]:
    """{source: Chinese reason} of the files a build report skipped."""
    return {s.file: reason_zh(s.reason) for s in getattr(report, "skipped", ())}


def remove_source(assistant: AssistantPort, item: SourceFile, *, on_progress: ProgressFn | None = None) -> Any:
    """Take a file out: an indexed document leaves the index; otherwise an upload is deleted
    and a corpus file is put on the exclusion list. Returns the build report, if one ran."""
    if item.doc_id is not None:
        return assistant.remove_document(item.doc_id, on_progress=on_progress)
    uploaded = upload_path(assistant.settings, item.source)
    if uploaded is not None:
        uploaded.unlink(missing_ok=True)
    elif item.source not in excluded(assistant.settings):
        exclude_source(assistant.settings, item.source)
    return None


def reindex_source(assistant: AssistantPort, item: SourceFile, *, on_progress: ProgressFn | None = None) -> Any:
    """Put a file back in (if it was removed) and update the index; returns the build report."""
    include_source(assistant.settings, item.source)
    return assistant.reindex(on_progress=on_progress)


def sources_table(items: Sequence[SourceFile]) -> str:
    """The file list as an escaped HTML table."""
    if not items:
        return '<p class="pq-empty">语料目录和上传目录中都没有文件。</p>'
    e = html.escape
    rows = []
    for f in items:
        status = STATUS_LABEL[f.status]
        cls = "pq-ok" if f.status == "indexed" else "pq-warn"
        title = "" if f.title == f.source else f"<div class='pq-meta'>{e(f.title)}</div>"
        rows.append(f"<tr><td>{e(f.source)}{title}</td><td>{'上传' if f.uploaded else '语料'}</td>"
                    f"<td>{f.size / 1024:.0f} KB</td><td class='{cls}'>{status}</td><td>{e(f.reason) or '—'}</td></tr>")
    return ('<div class="pq-table-wrap"><table class="pq-docs" id="pq-library"><thead><tr><th>文件</th><th>来源</th>'
            '<th>大小</th><th>状态</th><th>原因</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></div>")


def source_choices(items: Sequence[SourceFile]) -> list[tuple[str, str]]:
    return [(f"{f.source}（{STATUS_LABEL[f.status]}）", f.source) for f in items]
