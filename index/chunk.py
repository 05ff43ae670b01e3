"""Heading-aware chunking: sections with heading paths, split and merged to paragraph size.

A chunk never spans a dropped (boilerplate) line, so `document.text[start:end]` is always
content; its heading path starts with the document title.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from config.settings import ChunkingSettings
from index.clean import Cleaned, Line
from index.dates import parse_date
from index.docnumber import is_doc_number
from index.headings import LEAD_RANK, Heading, parse_heading, strip_marker
from index.issuer import split_orgs
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
    """Kept lines split into header (metadata, title, byline), body and closing (sign-off) lines."""
    index_of = {id(ln): i for i, ln in enumerate(cleaned.lines)}
    kept = cleaned.kept()
    cut = 0
    if cleaned.title_lines:
        last = cleaned.title_lines[-1]
        cut = next((k + 1 for k, ln in enumerate(kept) if index_of[id(ln)] >= last), 0)
        while cut < len(kept) and _header_like(kept, cut, index_of[id(kept[cut])] in cleaned.field_lines):
            cut += 1
    end = len(kept)
    while end > cut + 1 and _closing_like(kept[end - 1]):
        end -= 1
    return kept[:cut], kept[cut:end], kept[end:]


_BRACKETED = re.compile(r"^[(（][^()（）]{2,80}[)）]$")


def _header_like(kept: list[Line], k: int, is_field: bool) -> bool:
    """Lines between the title and the body: fields, the 文号, a bracketed subtitle or date,
    an adoption line, a byline of organisations followed by a date."""
    norm = kept[k].norm
    if is_field or is_doc_number(norm):
        return True
    if _BRACKETED.match(norm) and not _SENTENCE_IN.search(norm[1:-1]):
        return True
    if len(norm) <= 80 and norm.endswith(("通过", "通過", "公布", "发布", "施行")) and parse_date(norm):
        return True
    dated = len(norm) <= 20 and (parse_date(norm) is not None or bool(
        re.fullmatch(r"[(（]?\d{4}年\d{1,2}月[)）]?", norm))) and not norm.startswith("--")
    if dated and not re.search(r"[。；]", norm):
        return True
    nxt = kept[k + 1].norm if k + 1 < len(kept) else ""
    dated_next = parse_date(nxt) is not None or bool(re.fullmatch(r"[(（]?\d{4}年\d{1,2}月[)）]?", nxt))
    return bool(split_orgs(norm)) and len(nxt) <= 20 and dated_next


_SENTENCE_IN = re.compile(r"[。；！？]")


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


ARTICLE_RANK = 4
_ARTICLE = re.compile(r"^第\s?[一二三四五六七八九十百零〇两\d]+\s?(?:条|條)")


def sections(title: str, body: list[Line], runs: dict[int, int], toc: list[Line],
             hints: dict[str, int]) -> list[Piece]:
    """One piece per body line, each carrying the heading path in force at that line."""
    toc_ranks: dict[str, int] = {}
    for entry in toc:
        h = parse_heading(entry.text.strip(), entry.norm)
        if h is not None:
            toc_ranks.setdefault(strip_marker(entry.norm), h.rank)
    stack: list[tuple[float, str]] = []
    pieces = []
    for ln in body:
        heading = _heading_for(ln, toc_ranks, hints)
        kinds: tuple[str, ...] = ()
        if heading is not None:
            rank: float = heading.rank
            if rank == ARTICLE_RANK and not _ARTICLE.match(ln.norm) and any(_ARTICLE.match(h) for _, h in stack):
                rank += 0.5  # 一、 inside an article (第X条) is one of its items (项), not a sibling
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, heading.label))
            kinds = ("heading",) if not heading.run_in else ()
        elif stack and stack[-1][0] == LEAD_RANK:
            stack.pop()  # a plain paragraph after a lead/bullet belongs to the enclosing section
        path = (title, *(label for _, label in stack))
        pieces.append(Piece(ln.start, ln.end, runs[ln.start], path, kinds))
    return pieces


def _split_long(piece: Piece, text: str, max_chars: int) -> list[Piece]:
    """Split a long paragraph at sentence ends, carrying one sentence of overlap."""
    sentences = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text) if m.group().strip()]
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


Outline = tuple[tuple[int, str, int], ...]  # (depth, heading, ordinal of the chunk it starts in)


def chunk_document(doc_id: str, text: str, title: str, cleaned: Cleaned, cfg: ChunkingSettings,
                   hints: dict[str, int] | None = None) -> tuple[list[Chunk], Outline]:
    """Chunks of one cleaned document in reading order, and its full heading outline."""
    header, body, closing = split_regions(cleaned)
    runs = _runs(cleaned)
    pieces = [Piece(ln.start, ln.end, runs[ln.start], (title,), ("metadata",)) for ln in header]
    body_pieces = sections(title, body, runs, cleaned.toc, hints or {})
    pieces += body_pieces
    pieces += [Piece(ln.start, ln.end, runs[ln.start], (title, CLOSING_LABEL), ("closing",)) for ln in closing]
    grouped = _group_regions(pieces, text, cfg)
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
    return chunks, _outline(body_pieces, chunks)


def _outline(pieces: list[Piece], chunks: list[Chunk]) -> Outline:
    """Every heading of the body once, before small sections merged into chunks hid some."""
    starts = [c.start for c in chunks]
    seen: set[tuple[str, ...]] = set()
    out = []
    for p in pieces:
        ordinal = max(0, bisect.bisect_right(starts, p.start) - 1)
        for depth in range(1, len(p.path)):
            prefix = p.path[: depth + 1]
            if prefix not in seen:
                seen.add(prefix)
                out.append((depth, prefix[-1], ordinal))
    return tuple(out)


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
