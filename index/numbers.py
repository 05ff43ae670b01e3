"""Figures in any notation: Arabic or Chinese numerals, 万/亿 units, percentages, ranges, bounds.

`quantities(text)` finds every figure in (normalised) text with its value and unit:
`111元`, `一百一十一元`, `三千万元`, `2771. 4万元` (a scraper's split decimal), `百分之七十`,
`70%`, `1.5倍`, `18至45周岁` (a range: both ends), `不低于40%` (a bound). Values are exact
`Decimal`s with 万 / 亿 applied, so `30万元` and `300000元` are the same figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0, "两": 2, "兩": 2, "幺": 1}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_LARGE = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_CN = "零一二三四五六七八九〇○两兩十拾百佰千仟"
UNITS = (r"个百分点|百分点|%|％|倍|成|亿元|万元|千元|元|块|亿人|万人次|万人|万户|万件|万平方米|平方米"
         r"|平方公里|公里|人次|周岁|岁|个月|月|年|天|日|工作日|小时|家|个|项|件|人|位|名|所|座|条|套|户"
         r"|次|场|亩|吨|台|种|篇|支|批|处|期|分|辆|间")
_ARABIC = re.compile(
    r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\s?\d+)?)\s*(?P<scale>万亿|亿|万|千)?\s*(?P<unit>" + UNITS + ")?"
)
_CHINESE = re.compile(rf"(?P<num>[{_CN}]+(?:点[{_CN}]+)?)(?P<scale>万亿|亿|万)?(?P<unit>" + UNITS + ")")
_PERCENT_CN = re.compile(rf"百分之(?P<num>[{_CN}]+(?:点[{_CN}]+)?|\d+(?:\.\d+)?)")
# A share as a fraction in words: 三分之一, 四分之三, 一半, 半数 (百分之… is above).
_FRACTION = re.compile(rf"(?<!百)(?P<den>[{_CN}]+|\d+)分之(?P<num>[{_CN}]+|\d+)|一半|半数")
_BOUND = re.compile(r"(不低于|不少于|不超过|不高于|最高|最低|最多|至少|超过|高于|低于|以上|以下|以内)")


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str  # as written after the number ("元", "%", "周岁"); "" when none
    start: int
    end: int
    text: str


def cn_to_decimal(text: str) -> Decimal | None:
    """Chinese numerals to a value: 一百一十一 → 111, 三千 → 3000, 二〇二五 → 2025, 一点五 → 1.5."""
    if not text:
        return None
    if "点" in text:
        whole, _, frac = text.partition("点")
        w = cn_to_decimal(whole) if whole else Decimal(0)
        digits = [_DIGITS.get(c) for c in frac]
        if w is None or any(d is None for d in digits):
            return None
        return Decimal(f"{w}.{''.join(str(d) for d in digits)}")
    if not any(c in _SMALL for c in text):  # read digit by digit: 二〇二五
        digits = [_DIGITS.get(c) for c in text]
        if any(d is None for d in digits):
            return None
        return Decimal("".join(str(d) for d in digits))
    total, current = 0, 0
    for c in text:
        if c in _SMALL:
            total += (current or 1) * _SMALL[c]
            current = 0
        elif c in _DIGITS:
            current = _DIGITS[c]
        else:
            return None
    return Decimal(total + current)


def quantities(text: str, units: str | None = None) -> list[Quantity]:
    """Every figure in `text` (normalised: half-width, simplified), in order of position.

    `units`, a regular expression, keeps only figures whose unit matches it (a share for
    "多少比例", money for "多少钱"). Years (2025年 — four digits before 年) and list ordinals
    are not figures.
    """
    found: list[Quantity] = []

    def add(start: int, end: int, value: Decimal | None, unit: str) -> None:
        if value is None or any(q.start < end and start < q.end for q in found):
            return
        found.append(Quantity(value, unit, start, end, text[start:end]))

    for m in _PERCENT_CN.finditer(text):
        raw = m.group("num")
        add(m.start(), m.end(), _decimal(raw) if raw[0].isdigit() else cn_to_decimal(raw), "%")
    for m in _FRACTION.finditer(text):
        if not m.group("den"):
            add(m.start(), m.end(), Decimal(50), "%")
            continue
        den, num = ((_decimal(x) if x[0].isdigit() else cn_to_decimal(x)) for x in (m.group("den"), m.group("num")))
        if den and num is not None:
            add(m.start(), m.end(), (num * 100 / den).quantize(Decimal("0.01")).normalize(), "%")
    for m in _ARABIC.finditer(text):
        unit = m.group("unit") or ""
        raw = m.group("num").replace(",", "").replace(" ", "")
        if unit == "年" and "." not in raw and len(raw) == 4:
            continue  # a year
        if not unit and not m.group("scale") and re.match(r"[.、)）]", text[m.end() : m.end() + 1]):
            continue  # a list ordinal (1. / 2、 / 3))
        value = _decimal(raw)
        if value is not None and m.group("scale"):
            value *= _scale(m.group("scale"))
        add(m.start(), m.end(), value, unit)
    for m in _CHINESE.finditer(text):
        raw = m.group("num")
        if m.group("unit") == "年" and not any(c in _SMALL for c in raw):
            continue  # 二〇二五年, a year
        if text[max(0, m.start() - 1) : m.start()] == "第":
            continue  # 第三条, an ordinal
        if text[m.end() : m.end() + 1] == "之":
            continue  # 四分之一, a fraction, not four points
        value = cn_to_decimal(raw)
        if value == 1 and not m.group("scale") and m.group("unit") not in ("元", "%", "岁", "周岁", "倍"):
            continue  # 一次性, 一个, 一项: a word, not a figure
        if value is not None and m.group("scale"):
            value *= _scale(m.group("scale"))
        add(m.start(), m.end(), value, m.group("unit"))
    found.sort(key=lambda q: q.start)
    if units is not None:
        wanted = re.compile(rf"^(?:{units})")
        found = [q for q in found if q.unit and wanted.match(q.unit)]
    return found


def values(text: str) -> set[Decimal]:
    """The values of every figure in `text` (unit ignored), normalised."""
    return {q.value.normalize() for q in quantities(text)}


def bound_before(text: str, q: Quantity) -> str:
    """The bound word written just before (或 after) a figure: 不低于 / 不超过 / 以上…, or ""."""
    near = text[max(0, q.start - 4) : q.start] + text[q.end : q.end + 2]
    m = _BOUND.search(near)
    return m.group(1) if m else ""


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _scale(word: str) -> Decimal:
    if word == "万亿":
        return Decimal(10**12)
    if word == "千":
        return Decimal(1000)
    return Decimal(_LARGE[word])
