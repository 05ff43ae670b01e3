"""文号: the shapes official documents number themselves with.

- Mainland (GB/T 9704): issuer's code, year in brackets, serial — `国办发〔2018〕117号`,
  `穗民规字〔2025〕2号`, `京政发[2019]1号`, `国发(2017)43号`; brackets vary in scraped text.
- Decrees: `国务院令第699号`, `中华人民共和国主席令第三十一号`.
- Taiwan: an organ, its code and 字第 + serial — `華總一經字第 11000060901 號令`,
  `台財稅字第10804679570號`; a promulgation line may name several, issued jointly (會銜).
Matching runs on normalised text (simplified, half-width), so 號 is 号 here.
"""

from __future__ import annotations

import re

from index.normalize import normalize

_OPEN, _CLOSE = r"〔\[【(（［", r"〕\]】)）］"
MAINLAND = re.compile(
    rf"[\u4e00-\u9fff]{{1,12}}\s?[{_OPEN}]\s?(?:19|20)\d{{2}}\s?[{_CLOSE}]\s?第?\s?\d{{1,4}}\s?号"
)
DECREE = re.compile(r"[\u4e00-\u9fff]{1,16}令\s?第\s?[\d一二三四五六七八九十百零〇]{1,6}\s?号")
ROC = re.compile(r"[\u4e00-\u9fff\d（）() ]{1,24}字\s?第\s*\d[\d ]{2,}\d\s*号(?:令|函)?")
DOC_NUMBER = MAINLAND  # kept for callers that only need the mainland shape
_ANY = (MAINLAND, ROC, DECREE)


# What may run into a 文号's issuer code in a sentence: a date before it, punctuation, a verb.
_LEAD = re.compile(r"^.*(?:日|[、，,；;：:“《]|根据|依据|按照|依照|印发)")


def numbers_in(norm: str) -> list[tuple[int, int]]:
    """Spans of every 文号 in normalised text, in order, none overlapping."""
    spans: list[tuple[int, int]] = []
    for pattern in _ANY:
        for m in pattern.finditer(norm):
            start = m.start()
            lead = _LEAD.match(norm[start : m.end()])
            if lead and lead.end() < m.end() - 4:
                start += lead.end()
            if not any(s < m.end() and start < e for s, e in spans):
                spans.append((start, m.end()))
    return sorted(spans)


def is_doc_number(text: str) -> bool:
    """The whole (stripped) text is one 文号, possibly in brackets."""
    norm = normalize(text).strip().strip("()（）[]【】")
    return numbers_in(norm) == [(0, len(norm))]


def clean_number(text: str) -> str:
    """A 文号 as written, without the spaces and line breaks that layout put into it."""
    return re.sub(r"\s+", "", text)


_ORGAN_END = re.compile(r"总统|總統|委员会|委員會|部|院|会|會|局|署|府|处|處")


def issuing_organ(number: str) -> str | None:
    """The organ a Taiwan 字号 belongs to (`經濟部經工字第…號` → 經濟部,
    `行政院勞工委員會勞動2字第…號` → 行政院勞工委員會): the longest name-shaped prefix that
    leaves a short code (≤ 6 characters) before 字."""
    code_at = number.find("字")
    if code_at < 0:
        return None
    best = None
    for m in _ORGAN_END.finditer(number, 0, code_at):
        if m.end() >= 2 and code_at - m.end() <= 8:
            best = number[: m.end()]
    return best
