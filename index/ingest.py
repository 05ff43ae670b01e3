"""Ingest a corpus folder: load every file, clean it, extract metadata, chunk it."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from config.errors import IngestError
from config.settings import ChunkingSettings
from index.chunk import chunk_document, split_regions
from index.clean import Cleaned, clean, split_lines, template_lines
from index.load import SUPPORTED, Loaded, read_file
from index.metadata import extract
from index.normalize import detect_script
from index.types import Chunk, Document, content_hash, make_doc_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


@dataclass
class IngestResult:
    documents: list[Document] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # log lines: spam, TOC, second renders, duplicates
    outlines: dict[str, list[tuple[int, str, int]]] = field(default_factory=dict)  # doc_id → outline()

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        return [c for c in self.chunks if c.doc_id == doc_id]


def corpus_files(corpus: Path) -> list[Path]:
    """Supported files under `corpus`, recursively, in a stable order (hidden files skipped)."""
    if not corpus.is_dir():
        raise IngestError(f"corpus folder not found: {corpus}; pass --corpus DIR or set paths.corpus")
    return sorted(
        p for p in corpus.rglob("*")
        if p.is_file() and p.suffix.lower() in SUPPORTED
        and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    )


def ingest_corpus(corpus: Path, chunking: ChunkingSettings, *, progress: bool = False,
                  extra_roots: Sequence[tuple[Path, str]] = (), exclude: Collection[str] = ()) -> IngestResult:
    """Load, clean and chunk every supported file under `corpus`.

    `extra_roots` are further folders whose files are named with a prefix (e.g. uploads);
    sources named in `exclude` are left out. A file that cannot be read is recorded in
    `skipped` with the reason; the rest still ingest.
    """
    result = IngestResult()
    loaded: list[tuple[str, Loaded, bytes]] = []
    files = [(p, p.relative_to(corpus).as_posix()) for p in corpus_files(corpus)]
    for root, prefix in extra_roots:
        files += [(p, prefix + p.relative_to(root).as_posix()) for p in corpus_files(root)]
    files = [(p, rel) for p, rel in files if rel not in exclude]
    for path, rel in tqdm(files, desc="reading", unit="file", disable=not progress or len(files) < 2):
        try:
            data = read_file(path)
        except IngestError as exc:
            result.skipped.append(Skipped(rel, str(exc)))
            log.warning("skipped %s: %s", rel, exc)
            continue
        except Exception as exc:  # a parser bug on one file must not stop the corpus
            result.skipped.append(Skipped(rel, f"unexpected {exc.__class__.__name__}: {exc}"))
            log.exception("skipped %s", rel)
            continue
        loaded.append((rel, data, path.read_bytes()))
    unsupported = [
        p.relative_to(corpus).as_posix() for p in corpus.rglob("*")
        if p.is_file() and p.suffix.lower() not in SUPPORTED and not p.name.startswith(".")
    ]
    result.skipped += [Skipped(f, "unsupported file type") for f in sorted(unsupported)]
    template = template_lines([split_lines(d.text) for _, d, _ in loaded])
    seen_texts: set[str] = set()
    for rel, data, raw in tqdm(loaded, desc="chunking", unit="file", disable=not progress or len(loaded) < 2):
        doc, chunks, cleaned = ingest_text(rel, data, raw, template, chunking)
        result.documents.append(doc)
        result.dropped += [f"{rel}: {msg}" for msg in cleaned.dropped]
        for c in chunks:
            key = re.sub(r"\s+", "", c.text_norm)
            if key in seen_texts:
                result.dropped.append(f"{rel}: duplicate chunk dropped: {c.text.strip()[:30]}…")
                continue
            seen_texts.add(key)
            result.chunks.append(c)
        result.outlines[doc.doc_id] = list(doc.outline)
    return result


def ingest_text(rel: str, data: Loaded, raw: bytes, template: set[str], chunking: ChunkingSettings
                ) -> tuple[Document, list[Chunk], Cleaned]:
    """Clean, describe and chunk one loaded file."""
    hints = {re.sub(r"\s+", "", text): level + 1 for text, level in data.heading_hints}
    cleaned = clean(data.text, template, data.title_hints)
    header, body, closing = split_regions(cleaned)
    if not cleaned.title:
        cleaned.title = Path(rel).stem
    is_page = Path(rel).suffix.lower() in (".html", ".htm")
    meta = extract(cleaned, header, body, closing, data.fields, is_page=is_page)
    title_line = meta.title
    doc_id = make_doc_id(rel)
    chunks, heading_outline = chunk_document(doc_id, data.text, title_line, cleaned, chunking, hints)
    doc = Document(
        doc_id=doc_id, source=rel, text=data.text, title=meta.title, script=detect_script(data.text),
        issuer=meta.issuer, doc_number=meta.doc_number, written_date=meta.written_date,
        published_date=meta.published_date, doc_type=meta.doc_type, validity=meta.validity,
        proposal=meta.proposal, content_hash=content_hash(raw), outline=heading_outline,
    )
    return doc, chunks, cleaned


def outline(chunks: Sequence[Chunk]) -> list[tuple[int, str, int]]:
    """The heading outline shown by a document's chunks: (depth, heading, ordinal of its first
    chunk), each once. (`Document.outline`, made at ingest, also has the headings of small
    sections that merged into a neighbour's chunk.)"""
    seen: set[tuple[str, ...]] = set()
    out = []
    for c in chunks:
        for depth in range(1, len(c.heading_path)):
            prefix = c.heading_path[: depth + 1]
            if prefix not in seen:
                seen.add(prefix)
                out.append((depth, prefix[-1], c.ordinal))
    return out
