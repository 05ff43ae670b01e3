"""The document body as paragraphs (source lines) with heading paths; the row constructor.

The body is every chunk that is not a metadata or sign-off block. Chunks may overlap; their
spans are merged so each source line is read once, with the heading path of its chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.commitments.types import Commitment, Kind, make_row_id
from index.normalize import normalize
from index.types import Chunk, Document

_SKIP_KINDS = {"metadata", "closing"}


@dataclass(frozen=True)
class Paragraph:
    """One source line of the document body, with its heading path and enclosing chunk."""

    start: int
    end: int
    text: str
    norm: str
    heading_path: tuple[str, ...]
    chunk_id: str
    is_heading: bool


def paragraphs(document: Document, chunks: Sequence[Chunk]) -> list[Paragraph]:
    """The body lines of `document` in order; overlapping chunks are read once."""
    body = sorted((c for c in chunks if not _SKIP_KINDS & set(c.kinds)), key=lambda c: c.start)
    spans: list[list[int]] = []
    for c in body:  # merge overlapping chunk spans
        if spans and c.start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], c.end)
        else:
            spans.append([c.start, c.end])
    out: list[Paragraph] = []
    for lo, hi in spans:
        pos = lo
        for line in document.text[lo:hi].split("\n"):
            a, b = pos, pos + len(line)
            pos = b + 1
            while a < b and document.text[a].isspace():
                a += 1
            while b > a and document.text[b - 1].isspace():
                b -= 1
            if a == b:
                continue
            chunk = _enclosing(body, a, b)
            text = document.text[a:b]
            norm = normalize(text)
            headings = {normalize(h).strip(" 。") for h in chunk.heading_path[1:]}
            out.append(Paragraph(a, b, text, norm, chunk.heading_path, chunk.chunk_id,
                                 norm.strip(" 。") in headings))
    return out


def _enclosing(chunks: Sequence[Chunk], start: int, end: int) -> Chunk:
    whole = [c for c in chunks if c.start <= start and c.end >= end]
    if whole:
        return whole[0]
    return next(c for c in chunks if c.start <= start < c.end)


def make_row(document: Document, kind: Kind, para: Paragraph, start: int, end: int, **fields: object) -> Commitment:
    """A row for `document.text[start:end]` (absolute offsets) found in `para`."""
    text = document.text[start:end]
    return Commitment(
        row_id=make_row_id(document.doc_id, kind, start, end, text), kind=kind,
        doc_id=document.doc_id, source=document.source, doc_title=document.title,
        heading_path=para.heading_path, text=text, start=start, end=end, chunk_id=para.chunk_id,
        doc_number=document.doc_number, doc_date=document.date, **fields,  # type: ignore[arg-type]
    )
