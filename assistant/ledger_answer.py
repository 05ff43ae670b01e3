"""Answer ledger questions from the commitments ledger: complete lists, one citation per row.

"科技厅负责哪些事项?", "到2025年有哪些目标?", "第123号提案的答复承诺了什么?" want every
matching row, not the top few passages, so they are answered from the ledger. Any other
question returns None and the normal retrieval answer runs: one about a proposal other than the
reply found (its number named only in a link on the reply's page), or asking for targets of a
topic no target measures ("双师型教师占比有什么目标").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.plan import Plan
from assistant.terms import coverage, term_match
from assistant.types import Answer, Citation
from index.analysis import compact, default_analyzer
from index.commitments.ledger import paragraph_of
from index.commitments.types import Commitment
from index.commitments.units import load_unit_table
from index.normalize import normalize, to_script
from index.types import Document

ITEM_LEAD = 1.5  # a reply item answers alone when it fits the question this many times better
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DUTY = re.compile(r"负责|责任|承担|牵头|配合|事项|任务|分工")
_TARGET = re.compile(r"目标|指标")
_PROMISE_Q = re.compile(r"承诺|下一步|下步|将要|打算|计划|今后|表态|安排")
_DONE_Q = re.compile(r"做了(?:哪些|什么|些什么)?(?:工作|事)|做了什么|已经|已开展|开展了|进展|成效|做过|办理情况")
_LIST_Q = re.compile(r"哪些|哪几|有什么|列出|列举|所有|全部|清单|汇总")
_NUMBER = re.compile(r"(\d+)\s*号提案")
_ARTICLE = re.compile(r"第([一二三四五六七八九十]{1,3})(?:条|部分|项)")
_FILLER = re.compile(r"(?:到|至)?\s*(?:19|20)\d{2}\s*年|目标|指标|有哪些|是多少|是什么|多少|哪些|什么"
                     r"|的|了|吗|呢|[?？!！。,，\s]")


@dataclass(frozen=True)
class _Selection:
    rows: list[Commitment]
    heading: str


def answer_from_ledger(plan: Plan, rows: Sequence[Commitment], documents: Sequence[Document]) -> Answer | None:
    """A complete, cited answer listing every matching ledger row, or None for other questions."""
    selection = _select(plan, rows, documents)
    if selection is None or not selection.rows:
        return None
    docs = {d.doc_id: d for d in documents}
    lines = [selection.heading]
    citations: list[Citation] = []
    for n, row in enumerate(selection.rows, start=1):
        lines.append(f"{n}. {_describe(row, whole=len(selection.rows) == 1)}[{n}]")
        citations.append(_citation(n, row, docs.get(row.doc_id)))
    return Answer(question=plan.question, text=to_script("\n".join(lines), plan.script), citations=tuple(citations),
                  refused=False, script=plan.script, backend="ledger")


def _select(plan: Plan, rows: Sequence[Commitment], documents: Sequence[Document]) -> _Selection | None:
    q = plan.normalized
    replies = [d for d in documents if d.doc_id in plan.documents and d.proposal and d.proposal.number]
    number = replies[0].proposal.number if replies and replies[0].proposal else None
    asked = {n.lstrip("0") for n in _NUMBER.findall(q)}
    if number and asked and number.lstrip("0") not in asked:
        return None  # another proposal's reply, named only on this one's page (a 上一篇 link)
    # A single fact about a reply (who signed it, which office, a phone number) is a passage
    # question; the ledger answers what the reply reports as done or promises.
    if number and (_PROMISE_Q.search(q) or _DONE_Q.search(q)):
        found = [r for r in rows if r.number and r.number.lstrip("0") == number.lstrip("0")]
        # The reply's particulars (proposer, dates, office) head a general question; one that
        # asks only what was done, or only what is promised, gets just those rows.
        kinds = {"reply_meta", "reply_done", "reply_promise"}
        if _PROMISE_Q.search(q) and not _DONE_Q.search(q):
            kinds = {"reply_promise"}
        elif _DONE_Q.search(q) and not _PROMISE_Q.search(q):
            kinds = {"reply_done"}
        chosen = [r for r in found if r.kind in kinds]
        if not _LIST_Q.search(q):  # "下一步怎么培育…创新主体?" asks about one item, not the list
            chosen = _the_item_asked(q, chosen)
        return _Selection(chosen, f"第{number}号提案的答复:")
    scoped = [r for r in rows if r.doc_number and normalize(r.doc_number) in q]
    if scoped and (_DUTY.search(q) or _TARGET.search(q)):
        kind = "target" if _TARGET.search(q) and not _DUTY.search(q) else "task"
        chosen = [r for r in scoped if r.kind == kind]
        article = _ARTICLE.search(q)
        if article and kind == "task":
            chosen = [r for r in chosen if normalize(r.task).startswith(article.group(1) + "、")]
        label = "目标" if kind == "target" else "任务与责任单位"
        return _Selection(chosen, f"{scoped[0].doc_number}中的{label}:")
    unit = _unit_in(q, rows)
    if unit and _DUTY.search(q):
        chosen = [r for r in rows if r.kind == "task" and unit in r.units]
        chosen += [r for r in rows if r.kind == "reply_promise" and unit in r.units]
        return _Selection(chosen, f"{unit}负责或参与的事项(含答复中承诺的工作):")
    if _TARGET.search(q) and _LIST_Q.search(q) and not plan.parts:
        # "到2025年有哪些目标?" lists them all, of the documents the question names if any;
        # "…有什么指标?…稳定在多少?" asks for particular figures: a passage question.
        named = set(plan.documents)
        titles = [normalize(d.title) for d in documents if d.doc_id in named]
        return _targets(q, [r for r in rows if not named or r.doc_id in named], titles)
    return None


def _the_item_asked(q: str, rows: list[Commitment]) -> list[Commitment]:
    """The one row a question is about, when its topic fits one row clearly best; else all.

    The topic is the question's key terms less those that only identify the reply (its title
    and proposer: 提案, 答复, 科技厅, the proposer's name…) and the words of asking for promises.
    """
    if len(rows) < 2:
        return rows
    ident = compact(" ".join([rows[0].doc_title, rows[0].proposer or "", rows[0].proposal_title or "",
                              "委员下一步承诺答应打算表态工作"]))
    topic = tuple(t for t in default_analyzer().terms(q) if term_match(t.text, ident) < 1.0)
    if not topic:
        return rows
    fits = sorted(((coverage(topic, compact(r.text)), i) for i, r in enumerate(rows)), reverse=True)
    (best, i), (second, _) = fits[0], fits[1]
    return [rows[i]] if best >= 0.5 and best >= ITEM_LEAD * second else rows


def _unit_in(q: str, rows: Sequence[Commitment]) -> str | None:
    """The longest ledger unit named in the question, in canonical or alias form."""
    table = load_unit_table()
    units = {u for r in rows for u in r.units}
    names = {u: u for u in units} | {alias: u for alias, u in table.aliases.items() if u in units}
    hits = [(len(name), unit) for name, unit in names.items() if len(name) >= 2 and name in q]
    return max(hits)[1] if hits else None


def _targets(q: str, rows: Sequence[Commitment], titles: Sequence[str] = ()) -> _Selection | None:
    """The targets a list question asks for: of the year it gives, narrowed to those sharing its
    topic ("研发投入目标是多少"); None when it has a topic no target is about ("双师型教师占比有
    什么目标"): a passage question. The words naming a document are not its topic."""
    year = _YEAR.search(q)
    chosen = [r for r in rows if r.kind == "target" and (not year or r.year == int(year.group(1)))]
    topic = _FILLER.sub("", q)
    named = set("".join(titles))
    want = {b for b in (topic[i:i + 2] for i in range(len(topic) - 1)) if not set(b) <= named}
    if want:
        scored = [(len(want & _bigrams(r.metric)), r) for r in chosen]
        best = max((s for s, _ in scored), default=0)
        if not best:
            return None
        chosen = [r for s, r in scored if s >= min(best, 2)]
    when = f"到{year.group(1)}年" if year else "各文件"
    return _Selection(chosen, f"{when}的目标:")


def _bigrams(text: str) -> set[str]:
    t = normalize(text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def _describe(row: Commitment, *, whole: bool = False) -> str:
    """One ledger row as a line of the answer; `whole` quotes a reply item in full, not its lead."""
    where = row.doc_title if row.doc_title.startswith("《") else f"《{row.doc_title}》"
    if row.kind == "target":
        quoted = f"「{row.text}」" if "“" in row.text else f"“{row.text}”"
        return f"{where}{quoted}(期限:{row.deadline}年)"
    if row.kind == "task":
        return f"{where}{row.task}:责任单位 {'、'.join(row.units)}"
    if row.kind == "reply_meta":
        parts = [f"提案人 {row.proposer}" if row.proposer else "", f"届次 {row.session}" if row.session else "",
                 f"答复日期 {row.reply_date}" if row.reply_date else "", f"承办部门 {row.office}" if row.office else "",
                 f"联系人 {row.contact}" if row.contact else ""]
        return f"{where}答复《{row.proposal_title or ''}》;" + ",".join(p for p in parts if p)
    label = "已开展" if row.kind == "reply_done" else "下一步承诺"
    return f"{where}{label}:{row.text if whole else row.task}"


def _citation(number: int, row: Commitment, doc: Document | None) -> Citation:
    paragraph, para_start = paragraph_of(doc, row) if doc else (row.text, row.start)
    return Citation(
        number=number, chunk_id=row.chunk_id, doc_id=row.doc_id, source=row.source, title=row.doc_title,
        doc_number=row.doc_number, date=row.doc_date, heading_path=row.heading_path, quote=row.text,
        start=row.start, end=row.end, paragraph=paragraph, paragraph_start=para_start,
    )
