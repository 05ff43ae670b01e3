"""Shared citation helpers for both answerers: sentences, markers, numbers, quotes, script.

Everything here is a pure function over strings and the core types. Offsets are always
character offsets: into a chunk's text for sentence spans, into the document's text for
citations (`chunk.start + offset in chunk.text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise

from assistant.types import Citation, Hit
from index.normalize import normalize, to_script
from index.types import Script
from index.wraps import FULL_SHARE, ends_in_wrap, full_width, goes_on

_TERMINATORS = set("。！？；!?;")
_PAIRS = {"“": "”", "「": "」", "『": "』", "《": "》", "（": "）", "(": ")", "【": "】", "‘": "’"}
_CLOSERS = set(_PAIRS.values())


@dataclass(frozen=True)
class Sentence:
    """A sentence and its span in the text it was split from."""

    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """Split at 。！？；!?; and newlines, never inside a matched quote or bracket pair nor at a
    line break a fixed-width layout put inside a sentence (`index.wraps`).

    Closing quotes and brackets right after a terminator stay with the sentence; spans are
    trimmed of whitespace and punctuation-only pieces are dropped.
    """
    protected = _protected_positions(text)
    wrapped = _wrap_breaks(text)
    out: list[Sentence] = []
    start = i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if (ch == "\n" and i not in wrapped) or (ch in _TERMINATORS and i not in protected):
            end = i + 1
            while end < n and (text[end] in _TERMINATORS or text[end] in _CLOSERS):
                end += 1
            _append(out, text, start, end)
            start = i = end
            continue
        i += 1
    _append(out, text, start, n)
    return out


WRAP_MIN = 40  # printed width (a wide character counts two) a fixed-width layout's full lines reach


@lru_cache(maxsize=4096)
def _wrap_breaks(text: str) -> frozenset[int]:
    """Positions of the line breaks a fixed-width layout put inside a sentence (`index.wraps`);
    none in a text whose lines are short (a table, a list of names) or that has one line."""
    if "\n" not in text:
        return frozenset()
    lines = text.split("\n")
    full = full_width(lines)
    if full < WRAP_MIN * FULL_SHARE:
        return frozenset()
    breaks: set[int] = set()
    at = 0
    for line, after in pairwise(lines):
        at += len(line)
        if ends_in_wrap(line, full) and goes_on(after):
            breaks.add(at)
        at += 1
    return frozenset(breaks)


def _protected_positions(text: str) -> set[int]:
    """Positions strictly inside quote/bracket pairs that open and close on the same line."""
    protected: set[int] = set()
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch == "\n":
            stack.clear()  # an unclosed quote must not swallow the following lines
        elif ch in _PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            for depth in range(len(stack) - 1, -1, -1):
                if _PAIRS[stack[depth][0]] == ch:
                    protected.update(range(stack[depth][1] + 1, i))
                    del stack[depth:]
                    break
    return protected


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    piece = text[start:end]
    if any(ch.isalnum() for ch in piece):
        out.append(Sentence(piece, start, end))


# ---- markers -------------------------------------------------------------------------------

MARKER_RE = re.compile(r"[\[［【]\s*(\d{1,3}(?:\s*[,，、\-–~]\s*\d{1,3})*)\s*[\]］】]")
_CANON_MARKERS = re.compile(r"(?:\[\d{1,3}\])+")
_MARKERS_AFTER_STOP = re.compile(r"([。！？；!?;]+)((?:\[\d{1,3}\])+)")


def marker_numbers(text: str) -> list[int]:
    """The passage numbers referred to by markers in `text`, in order, with repeats."""
    numbers: list[int] = []
    for m in MARKER_RE.finditer(text):
        numbers.extend(_expand(m.group(1)))
    return numbers


def _expand(body: str) -> list[int]:
    """"1,3" -> [1, 3]; "2-4" -> [2, 3, 4] (short ranges only)."""
    out: list[int] = []
    for part in re.split(r"\s*[,，、]\s*", body.strip()):
        bounds = [int(x) for x in re.split(r"\s*[\-–~]\s*", part)]
        if len(bounds) == 2 and bounds[0] <= bounds[1] < bounds[0] + 20:
            out.extend(range(bounds[0], bounds[1] + 1))
        else:
            out.extend(bounds)
    return out


def canonical_markers(text: str) -> str:
    """Rewrite every marker as `[1][2]` and put markers before sentence-final punctuation."""
    text = MARKER_RE.sub(lambda m: "".join(f"[{n}]" for n in _expand(m.group(1))), text)
    return _MARKERS_AFTER_STOP.sub(r"\2\1", text)


def strip_markers(text: str) -> str:
    """`text` without its markers."""
    return MARKER_RE.sub("", text)


def renumber_markers(text: str, mapping: dict[int, int]) -> str:
    """Replace canonical markers `[n]` by `[mapping[n]]`, dropping numbers not in `mapping`."""

    def sub(m: re.Match[str]) -> str:
        nums = [int(x) for x in re.findall(r"\d+", m.group(0))]
        kept = dict.fromkeys(mapping[n] for n in nums if n in mapping)
        return "".join(f"[{n}]" for n in kept)

    return _CANON_MARKERS.sub(sub, text)


# ---- numbers -------------------------------------------------------------------------------

_SPLIT_DECIMAL = re.compile(r"(\d)\.\s+(\d)")  # scraped "2771. 4" is 2771.4
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_ORDINAL = re.compile(r"(?m)^\s*(?:\d{1,2}[.、)）](?!\d)|[(（]\d{1,2}[)）])")
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(万亿|亿|万)?")
_BARE_UNIT = re.compile(r"(?<![\d〇零一二两三四五六七八九十百千])([十百千])(万亿|亿|万)")
_SCALE = {"万": Decimal(10**4), "亿": Decimal(10**8), "万亿": Decimal(10**12), None: Decimal(1)}
_CN_DIGIT = {"十": Decimal(10), "百": Decimal(100), "千": Decimal(1000)}


def number_mentions(text: str) -> list[tuple[str, str]]:
    """Each number in `text` as (as written, canonical value).

    Full-width digits, split decimals ("2771. 4"), thousands separators and 万/亿 units are
    normalised, so "30万" and "300000" share the canonical value "300000". Markers and list
    ordinals at line starts ("1." "(2)") are not numbers of the answer.
    """
    t = _SPLIT_DECIMAL.sub(r"\1.\2", strip_markers(normalize(text)))
    t = _ORDINAL.sub("", _THOUSANDS.sub("", t))
    found = [(m.group(0).strip(), _canon(Decimal(m.group(1)) * _SCALE[m.group(2)]))
             for m in _NUMBER.finditer(t)]
    found += [(m.group(0), _canon(_CN_DIGIT[m.group(1)] * _SCALE[m.group(2)]))
              for m in _BARE_UNIT.finditer(t)]
    return found


def numbers_in(text: str) -> set[str]:
    """The canonical values of the numbers in `text` (see `number_mentions`)."""
    return {canon for _, canon in number_mentions(text)}


def _canon(value: Decimal) -> str:
    try:
        return format(value.normalize(), "f")
    except InvalidOperation:  # pragma: no cover - Decimal of a matched digit string is valid
        return str(value)


# ---- quotes and citations ------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    kept = "".join(ch for ch in normalize(strip_markers(text)) if ch.isalnum())
    return {kept[i : i + 2] for i in range(len(kept) - 1)} or set(kept)


def best_span(passage: str, claim: str) -> tuple[int, int]:
    """Offsets in `passage` of the sentence(s) that best support `claim`.

    A character-bigram overlap choice: the sentence covering most of the claim, extended to a
    neighbouring sentence when that brings in numbers or wording of the claim it lacks.
    """
    sentences = split_sentences(passage) or [Sentence(passage, 0, len(passage))]
    want = _bigrams(claim)
    want_numbers = numbers_in(claim)

    def score(lo: int, hi: int) -> float:
        text = passage[sentences[lo].start : sentences[hi].end]
        have = _bigrams(text)
        cover = len(want & have) / max(1, len(want))
        nums = len(want_numbers & numbers_in(text)) / max(1, len(want_numbers))
        return cover + nums + 0.1 * len(want & have) / max(1, len(have))

    best = max(range(len(sentences)), key=lambda i: score(i, i))
    lo = hi = best
    for _ in range(2):  # grow by at most two neighbours, only when it clearly helps
        options = [(lo - 1, hi)] if lo > 0 else []
        options += [(lo, hi + 1)] if hi + 1 < len(sentences) else []
        gains = [(score(a, b) - score(lo, hi), a, b) for a, b in options]
        if not gains or max(gains)[0] < 0.15:
            break
        _, lo, hi = max(gains)
    return sentences[lo].start, sentences[hi].end


def citation_from_hit(number: int, hit: Hit, start: int, end: int) -> Citation:
    """A citation quoting `hit.chunk.text[start:end]`, with offsets into the document text."""
    chunk, doc = hit.chunk, hit.document
    return Citation(
        number=number,
        chunk_id=chunk.chunk_id,
        doc_id=doc.doc_id,
        source=doc.source,
        title=doc.title,
        doc_number=doc.doc_number,
        date=doc.date,
        heading_path=chunk.heading_path,
        quote=chunk.text[start:end],
        start=chunk.start + start,
        end=chunk.start + end,
        paragraph=chunk.text,
        paragraph_start=chunk.start,
    )


def support_text(citation: Citation) -> str:
    """What a citation vouches for: its document's title, number and date, and its paragraph."""
    parts = (citation.title, citation.doc_number or "", citation.date or "",
             citation.paragraph or citation.quote)
    return "\n".join(parts)


