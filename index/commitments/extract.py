"""Rule-based extraction of ledger rows from one ingested document and its chunks.

Rules run paragraph by paragraph (see `paragraphs`) on the normalised text, which has the
source's length, so every row keeps the exact source span:
`document.text[row.start:row.end] == row.text`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.commitments.paragraphs import Paragraph, make_row, paragraphs
from index.commitments.replies import reply_rows
from index.commitments.targets import find_targets, plan_horizon
from index.commitments.types import Commitment
from index.commitments.units import UnitTable, canonical_unit, load_unit_table, split_units
from index.normalize import normalize
from index.types import Chunk, Document

_NEST = r"(?:[^()（）]|[(（][^()（）]*[)）])"
# "(责任单位:…)", "(牵头单位:…;配合单位:…)"
_ROLE = r"(?:责任单位|责任部门|牵头单位|牵头部门|负责单位|承办单位)"
_DUTY_LIST = re.compile(rf"[(（]\s*(?P<body>{_ROLE}\s*[:：]{_NEST}+?)[)）]")
# "(自治区科技厅牵头,财政厅配合)"
_DUTY_WORDS = re.compile(r"[(（]\s*(?P<body>[^()（）:：]{2,120}?(?:牵头|负责)[^()（）:：]{0,120}?)[)）]")
_ROLE_SPLIT = re.compile(r"[;；]|(?<=牵头)[,，]|(?<=负责)[,，]")


def extract_document(document: Document, chunks: Sequence[Chunk], table: UnitTable | None = None) -> list[Commitment]:
    """Every ledger row of one document: targets, tasks with units, proposal-reply items."""
    table = table or load_unit_table()
    paras = paragraphs(document, chunks)
    rows = target_rows(document, paras) + task_rows(document, paras, table)
    rows += reply_rows(document, paras, table)
    return sorted(rows, key=lambda r: (r.start, r.kind))


def target_rows(document: Document, paras: Sequence[Paragraph]) -> list[Commitment]:
    """Measurable targets with a deadline (see `index.commitments.targets`)."""
    doc_year = document.year
    horizon = plan_horizon(document)
    goal_deadlines: dict[tuple[str, ...], str] = {}
    rows: list[Commitment] = []
    for p in paras:
        if p.is_heading:
            continue
        inherited = next((goal_deadlines[p.heading_path[:n]] for n in range(len(p.heading_path), 0, -1)
                          if p.heading_path[:n] in goal_deadlines), None)
        found, last = find_targets(p.norm, p.text, inherited, doc_year, horizon)
        if last and last != inherited and any("目标" in normalize(h) for h in p.heading_path[1:]):
            goal_deadlines[p.heading_path] = last  # a goal section's intro dates the goals under it
        for t in found:
            rows.append(make_row(document, "target", p, p.start + t.start, p.start + t.end,
                                 metric=t.metric, comparator=t.comparator, value=t.value,
                                 unit_of_measure=t.unit_of_measure, deadline=t.deadline))
    return rows


def task_rows(document: Document, paras: Sequence[Paragraph], table: UnitTable) -> list[Commitment]:
    """Tasks closed by a responsible-unit list (the task is the section heading they close), and
    sentences that give a named body a duty ("县级以上人民政府…部门负责…", "由A牵头，B配合…")."""
    rows: list[Commitment] = []
    for p in paras:
        matches = list(_DUTY_LIST.finditer(p.norm)) or list(_DUTY_WORDS.finditer(p.norm))
        for m in matches:
            units, leads = _duty_units(m.group("body"), table)
            if not units:
                continue
            task = p.heading_path[-1] if len(p.heading_path) > 1 else _first_sentence(p.text)
            rows.append(make_row(document, "task", p, p.start + m.start(), p.start + m.end(),
                                 units=units, lead_units=leads, task=task.strip()))
        if not matches and not p.is_heading:
            rows.extend(_duty_sentences(document, p, table))
    return rows


# A sentence that opens with the bodies it gives a duty to: "X负责…", "由X牵头…", "X会同Y负责…",
# "X承担…职责". The subject ends like an organisation; generic actors (用人单位, 申请人…) are not units.
_ORG_TAIL = (r"(?:部门|机关|机构|局|厅|委|办|部|院|政府|中心|委员会|办公室|管委会|办事处|联合会|总局|署|"
             r"人民政府（街道办事处）|人民政府\(街道办事处\))")
_DUTY_SUBJECT = re.compile(
    rf"^(?:第\s?[一二三四五六七八九十百零\d]+\s?条\s*)?(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)?\s*"
    rf"(?P<pre>由)?(?P<units>[\u4e00-\u9fff（）()、和及]{{2,60}}?{_ORG_TAIL})"
    r"(?P<mid>会同[^，。；,;]{2,40}?|按照[^，。；,;]{0,20}?|应当|依法|主要)?\s*(?P<verb>负责|牵头|承担)(?!同志|人)"
)
_GENERIC_ACTOR = re.compile(r"^(?:有关|相关|各|其他)?(?:部门|机构|机关|单位)$|^(?:政府|中心)$")
_CLAUSE_SENTENCE = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")


def _duty_sentences(document: Document, p: Paragraph, table: UnitTable) -> list[Commitment]:
    rows = []
    for sm in _CLAUSE_SENTENCE.finditer(p.norm):
        sentence = sm.group(0)
        lead = len(sentence) - len(sentence.lstrip())
        m = _DUTY_SUBJECT.match(sentence.lstrip())
        if not m:
            continue
        subject = m.group("units")
        if _GENERIC_ACTOR.match(subject) or not _looks_like_unit(subject, table):
            continue
        units = _subject_units(subject, table)
        leads = units if m.group("verb") == "牵头" else ()
        end = sm.end()
        while end > sm.start() and p.norm[end - 1] in " \t":
            end -= 1
        rows.append(make_row(document, "task", p, p.start + sm.start() + lead, p.start + end,
                             units=units, lead_units=leads, task=_first_sentence(sentence.strip())))
    return rows


def _subject_units(subject: str, table: UnitTable) -> tuple[str, ...]:
    """Units of a sentence's subject; a list whose parts share one department word
    ("市、区民政部门") stays one unit."""
    parts = [x for x in re.split(r"[、，,]|和|及", subject) if x]
    if len(parts) > 1 and all(_looks_like_unit(x, table) and len(x) >= 3 for x in parts):
        return tuple(canonical_unit(x, table) for x in parts)
    # A list sharing one department word keeps its places as written (省、设区的市…部门).
    return (subject if len(parts) > 1 else canonical_unit(subject, table),)


def _duty_units(body: str, table: UnitTable) -> tuple[tuple[str, ...], tuple[str, ...]]:
    units: list[str] = []
    leads: list[str] = []
    for part in _ROLE_SPLIT.split(body):
        part = re.sub(r"^由", "", part.strip())
        found = split_units(part, table)
        if not all(_looks_like_unit(u, table) for u in found):
            return (), ()  # a parenthesis that merely says "牵头" in prose is not a unit list
        units.extend(found)
        if "牵头" in part:
            leads.extend(found)
    return tuple(dict.fromkeys(units)), tuple(dict.fromkeys(leads))


def _looks_like_unit(name: str, table: UnitTable) -> bool:
    return name.startswith("各") or name.endswith(table.suffixes) or name in table.aliases.values()


def _first_sentence(text: str) -> str:
    return re.split(r"[。；;]", text, maxsplit=1)[0][:60]
