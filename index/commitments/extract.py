"""Rule-based extraction of ledger rows from one ingested document and its chunks.

Rules run paragraph by paragraph (see `paragraphs`) on the normalised text, which has the
source's length, so every row keeps the exact source span:
`document.text[row.start:row.end] == row.text`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.commitments.duties import duty_rows
from index.commitments.paragraphs import Paragraph, make_row, paragraphs
from index.commitments.replies import is_reply, reply_rows
from index.commitments.targets import find_targets, plan_horizon
from index.commitments.types import Commitment
from index.commitments.units import UnitTable, load_unit_table, split_units
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
    clauses that give named bodies a duty (`index.commitments.duties`)."""
    rows: list[Commitment] = []
    for p in paras:
        matches = list(_DUTY_LIST.finditer(p.norm)) or list(_DUTY_WORDS.finditer(p.norm))
        for m in matches:
            units, leads = _duty_units(m.group("body"), table)
            if not units:
                continue
            task = p.heading_path[-1] if len(p.heading_path) > 1 else _first_sentence(p.text)
            # The row holds the sentence the note closes, then the note.
            before = p.norm[: m.start()].rstrip()
            begin = max(before.rfind(c, 0, len(before) - 1) for c in "。；;！？!?") + 1
            begin += len(before[begin:]) - len(before[begin:].lstrip())
            rows.append(make_row(document, "task", p, p.start + begin, p.start + m.end(),
                                 units=units, lead_units=leads, task=task.strip()))
        if not p.is_heading and not is_reply(document):
            # Duties in the running text; the notes just read are blanked out of it.
            masked = p.norm
            for m in matches:
                masked = masked[: m.start()] + " " * (m.end() - m.start()) + masked[m.end():]
            rows.extend(duty_rows(document, p, table, masked))
    return rows


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
