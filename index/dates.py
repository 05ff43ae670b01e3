"""Dates as Chinese official documents write them, to ISO 8601.

Forms: `2023-02-24` / `2023/2/24` / `2023.2.24`, `2023年8月3日`, Chinese numerals
(`二〇一八年十一月十九日`, `一百零八年十二月二十六日`), the ROC calendar used in Taiwan
(`民國113年8月7日`, `中華民國一百十三年`: year + 1911), the compact `20191226` of some labelled
fields, and a month and day without a year (`8月5日` → `--08-05`, kept partial).
"""

from __future__ import annotations

import re

from index.numbers import cn_to_decimal

_CN = "〇○零一二三四五六七八九十百两兩"
_ROC = r"(?:中华民国|中華民國|民国|民國)"
_DATE_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{1,2})(?!\d)")
_DATE_YMD = re.compile(rf"({_ROC}\s?)?(\d{{2,4}})\s?年\s?(\d{{1,2}})\s?月\s?(\d{{1,2}})\s?日")
_DATE_CN = re.compile(rf"({_ROC}\s?)?([{_CN}]{{2,5}})年([{_CN}]{{1,3}})月([{_CN}]{{1,4}})日")
_DATE_COMPACT = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})$")
_DATE_PARTIAL = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")


def cn_number(s: str) -> int | None:
    """Chinese numerals to an int: 二〇〇六 → 2006 (digit by digit), 一百零八 → 108, 二十六 → 26."""
    value = cn_to_decimal(s)
    return int(value) if value is not None and value == value.to_integral_value() else None


def _iso(year: int, month: int, day: int, roc: bool) -> str | None:
    if roc or year < 200:
        year += 1911  # ROC calendar: year 1 is 1912
    if 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def parse_date(text: str, *, compact: bool = False) -> str | None:
    """The first date in `text` as ISO; '--MM-DD' when only a month and day are written.

    `compact=True` also reads a bare `20191226` (only safe for a labelled date field).
    A year below 200, or one preceded by 民國, is an ROC year.
    """
    found = dates_in(text)
    if found:
        return found[0][2]
    if compact and (m := _DATE_COMPACT.match(text.strip())):
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)), False)
    m = _DATE_PARTIAL.search(text)
    if m:
        return f"--{int(m.group(1)):02d}-{int(m.group(2)):02d}"
    return None


def dates_in(text: str) -> list[tuple[int, int, str]]:
    """Every full date written in `text`, as (start, end, ISO date), in order of position."""
    found: list[tuple[int, int, str]] = []

    def add(start: int, end: int, iso: str | None) -> None:
        if iso and not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, iso))

    for m in _DATE_ISO.finditer(text):
        add(m.start(), m.end(), _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)), False))
    for m in _DATE_YMD.finditer(text):
        year = int(m.group(2))
        if year >= 1000 or m.group(1) or year < 200:
            add(m.start(), m.end(), _iso(year, int(m.group(3)), int(m.group(4)), bool(m.group(1))))
    for m in _DATE_CN.finditer(text):
        cy, cm, cd = (cn_number(m.group(i)) for i in (2, 3, 4))
        if cy is not None and cm is not None and cd is not None:
            add(m.start(), m.end(), _iso(cy, cm, cd, bool(m.group(1))))
    return sorted(found)
