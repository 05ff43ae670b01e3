"""Writing an extractive answer: the asked-for fact first, then the cited quotes.

The first line states what was asked in a few words — the figure with its condition, the date,
the 文号, the responsible units — as a verbatim span of the best quoted sentence, so nothing is
invented; a comparison's states each document's; a list's says how many items the quoted
enumeration has (共3项), when it is quoted whole. Then the quotes, grouped by document under a
line naming each by title and 文号 (`根据《…》（甲发〔2024〕1号）[1]：`), each with its marker.
The whole answer is in the script of the question; the source card shows the original text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.check import REFUSAL_PHRASE
from assistant.cite import citation_from_hit
from assistant.features import has_kind
from assistant.fields import asked_at
from assistant.plan import Plan
from assistant.select import Pick, items_quoted
from assistant.terms import coverage
from assistant.types import Answer, Citation, Hit
from index.analysis import compact
from index.dates import dates_in
from index.docnumber import numbers_in
from index.normalize import normalize, to_script
from index.numbers import Quantity, quantities

CLOSEST = 3
LEAD_MAX = 60  # characters of the first line
FIELDS_LED = 4  # a document's particulars the first line states
SIDES = 3  # documents a comparison's first line states the asked fact of
_WHICH_YEAR = re.compile(r"哪一?年|什么年份|何年")
_BARE_YEAR = re.compile(r"\s*(?:到|在|于)?\d{4}年\s*")
_CLAUSE = re.compile(r"[^，,；;：:。！？!?]+")
_RESPONSIBLE = re.compile(r"责任单位|牵头|负责|承办|受理|主管|担任|[局厅委办]|部门|中心")


def compose(plan: Plan, groups: Sequence[Sequence[Pick]], backend: str = "extractive") -> Answer:
    """The answer quoting `groups` (see `select.group`), with its citations and first line."""
    citations: list[Citation] = []
    lines: list[str] = []
    by_title: dict[str, list[int]] = {}
    numbers: dict[str, str] = {}
    for group in groups:
        hit = group[0].hit
        n = len(citations) + 1
        citations.append(citation_from_hit(n, hit, group[0].sentence.start, group[-1].sentence.end))
        lines.append(_join([_with_marker(p.sentence.text, n, p.label) for p in group]))
        by_title.setdefault(hit.document.title, []).append(n)
        numbers.setdefault(hit.document.title, _shown_number(plan, hit))
    named = "、".join(f"《{_nested(t)}》{numbers[t]}" + "".join(f"[{n}]" for n in ns) for t, ns in by_title.items())
    first = _first_line(plan, groups)
    text = "\n".join([*([first] if first else []), f"根据{named}：", *lines])
    return Answer(question=plan.question, text=to_script(text, plan.script), citations=tuple(citations),
                  refused=False, script=plan.script, backend=backend)


def _shown_number(plan: Plan, hit: Hit) -> str:
    """The document's 文号 in brackets after its title ("《…》（甲发〔2024〕1号）"), as an answer
    naming its source by both does; empty when it has none, its title holds it, or the first
    line states it already (the 文号 was asked)."""
    number = (hit.document.doc_number or "").strip()
    if not number or "doc_number" in plan.fields or compact(number) in compact(hit.document.title):
        return ""
    return f"（{number}）"


def refusal(plan: Plan, hits: Sequence[Hit], backend: str = "extractive", reason: str = "") -> Answer:
    """A plain refusal naming what was asked, with the closest passages to show."""
    what = f"关于“{plan.topic}”的内容" if plan.topic else "相关内容"
    text = f"{REFUSAL_PHRASE}{what}。" + (f"（{reason}）" if reason else "")
    return Answer(question=plan.question, text=to_script(text, plan.script), citations=(), refused=True,
                  script=plan.script, backend=backend, closest=tuple(hits[:CLOSEST]))


def _first_line(plan: Plan, groups: Sequence[Sequence[Pick]]) -> str:
    """The asked-for fact as a short verbatim span of the best quote, with its marker: the
    quote best for the whole question first; a part's best sentence (rated against that part
    alone) only when no such quote states the asked kind."""
    if not groups:
        return ""
    if plan.asks("list") and not plan.wants_figure:
        # A list: how many items the quoted enumeration has ("共3项"), when it is quoted whole.
        own = [g for g in groups if g[0].hit.document.doc_id == groups[0][0].hit.document.doc_id]
        count = items_quoted([p for g in own for p in g])
        return f"共{count}项" + "".join(_marker(groups, g[0]) for g in own) + "。" if count else ""
    picks = sorted((p for g in groups for p in g), key=lambda p: (p.part, -p.p))
    particulars = sorted((p for p in picks if p.field), key=lambda p: asked_at(plan.normalized, p.field))
    if particulars:
        # Each particular asked, in the order the question asks them ("文号、成文日期…").
        stated = [f"{p.label + '：' if p.label else ''}{_bare(_squeeze(p.value or p.sentence.text).rstrip('。；;'))}"
                  f"{_marker(groups, p)}" for p in particulars[:FIELDS_LED]]
        return "；".join(stated) + "。"
    if plan.comparison and len({g[0].hit.document.doc_id for g in groups}) > 1:
        # Documents set side by side ("甲和乙分别是多少"): each one's figure, with its marker.
        sides = _per_document(plan, groups, picks)
        if len(sides) > 1:
            return "；".join(sides) + "。"
    # The whole question's best quote answers what it asks first ("减除多少？要持股多久？"
    # leads with the amount, not a date of the same sentence).
    first = plan.parts[0] if plan.parts else plan
    for best in [picks[0], *(p for p in picks[1:] if p.part)]:
        span = (not best.part and _fact_span(first, best.sentence.text)) or _fact_span(plan, best.sentence.text)
        if span:
            return f"{span}{_marker(groups, best)}。"
    return ""


def _per_document(plan: Plan, groups: Sequence[Sequence[Pick]], picks: Sequence[Pick]) -> list[str]:
    """For each document quoted (up to SIDES, in the order quoted), the span of its most probable
    quote stating what is asked, with the marker."""
    out: list[str] = []
    for doc_id in list(dict.fromkeys(g[0].hit.document.doc_id for g in groups))[:SIDES]:
        own = sorted((p for p in picks if p.hit.document.doc_id == doc_id), key=lambda p: -p.p)
        span, pick = next(((x, p) for p in own if (x := _fact_span(plan, p.sentence.text))), ("", None))
        if pick is not None:
            out.append(f"{span}{_marker(groups, pick)}")
    return out


def _marker(groups: Sequence[Sequence[Pick]], pick: Pick) -> str:
    return f"[{next(i for i, g in enumerate(groups, 1) if pick in g)}]"


def _fact_span(plan: Plan, sentence: str) -> str:
    """The clause (with the clause before it, when short) that states what is asked; of several,
    the one sharing most of the question's key terms ("番禺区农村…" → the 农村 figure), else the
    first."""
    clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(sentence) if m.group().strip()]
    norm = normalize(sentence)
    stating = [k for k, (a, b) in enumerate(clauses) if _states(plan, norm[a:b])]
    if not stating:
        return ""

    def start_of(k: int) -> int:
        a, b = clauses[k]
        return clauses[k - 1][0] if k and b - a < 16 and b - clauses[k - 1][0] <= LEAD_MAX else a

    k = max(stating, key=lambda i: (coverage(plan.terms, compact(norm[start_of(i) : clauses[i][1]])), -i))
    start, end = start_of(k), clauses[k][1]
    if sentence[end : end + 1] in ("：", ":") and k + 1 < len(clauses):
        # A label ("(责任单位:甲、乙,丙)"): what it labels follows, as many of its clauses as fit.
        end = max((e for _, e in clauses[k + 1 :] if e - start <= LEAD_MAX + 20), default=clauses[k + 1][1])
    elif _BARE_YEAR.fullmatch(norm[start:end]) and k + 1 < len(clauses) and clauses[k + 1][1] - start <= LEAD_MAX:
        end = clauses[k + 1][1]  # a bare "2012年," is read with what it dates
    span = _bare(_balanced(_squeeze(sentence[start:end])))  # a bracketed note, stated without its brackets
    return span if 0 < len(span) <= LEAD_MAX + 20 else ""


def _states(plan: Plan, clause: str) -> bool:
    if plan.wants_figure:
        # A date's month and day are figures only when a date is asked too (几月, 哪天); a
        # figure the question gives itself ("投资100万元，能减除多少") is not the answer.
        figures = quantities if plan.asks("date") else _figures
        given = {(q.value, q.unit) for q in quantities(plan.normalized)}
        found = [q for q in figures(clause, plan.figure_units if plan.figure else None)
                 if (q.value, q.unit) not in given]
        return bool(found)
    if plan.asks("date"):
        # A year alone answers 哪一年 (2012年,…被认定为…).
        year = bool(_WHICH_YEAR.search(plan.normalized)) and bool(re.search(r"(?<!\d)\d{4}年", clause))
        return year or bool(dates_in(clause)) or bool(re.search(r"\d{1,2}月\d{1,2}日|之日起|工作日|截止", clause))
    if plan.asks("doc_number"):
        return bool(numbers_in(clause))
    if plan.asks("unit"):
        return bool(_RESPONSIBLE.search(clause))
    return has_kind(plan, clause) and not plan.asks("fact")


def _figures(clause: str, units: str | None) -> list[Quantity]:
    """The figures of a clause that are not parts of a date ("2025年1月起", "十一月二十四日")."""
    spans = dates_in(clause)
    return [q for q in quantities(clause, units)
            if not any(s <= q.start and q.end <= e for s, e, _ in spans) and not _date_part(clause, q)]


def _date_part(clause: str, q: Quantity) -> bool:
    before, after = clause[q.start - 1 : q.start], clause[q.end :]
    return ((q.unit == "月" and before == "年") or (q.unit == "日" and before == "月")
            or (q.unit == "年" and bool(_MONTH.match(after))))


_MONTH = re.compile(r"[\d一二三四五六七八九十〇零]{1,3}月")
_PAIRS = {"”": "“", "」": "「", "』": "『", "）": "（", ")": "(", "》": "《"}
_BRACKETS = frozenset("）)")


def _balanced(span: str) -> str:
    """The span cut before a closing quotation mark it never opened (a clause ending inside a
    quotation: `一次性奖励30万元”等措施` → `一次性奖励30万元`; a closing bracket never opened is a
    source's stray one, `R&D)经费投入`, and stays), and without an opening mark left unclosed."""
    depth: dict[str, int] = {}
    for i, ch in enumerate(span):
        if ch in _PAIRS.values():
            depth[ch] = depth.get(ch, 0) + 1
        elif ch in _PAIRS:
            if not depth.get(_PAIRS[ch]):
                if ch in _BRACKETS:
                    continue  # kept: the span stays verbatim
                return span[:i].rstrip("，,、；; ")
            depth[_PAIRS[ch]] -= 1
    for opening, count in depth.items():
        if count:  # an opening mark never closed: start after the last one
            span = span[span.rindex(opening) + 1:]
    return span


def _with_marker(sentence: str, n: int, label: str = "") -> str:
    """The sentence (whitespace runs collapsed) with [n] before its final punctuation."""
    text = (f"{label}：" if label else "") + _squeeze(sentence)
    m = re.search(r"[。！？；;!?，,：:]+$", text)
    return f"{text[: m.start()]}[{n}]{m.group(0)}" if m else f"{text}[{n}]"


def _join(pieces: Sequence[str]) -> str:
    """Sentences of one quote joined; lines without final punctuation (签发人…) get "；"."""
    out = ""
    for piece in pieces:
        if out and not re.search(r"[。！？；;!?，,：:]$", out):
            out += "；"
        out += piece
    return out


def _bare(text: str) -> str:
    """`text` without the brackets wrapping it whole ("（2023年4月12日）", a 落款 date;
    "（交通运输部负责）"); "（一）…（试行）" is not wrapped whole and stays."""
    m = re.fullmatch(r"[（(]([^（）()]+)[)）]", text)
    return m.group(1) if m else text


def _squeeze(text: str) -> str:
    """Whitespace runs collapsed to one space; a line break a hard wrap put inside a word or
    number ("…字第 1024⏎  8 號令") is dropped."""
    return " ".join(_WRAP.sub("", text).split())


_WRAP = re.compile(r"(?<=[^\x00-\x7f\s]|\d)[ \t\u3000]*\n\s*(?=[^\x00-\x7f\s]|\d)")


def _nested(title: str) -> str:
    """A title that itself holds 《》 gets 〈〉 inside the outer 《》."""
    return title.strip().replace("《", "〈").replace("》", "〉")
