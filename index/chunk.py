"""Heading-aware chunking: sections with heading paths, split and merged to paragraph size.

A chunk never spans a dropped (boilerplate) line, so `document.text[start:end]` is always
content; its heading path starts with the document title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from config.settings import ChunkingSettings
from index.clean import METADATA, Cleaned, Line
from index.headings import LEAD_RANK, Heading, parse_heading, strip_marker
from index.longtext import bounded_pieces, split_spans
from index.metadata import DOC_NUMBER
from index.normalize import normalize
from index.types import Chunk, make_chunk_id

CHUNKER_VERSION = "1"
CLOSING_LABEL = "落款"
_SENTENCE_END = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’」』)）]*|[^。！？!?；;]+$")


@dataclass
class Piece:
    """A span of the source text that will become (part of) a chunk."""

    start: int
    end: int
    run: int  # pieces of different runs are separated by dropped lines and never join
    path: tuple[str, ...]
    kinds: tuple[str, ...] = ()
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.size = self.end - self.start


def split_regions(cleaned: Cleaned) -> tuple[list[Line], list[Line], list[Line]]:
    """Kept lines split into header (metadata, title), body and closing (sign-off) lines."""
    kept = cleaned.kept()
    title = cleaned.lines[cleaned.title_index] if cleaned.title_index is not None else None
    cut = 0
    if title is not None:
        cut = next((i + 1 for i, ln in enumerate(kept) if ln is title), 0)
        while cut < len(kept) and _header_like(kept[cut]):
            cut += 1
    end = len(kept)
    while end > cut + 1 and _closing_like(kept[end - 1]):
        end -= 1
    return kept[:cut], kept[cut:end], kept[end:]


def _header_like(ln: Line) -> bool:
    return bool(
        METADATA.search(ln.norm)
        or DOC_NUMBER.fullmatch(ln.norm)
        or re.fullmatch(r"[(（][\d\-—–年至 ]+[)）]", ln.norm)
    )


def _closing_like(ln: Line) -> bool:
    return len(ln.norm) <= 40 and not re.search(r"[。；]", ln.norm) and parse_heading(ln.text.strip(), ln.norm) is None


def _runs(cleaned: Cleaned) -> dict[int, int]:
    """Line start offset → run number; a dropped non-blank line starts a new run."""
    run, out = 0, {}
    for ln, keep in zip(cleaned.lines, cleaned.keep, strict=True):
        if ln.blank:
            continue
        if keep:
            out[ln.start] = run
        else:
            run += 1
    return out


def _heading_for(ln: Line, toc: dict[str, int], hints: dict[str, int]) -> Heading | None:
    text = ln.text.strip()
    heading = parse_heading(text, ln.norm)
    key = strip_marker(ln.norm)
    if heading is None and len(ln.norm) <= 40 and not re.search(r"[。；,，]", ln.norm):
        # A damaged heading (lost its number) is recognised by its table-of-contents entry.
        rank = toc.get(key) or hints.get(re.sub(r"\s+", "", ln.norm))
        if rank:
            return Heading(rank, text, run_in=False)
    return heading


def sections(title: str, body: list[Line], runs: dict[int, int], toc: list[Line],
             hints: dict[str, int]) -> list[Piece]:
    """One piece per body line, each carrying the heading path in force at that line."""
    toc_ranks: dict[str, int] = {}
    for entry in toc:
        h = parse_heading(entry.text.strip(), entry.norm)
        if h is not None:
            toc_ranks.setdefault(strip_marker(entry.norm), h.rank)
    stack: list[tuple[int, str]] = []
    pieces = []
    for ln in body:
        heading = _heading_for(ln, toc_ranks, hints)
        kinds: tuple[str, ...] = ()
        if heading is not None:
            while stack and stack[-1][0] >= heading.rank:
                stack.pop()
            stack.append((heading.rank, heading.label))
            kinds = ("heading",) if not heading.run_in else ()
        elif stack and stack[-1][0] == LEAD_RANK:
            stack.pop()  # a plain paragraph after a lead/bullet belongs to the enclosing section
        path = (title, *(label for _, label in stack))
        pieces.append(Piece(ln.start, ln.end, runs[ln.start], path, kinds))
    return pieces


def _split_long(piece: Piece, text: str, max_chars: int) -> list[Piece]:
    """Split a long paragraph at sentence ends, carrying one sentence of overlap."""
    sentences = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text) if m.group().strip()]
    sentences = split_spans(sentences, text, max_chars)  # a "sentence" with no end is cut too
    out: list[Piece] = []
    i = 0
    while i < len(sentences):
        j = i
        while j + 1 < len(sentences) and sentences[j + 1][1] - sentences[i][0] <= max_chars:
            j += 1
        start, end = piece.start + sentences[i][0], piece.start + sentences[j][1]
        out.append(Piece(start, end, piece.run, piece.path, piece.kinds))
        if j + 1 >= len(sentences):
            break
        short_tail = sentences[j][1] - sentences[j][0] <= max_chars // 3
        i = j if short_tail and j > i else j + 1
    return out


def _join(a: Piece, b: Piece) -> Piece:
    if a.path == b.path[: len(a.path)]:
        path = b.path if b.size >= a.size or "heading" in a.kinds else a.path
    elif b.path == a.path[: len(b.path)]:
        path = a.path if a.size >= b.size else b.path
    else:
        common = []
        for x, y in zip(a.path, b.path, strict=False):
            if x != y:
                break
            common.append(x)
        path = tuple(common)
    both_headings = "heading" in a.kinds and "heading" in b.kinds
    kinds = tuple(k for k in dict.fromkeys(a.kinds + b.kinds) if k != "heading" or both_headings)
    return Piece(a.start, b.end, a.run, path, kinds)


def group(pieces: list[Piece], text: str, cfg: ChunkingSettings) -> list[Piece]:
    """Paragraph pieces → chunk-sized pieces: split long ones, join a section's short ones."""
    split: list[Piece] = []
    for p in pieces:
        split.extend(_split_long(p, text[p.start : p.end], cfg.max_chars) if p.size > cfg.max_chars else [p])
    out: list[Piece] = []
    for p in split:
        prev = out[-1] if out else None
        # A heading starts a chunk (several bare headings in a row chain together).
        starts = "heading" in p.kinds and (prev is None or "heading" not in prev.kinds)
        joinable = prev is not None and prev.run == p.run and p.start >= prev.end and not starts
        if joinable and prev is not None:
            same_section = prev.path == p.path or ("heading" in prev.kinds and p.path[: len(prev.path)] == prev.path)
            # A bare heading always goes with what follows it, even a full-size piece.
            fits = p.end - prev.start <= cfg.max_chars + ("heading" in prev.kinds) * prev.size
            small = min(prev.size, p.size) < cfg.min_chars and p.end - prev.start <= cfg.merge_budget
            if fits and (same_section or small or "heading" in prev.kinds):
                out[-1] = _join(prev, p)
                continue
        out.append(p)
    return out


