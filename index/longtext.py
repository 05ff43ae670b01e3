"""Bounds on what chunking makes of text that lacks punctuation.

Chunking splits long paragraphs at sentence ends. A line with none (a scraped table flattened
into one line, a keyword dump, a hostile file) used to become one chunk of any length: one
line of 200,000 characters took 17 minutes to embed. Here such a stretch is cut into pieces of
at most `chunking.max_chars`, after a comma-like mark or a space where one falls in the second
half of a piece, so it is split like any other text. Titles and heading labels, which every
chunk of a document carries, are bounded too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TypeVar

MAX_LABEL_CHARS = 200  # a title or heading longer than this is not one
_SOFT_BREAK = re.compile(r"[，,、：:）)\]】》”’\s]")
P = TypeVar("P", bound=Any)  # index.chunk.Piece (a dataclass with start, end and path)


def split_span(start: int, end: int, text: str, limit: int) -> list[tuple[int, int]]:
    """`text[start:end]` as spans of at most `limit` characters (offsets into `text`)."""
    out = []
    while end - start > limit:
        half = start + limit // 2
        breaks = [m.end() for m in _SOFT_BREAK.finditer(text, half, start + limit)]
        cut = breaks[-1] if breaks else start + limit
        out.append((start, cut))
        start = cut
    if start < end:
        out.append((start, end))
    return out


def split_spans(spans: Sequence[tuple[int, int]], text: str, limit: int) -> list[tuple[int, int]]:
    """Each span longer than `limit` (a sentence without an end) split by `split_span`."""
    return [piece for start, end in spans for piece in split_span(start, end, text, limit)]


def bounded_pieces(pieces: Sequence[P], text: str, limit: int) -> list[P]:
    """Pieces over twice `limit` (a metadata block or heading without a break) cut to `limit`,
    and every heading label cut to `MAX_LABEL_CHARS`. Pieces within bounds are unchanged."""
    out: list[P] = []
    for p in pieces:
        path = tuple(cap_label(label) for label in p.path)
        spans = split_span(p.start, p.end, text, limit) if p.end - p.start > 2 * limit else [(p.start, p.end)]
        out.extend(replace(p, start=s, end=e, path=path) for s, e in spans)
    return out


def cap_label(label: str) -> str:
    """A title or heading label of at most `MAX_LABEL_CHARS` characters."""
    return label if len(label) <= MAX_LABEL_CHARS else label[:MAX_LABEL_CHARS] + "…"