# ---- script --------------------------------------------------------------------------------

_QUOTED = re.compile(r"「[^「」\n]*」|“[^“”\n]*”|『[^『』\n]*』|‘[^‘’\n]*’")


def to_answer_script(text: str, script: Script, sources: Iterable[str] = ()) -> str:
    """`text` in `script`, leaving quoted source text as the source has it.

    A quotation (「」“”『』‘’) whose content occurs in one of `sources` (compared after
    normalisation) is shown exactly as that source writes it; with no sources, quotations
    are left as they are.
    """
    source_list: Sequence[str] = list(sources)
    norm_sources = [normalize(s) for s in source_list]
    out: list[str] = []
    pos = 0
    for m in _QUOTED.finditer(text):
        out.append(to_script(text[pos : m.start()], script))
        out.append(_quoted(m.group(0), script, source_list, norm_sources))
        pos = m.end()
    out.append(to_script(text[pos:], script))
    return "".join(out)


def _quoted(quote: str, script: Script, sources: Sequence[str], norm: Sequence[str]) -> str:
    if not sources:
        return quote
    inner = quote[1:-1]
    key = normalize(inner)
    for src, nsrc in zip(sources, norm, strict=True):
        i = nsrc.find(key) if key else -1
        if i >= 0:
            return quote[0] + src[i : i + len(inner)] + quote[-1]
    return to_script(quote, script)