def chunk_document(doc_id: str, text: str, title: str, cleaned: Cleaned, cfg: ChunkingSettings,
                   hints: dict[str, int] | None = None) -> list[Chunk]:
    """Chunks of one cleaned document, in reading order."""
    header, body, closing = split_regions(cleaned)
    runs = _runs(cleaned)
    pieces = [Piece(ln.start, ln.end, runs[ln.start], (title,), ("metadata",)) for ln in header]
    pieces += sections(title, body, runs, cleaned.toc, hints or {})
    pieces += [Piece(ln.start, ln.end, runs[ln.start], (title, CLOSING_LABEL), ("closing",)) for ln in closing]
    grouped = bounded_pieces(_group_regions(pieces, text, cfg), text, cfg.max_chars)
    chunks = []
    for n, p in enumerate(grouped):
        body_text = text[p.start : p.end]
        chunks.append(
            Chunk(
                chunk_id=make_chunk_id(doc_id, p.start, p.end, body_text),
                doc_id=doc_id,
                heading_path=p.path,
                text=body_text,
                text_norm=normalize(body_text),
                start=p.start,
                end=p.end,
                ordinal=n,
                kinds=p.kinds,
            )
        )
    return chunks


def _group_regions(pieces: list[Piece], text: str, cfg: ChunkingSettings) -> list[Piece]:
    """Header, body and closing are grouped separately so metadata never mixes with content."""
    out: list[Piece] = []
    for kind in ("metadata", None, "closing"):
        region = [p for p in pieces if (kind in p.kinds if kind else not {"metadata", "closing"} & set(p.kinds))]
        if kind:
            # Metadata and sign-off lines belong together whatever their size.
            merged: list[Piece] = []
            for p in region:
                if merged and merged[-1].run == p.run:
                    merged[-1] = Piece(merged[-1].start, p.end, p.run, merged[-1].path, merged[-1].kinds)
                else:
                    merged.append(p)
            out.extend(merged)
        else:
            out.extend(group(region, text, cfg))
    return sorted(out, key=lambda p: p.start)
