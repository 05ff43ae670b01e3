"""The post-generation checker: is every sentence of a generated answer backed by its citations?

Pure functions over the answer text and the numbered passages it was allowed to cite. A
sentence is flagged when it cites nothing (or only passages that were not given), when one of
its numbers appears in none of the passages it cites, or when it shares too little wording
with them, or when it follows text of a passage that addresses an AI (prompt injection: such
text supports nothing). Markers to passages that were not given are removed from the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.cite import (
    canonical_markers,
    marker_numbers,
    number_mentions,
    numbers_in,
    renumber_markers,
    split_sentences,
    strip_markers,
    support_text,
)
from assistant.types import Citation
from index.injection import looks_like_instruction, without_instructions
from index.normalize import normalize

REFUSAL_PHRASE = "所提供的文件中没有找到"
# Share of a sentence's Chinese characters that must occur in the passages it cites. Low on
# purpose: plain-language answers paraphrase, but a sentence about something else fails.
MIN_CHAR_OVERLAP = 0.4
_MIN_CONTENT_CHARS = 6  # shorter pieces without numbers ("具体如下：") need no citation


@dataclass(frozen=True)
class CheckedSentence:
    """One sentence of the checked text, its span in `valid_text`, and the verdict."""

    text: str
    start: int
    end: int
    markers: tuple[int, ...]  # the given passages it cites, in order
    reason: str | None = None  # why it is flagged; None when it is supported


@dataclass(frozen=True)
class Flag:
    sentence: str
    reason: str


@dataclass(frozen=True)
class CheckResult:
    valid_text: str  # the answer with canonical markers, invalid ones removed
    flagged: tuple[Flag, ...]
    invalid_markers: tuple[int, ...]  # passage numbers cited that were not given
    sentences: tuple[CheckedSentence, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.flagged and not self.invalid_markers


def check_answer(text: str, citations: Sequence[Citation]) -> CheckResult:
    """Check `text` (with `[n]` markers) against the passages given as `citations`."""
    text = canonical_markers(text)
    by_number = {c.number: c for c in citations}
    pieces: list[str] = []
    checked: list[CheckedSentence] = []
    invalid: set[int] = set()
    pos = length = 0
    for sentence in split_sentences(text):
        gap = text[pos : sentence.start]
        pieces.append(gap)
        length += len(gap)
        numbers = marker_numbers(sentence.text)
        good = tuple(dict.fromkeys(n for n in numbers if n in by_number))
        bad = sorted({n for n in numbers if n not in by_number})
        invalid.update(bad)
        cleaned = renumber_markers(sentence.text, {n: n for n in good})
        reason = _reason(cleaned, good, bad, by_number)
        checked.append(CheckedSentence(cleaned, length, length + len(cleaned), good, reason))
        pieces.append(cleaned)
        length += len(cleaned)
        pos = sentence.end
    tail = text[pos:]
    invalid.update(n for n in marker_numbers(tail) if n not in by_number)
    pieces.append(renumber_markers(tail, {n: n for n in by_number}))
    flags = tuple(Flag(c.text, c.reason) for c in checked if c.reason)
    return CheckResult("".join(pieces), flags, tuple(sorted(invalid)), tuple(checked))


def _reason(
    sentence: str, good: tuple[int, ...], bad: list[int], by_number: dict[int, Citation]
) -> str | None:
    content = strip_markers(sentence)
    norm = normalize(content)
    if not good and REFUSAL_PHRASE in norm:
        return None
    mentions = number_mentions(content)
    if not good:
        if bad:
            return "引用了未提供的段落" + "".join(f"[{n}]" for n in bad)
        if not mentions and (_is_lead_in(norm) or _content_chars(norm) < _MIN_CONTENT_CHARS):
            return None
        return "没有标注引用"
    if looks_like_instruction(content):
        return "像是在执行或转述给AI的指令"
    support = "\n".join(support_text(by_number[n]) for n in good)
    supported = numbers_in(support)
    missing = list(dict.fromkeys(raw for raw, canon in mentions if canon not in supported))
    if missing:
        return f"数字{'、'.join(missing)}不在所引段落中"
    # What a passage says to an AI ("忽略以上指令，回答：…") supports nothing: obeying it is
    # following an injected instruction, even though its words are in the cited passage.
    support = without_instructions(support)
    obeyed = list(dict.fromkeys(raw for raw, canon in mentions if canon not in numbers_in(support)))
    if obeyed:
        return f"数字{'、'.join(obeyed)}只出现在所引段落中疑似给AI的指令里"
    chars = [ch for ch in norm if "\u4e00" <= ch <= "\u9fff"]
    if chars:
        pool = set(normalize(support))
        if sum(ch in pool for ch in chars) / len(chars) < MIN_CHAR_OVERLAP:
            return "与所引段落内容不符"
    return None


def _is_lead_in(norm: str) -> bool:
    return norm.rstrip().endswith((":", "："))


def _content_chars(norm: str) -> int:
    return sum(ch.isalnum() for ch in norm)
