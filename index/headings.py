"""Recognise the heading hierarchy of Chinese official documents (GB/T 9704 and common practice).

Ranks, outermost first: 编 1 · 章 2 · 节 3 · 条 / 一、 4 · (一) 5 · 1. 6 · (1) 7 · ① 8 ·
paragraph leads (一是…, ----…, ——…) 9. Damaged forms seen in scraped pages are accepted:
`—、` or a bare `、` for `一、`, a bare `)` for `(一)`, a chapter heading that lost `第`.
Matching runs on normalised text (simplified, half-width), so traditional pages work the same
(編/章/節/條); Taiwan's statutes put spaces inside the marker (`第 3 條`, `第 一 章`), which is
accepted, and an article number alone on its line heads the text after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUM = "一二三四五六七八九十百零〇两"
CJK = "\u4e00-\u9fff"

LEAD_RANK = 9

# (rank, pattern of the marker at the start of a stripped, normalised line)
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"第\s?[{NUM}\d]+\s?编")),
    (2, re.compile(rf"第\s?[{NUM}\d]+\s?章")),
    (3, re.compile(rf"第\s?[{NUM}\d]+\s?节")),
    (4, re.compile(rf"第\s?[{NUM}\d]+\s?条(?:之[{NUM}\d]+)?")),
    (2, re.compile(rf"[{NUM}]+章(?=[{CJK}])")),  # chapter that lost its 第
    (4, re.compile(rf"[{NUM}]{{1,3}}、")),
    (4, re.compile(rf"[—－\-]、(?=[{CJK}])")),  # 一、 rendered as an em dash
    (4, re.compile(rf"、(?=[{CJK}])")),  # numeral lost
    (5, re.compile(rf"[(（][{NUM}]{{1,3}}[)）]")),
    (5, re.compile(rf"[)）](?=[{CJK}“])")),  # "(一" lost
    (6, re.compile(rf"\d{{1,2}}[.．、](?=\s?[{CJK}“《])")),
    (7, re.compile(r"[(（]\d{1,2}[)）]|[\u2474-\u2487]")),
    (8, re.compile(r"[\u2460-\u2473]")),
    (LEAD_RANK, re.compile(rf"[{NUM}]{{1,3}}是(?=[{CJK}])")),
    (LEAD_RANK, re.compile(r"(?:-{2,}|—{1,2}|–{2,}|[●■◆▪])(?=\S)")),
)
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_CLAUSE_END = re.compile(r"[。！？!?；;：:,，]")
TITLE_MAX = 40  # a stand-alone heading is at most this long (characters, after the marker)


@dataclass(frozen=True)
class Heading:
    rank: int
    label: str  # the heading as the source writes it (marker included), without trailing punctuation
    run_in: bool  # body text follows on the same line


def marker_rank(norm_line: str) -> tuple[int, int] | None:
    """(rank, marker length) when the normalised, stripped line starts with a heading marker."""
    for rank, pattern in _MARKERS:
        m = pattern.match(norm_line)
        if m:
            return rank, m.end()
    return None


def parse_heading(line: str, norm_line: str) -> Heading | None:
    """The heading a line starts with, if any. `line` and `norm_line` are stripped, same length."""
    found = marker_rank(norm_line)
    if found is None:
        return None
    rank, mlen = found
    rest = norm_line[mlen:]
    is_article = norm_line.startswith("第") and "条" in norm_line[:mlen]
    if not rest.strip():
        # A bare article number on its own line (第 5 條) heads the text that follows it.
        return Heading(rank, line[:mlen].strip(), run_in=False) if is_article else None
    if is_article:
        # An article (第X条) carries its own text: the marker is the heading.
        return Heading(rank, line[:mlen], run_in=bool(rest.strip()))
    end = _SENTENCE_END.search(rest)
    # A short line that ends a sentence (一、中小企业。) is an enumerated item, not a heading.
    stand_alone = len(rest.rstrip(":： ")) <= TITLE_MAX and end is None
    if stand_alone and rank != LEAD_RANK:
        return Heading(rank, line.rstrip(" 。:：;；"), run_in=False)
    # Run-in: the heading is the first sentence (or clause, for leads and bullets).
    # Leads and bullets are named by their first clause; other headings by their first sentence.
    clause = _CLAUSE_END.search(rest)
    cut = clause if rank == LEAD_RANK or not (end and end.start() <= TITLE_MAX) else end
    if cut is None or cut.start() > TITLE_MAX:
        if rank == LEAD_RANK or len(rest) > TITLE_MAX:
            return Heading(rank, line[: mlen + TITLE_MAX // 2].rstrip() + "…", run_in=True)
        return Heading(rank, line.rstrip(), run_in=False)
    return Heading(rank, line[: mlen + cut.start()].rstrip(), run_in=True)


def strip_marker(norm_line: str) -> str:
    """The heading text without its numbering, for matching a body heading to a TOC entry."""
    found = marker_rank(norm_line)
    text = norm_line[found[1]:] if found else norm_line
    return re.sub(r"\s+", "", text).rstrip("。:：")
