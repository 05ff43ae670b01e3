"""Targets: measurable goals with a metric, a value, a unit and a deadline.

Works on one paragraph at a time, on normalised text (same length as the source, so every
span found is a span of the source). A sentence contributes targets only when it has a
deadline: its own ("到2025年", "到“十四五”末"), one carried from an earlier sentence of the
paragraph, or one inherited from the goal section it sits in. Baselines ("截至2022年底",
a bare year not after the document's own year) never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.normalize import normalize
from index.numbers import cn_to_decimal
from index.types import Document

_NUM = r"\d+(?:\.\s?\d+)?"
_CN_NUM = r"[一二两三四五六七八九十百千]+"
_UNIT = (r"个百分点|百分点|%|亿元|万元|千元|元|亿人|万人次|万人|万户|万件|万平方米|平方公里|公里|人次|场次|"
         r"家|个|项|件|人|位|名|所|座|条|套|户|次|场|倍|亩|吨|台|种|篇|支|批|处|期")
_CMP = r"达到|达|突破|超过|高于|不低于|不少于|不超过|不高于|稳定在|保持在|提高到|提升到|增长到|增加到|增至|控制在|低于"
_VALUE = re.compile(
    rf"(?P<cmp>{_CMP})?\s*(?:(?P<num>{_NUM})\s*(?P<unit>{_UNIT})|(?P<cn>{_CN_NUM})(?P<cnunit>亿元|万元|亿|万))"
    r"(?P<post>以上|左右|以内|以下)?[”\"’]?\s*$"
)
_DOUBLE = re.compile(r"(?:实现|力争)?(?P<word>翻一番|翻两番|翻番)\s*$")
_NAMED_GOAL = re.compile(r"实现[“\"](?P<word>[^”\"]{2,12})[”\"]目标\s*$")
_DEADLINE = re.compile(r"(?P<pre>到|至|截至|截止|于|在)?\s*(?P<year>(?:19|20)\d{2})\s*年(?:底|末|前)?")
_PLAN_END = re.compile(r"(?:到|至)?[“\"]?(?P<plan>十[一二三四五]五)[”\"]?(?:期)?末")
_PLAN_YEARS = {"十一五": 2010, "十二五": 2015, "十三五": 2020, "十四五": 2025, "十五五": 2030}
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*年?\s*[-—–~至到]\s*((?:19|20)\d{2})\s*年")
_PUNCT_LEAD = " —-·"  # bullet dashes and spaces before a sentence's first word
_COMMIT = re.compile(r"力争|确保")
_SENTENCE = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")


@dataclass(frozen=True)
class TargetSpan:
    """A target found in a paragraph: offsets are into the paragraph text."""

    start: int
    end: int
    metric: str
    comparator: str
    value: str
    unit_of_measure: str
    deadline: str


def sentence_deadline(sentence: str, doc_year: int | None) -> tuple[str | None, bool]:
    """(deadline year, is_baseline) stated by a normalised sentence, if any."""
    plan = _PLAN_END.search(sentence)
    if plan and plan.group("plan") in _PLAN_YEARS:
        return str(_PLAN_YEARS[plan.group("plan")]), False
    for m in _DEADLINE.finditer(sentence):
        year, pre = int(m.group("year")), m.group("pre") or ""
        if pre in ("截至", "截止"):
            return None, True
        if sentence[m.end():m.end() + 1] in "-—–至到":  # a year range ("2021-2023年") is a period
            continue
        if pre in ("到", "至") and (doc_year is None or year >= doc_year - 1):
            return str(year), False
        bare_start = not sentence[: m.start()].strip(_PUNCT_LEAD)
        if not pre and bare_start and doc_year is not None and year > doc_year:
            return str(year), False
    return None, False


def plan_horizon(document: Document) -> str | None:
    """The end year of the period a plan covers ("(2018-2020年)", "“十四五”规划", "适用期限为…至2025年")."""
    lines = [ln for ln in normalize(document.text[:4000]).split("\n")
             if len(ln.strip()) <= 30 or re.search(r"期限|规划期|实施期", ln)]  # subtitle or validity line
    head = "\n".join([normalize(document.title), *lines])
    years = [int(m.group(2)) for m in _PERIOD.finditer(head)]
    plan = re.search(r"十[一二三四五]五", normalize(document.title))
    if plan and plan.group(0) in _PLAN_YEARS:
        years.append(_PLAN_YEARS[plan.group(0)])
    doc_year = document.year
    years = [y for y in years if doc_year is None or y >= doc_year - 1]
    return str(max(years)) if years else None


def find_targets(norm: str, source: str, deadline: str | None, doc_year: int | None,
                 horizon: str | None = None) -> tuple[list[TargetSpan], str | None]:
    """Targets in one paragraph (`norm` is the normalised form of `source`).

    `deadline` is the one inherited from the section; the deadline in force at the end of
    the paragraph is returned too, so a goal section's intro can pass it on. A sentence
    that commits ("力争", "确保") without a date takes the plan's `horizon`.
    """
    found: list[TargetSpan] = []
    for sm in _SENTENCE.finditer(norm):
        own, baseline = sentence_deadline(sm.group(0), doc_year)
        if baseline:
            continue
        deadline = own or deadline
        when = deadline or (horizon if _COMMIT.search(sm.group(0)) else None)
        if when is None:
            continue
        for c_start, c_end in _clauses(norm, sm.start(), sm.end()):
            target = _clause_target(norm, source, c_start, c_end, when)
            if target:
                found.append(target)
            else:
                found.extend(_action_targets(norm, source, c_start, c_end, when))
    return found, deadline


# "建设50所高水平高等职业学校和150个骨干专业": an action, then counted objects.
_ACTION = re.compile(
    r"(?:建设|建成|培育|打造|遴选|认定|新增|扶持|支持|布局|培训|引进|组建|创建|推广|开发|制定|启动|实施|设立|新建|改造|"
    r"认证|评选|发展|吸引|带动|资助|完成)"
    rf"\s*(?:约|近|超过|不少于|至少)?\s*(?P<num>{_NUM})\s*(?P<unit>{_UNIT})"
)
_AND_VALUE = re.compile(rf"(?:和|及|以及|、)\s*(?P<num>{_NUM})\s*(?P<unit>{_UNIT})")
_OBJECT_END = re.compile(r"和|及|以及|、|$")


def _action_targets(norm: str, source: str, start: int, end: int, deadline: str) -> list[TargetSpan]:
    """Counted objects of an action in a dated clause, one target per count."""
    text = norm[start:end]
    m = _ACTION.search(text)
    if not m:
        return []
    values = [m]
    pos = m.end()
    while (more := _AND_VALUE.match(text, _object_end(text, pos))) is not None:
        values.append(more)
        pos = more.end()
    out = []
    for n, v in enumerate(values):
        stop = _object_end(text, v.end())
        metric = source[start + v.end() : start + stop].strip(" ,，（(")
        if not metric or len(metric) > 40:
            continue
        span_start = start if n == 0 else start + v.start()
        out.append(TargetSpan(span_start, start + stop, metric, "", re.sub(r"\s", "", v.group("num")),
                              v.group("unit"), deadline))
    return out


def _object_end(text: str, pos: int) -> int:
    """Where the object after a count ends: at 和 / 、 or the clause end."""
    m = _OBJECT_END.search(text, pos)
    return m.start() if m else len(text)


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comma-separated clauses of text[start:end], not splitting inside brackets or quotes."""
    out, depth, cut = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch in "(（“《[":
            depth += 1
        elif ch in ")）”》]" and depth:
            depth -= 1
        elif ch in ",，。；;！？!?" and depth == 0:
            out.append((cut, i))
            cut = i + 1
    out.append((cut, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _clause_target(norm: str, source: str, start: int, end: int, deadline: str) -> TargetSpan | None:
    while start < end and norm[start] in _PUNCT_LEAD:
        start += 1
    while end > start and norm[end - 1] == " ":
        end -= 1
    clause = norm[start:end]
    lead = _DEADLINE.match(clause) or _PLAN_END.match(clause)
    body = start + (lead.end() if lead else 0)
    text = norm[body:end]
    for pattern, kind in ((_VALUE, "value"), (_DOUBLE, "double"), (_NAMED_GOAL, "named")):
        m = pattern.search(text)
        if not m:
            continue
        metric = source[body : body + m.start()].strip(" ,，")
        if kind == "value":
            num = m.group("num") or _cn_number(m.group("cn"))
            unit = m.group("unit") or m.group("cnunit")
            if m.group("cn") and not m.group("cnunit").endswith("元"):
                unit = m.group("cnunit")
            post = m.group("post") or ""
            cmp = {"达": "达到"}.get(m.group("cmp") or "", m.group("cmp") or "")
            comparator = cmp + ("…" + post if cmp and post else post)
            value = re.sub(r"\s", "", num)
        else:
            comparator, value, unit = "实现", m.group("word"), ""
            if kind == "named":
                metric = source[body : body + m.start()].strip(" ,，")
        if not metric or metric[-1].isdigit():
            return None
        verb = re.match(r"(?:实现|力争|确保|要|将)+", normalize(metric))
        metric = metric[verb.end():] if verb else metric  # same length: cut the source form too
        return TargetSpan(start, end, metric, comparator, value, unit, deadline)
    return None


def _cn_number(text: str) -> str:
    """"百" -> "100", "三十" -> "30"; an unparseable numeral is returned as written."""
    value = cn_to_decimal(text)
    return str(value) if value is not None else text
