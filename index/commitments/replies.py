"""Proposal replies: the reply's metadata row, and one row per item done and per item promised.

A reply reports what was done under headings such as "重点工作推进情况" / "已开展工作" /
"工作进展" and what will be done under "下一步…" / "下步…" / "今后…" / "将…". Inside such a
section each "一是…", "二是…" lead opens one item; without leads, each paragraph is one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.commitments.paragraphs import Paragraph, make_row
from index.commitments.types import Commitment, Kind
from index.commitments.units import UnitTable, canonical_unit
from index.normalize import normalize
from index.types import Document

_PROMISE = re.compile(r"下一步|下步|今后|下阶段|下一阶段|接下来|工作打算|工作计划|努力方向|"
                      r"^(?:[一二三四五六七八九十]+、)?将")
_PROMISE_PARA = re.compile(r"(?:下一步|下步|今后|下阶段|下一阶段|接下来)")
_DONE = re.compile(r"已开展|已经开展|推进情况|工作进展|进展情况|开展情况|办理情况|落实情况|主要做法|工作成效|取得成效|"
                   r"已做|工作情况|采取的措施|主要工作|情况[。：:]?$")
_LEAD = re.compile(r"(?:(?<=^)|(?<=[\n。；;:：]))\s*(?P<lead>[一二三四五六七八九十]{1,3}是)")


def is_reply(document: Document) -> bool:
    """True for answers to proposals or suggestions (提案/建议答复)."""
    return document.proposal is not None or "答复" in normalize(document.doc_type or "")


def classify_heading(heading: str) -> Kind | None:
    """"reply_promise" for next-step headings, "reply_done" for progress headings, else None."""
    norm = normalize(heading).strip()
    if _PROMISE.search(norm):
        return "reply_promise"
    if _DONE.search(norm):
        return "reply_done"
    return None


def reply_rows(document: Document, paras: Sequence[Paragraph], table: UnitTable) -> list[Commitment]:
    """The metadata row and the done/promised item rows of a reply; nothing for other documents."""
    if not is_reply(document) or not paras:
        return []
    office = canonical_unit(document.issuer, table) if document.issuer else ""
    p = document.proposal
    meta = dict(session=p.session, number=p.number, proposer=p.proposer, proposal_title=p.title,
                office=p.office, contact=" ".join(x for x in (p.contact, p.phone) if x) or None) if p else {}
    common = dict(meta, reply_date=document.written_date, units=(office,) if office else ())
    rows = [_meta_row(document, paras, common)]
    for kind, group in _sections(paras):
        rows.extend(_items(document, kind, group, common))
    return rows


def _meta_row(document: Document, paras: Sequence[Paragraph], common: dict) -> Commitment:
    title = common.get("proposal_title")
    for para in paras:
        i = para.norm.find(normalize(title)) if title else -1
        if i >= 0:  # quote the sentence naming the proposal
            j = para.norm.find("。", i)
            end = j + 1 if j >= 0 else len(para.text)
            return make_row(document, "reply_meta", para, para.start, para.start + end, task=title, **common)
    first = paras[0]
    return make_row(document, "reply_meta", first, first.start, first.end, task=title or "", **common)


def _sections(paras: Sequence[Paragraph]) -> list[tuple[Kind, list[Paragraph]]]:
    """Consecutive paragraphs under the same done/promise heading, in order."""
    out: list[tuple[Kind, tuple[str, ...], list[Paragraph]]] = []
    for para in paras:
        found: tuple[Kind, tuple[str, ...]] | None = _classified(para)
        if found is None and _PROMISE_PARA.match(para.norm.strip()):
            # a paragraph-led next step ("下一步,我厅将…") in a reply without such headings
            found = ("reply_promise", (*para.heading_path, para.norm[:12]))
        if found is None:
            continue
        kind, key = found
        if para.is_heading:
            continue
        if out and out[-1][1] == key:
            out[-1][2].append(para)
        else:
            out.append((kind, key, [para]))
    return [(kind, group) for kind, _, group in out]


def _classified(para: Paragraph) -> tuple[Kind, tuple[str, ...]] | None:
    """The kind of the outermost done/promise heading above `para`, and that heading's path."""
    for n, heading in enumerate(para.heading_path[1:], start=1):
        kind = classify_heading(heading)
        if kind:
            return kind, para.heading_path[: n + 1]
    return None


def _items(document: Document, kind: Kind, group: list[Paragraph], common: dict) -> list[Commitment]:
    rows = []
    leads = [(para, m.start("lead")) for para in group for m in _LEAD.finditer(para.norm)]
    if not leads:
        return [make_row(document, kind, para, para.start, para.end, task=_lead_sentence(para.text), **common)
                for para in group]
    for i, (para, at) in enumerate(leads):
        nxt = leads[i + 1] if i + 1 < len(leads) else None
        end = nxt[1] if nxt and nxt[0] is para else len(para.text)
        while end > at and para.text[end - 1].isspace():
            end -= 1
        task = _lead_sentence(para.text[at:end])
        rows.append(make_row(document, kind, para, para.start + at, para.start + end, task=task, **common))
    return rows


def _lead_sentence(text: str) -> str:
    """"一是进一步加大政策供给力度。制定…" -> "进一步加大政策供给力度"."""
    first = re.split(r"[。；;]", text.strip(), maxsplit=1)[0]
    return re.sub(r"^[一二三四五六七八九十]{1,3}是", "", first).strip()[:80]
