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
from index.issuer import is_org
from index.normalize import normalize
from index.types import Document

_PROMISE = re.compile(r"下一步|下步|今后|下阶段|下一阶段|接下来|工作打算|工作计划|努力方向|"
                      r"^(?:[一二三四五六七八九十]+、)?将")
_PROMISE_PARA = re.compile(r"(?:下一步|下步|今后|下阶段|下一阶段|接下来)")
_DONE = re.compile(r"已开展|已经开展|推进情况|工作进展|进展情况|开展情况|办理情况|落实情况|主要做法|工作成效|取得成效|"
                   r"已做|工作情况|采取的措施|主要工作|情况[。：:]?$")
# An item lead opens a paragraph or a sentence. In a paragraph that opens with one, leads after
# a semicolon are items too ("一是…；二是…"); mid-paragraph after a colon, 一是…二是… only
# enumerate inside one item ("存在一些问题：一是…；二是…").
_LEAD = re.compile(r"(?:(?<=^)|(?<=[\n。]))\s*(?P<lead>[一二三四五六七八九十]{1,3}是)")
_INLINE_LEAD = re.compile(r"(?:(?<=^)|(?<=[\n。；;]))\s*(?P<lead>[一二三四五六七八九十]{1,3}是)")
_SALUTATION = re.compile(r"^.{1,20}[:：]$")
_FRAME = re.compile(r"收悉|答复如下|函复如下|现答复|感谢|谢谢|本文有删减|^[(（].{0,10}[)）]$")
_WILL = re.compile(r"^(?:[^，,]{0,8}[，,])?(?P<subject>[^，,]{1,20}?)(?:将|拟|下一步将|今后将)(?!来)")
_FIRST_PERSON = re.compile(r"^(?:我们|我[部厅委局办院署处]|本[部厅委局办]|我单位)")


def _promises(sentence: str) -> bool:
    """The sentence says what the replying side will do: its subject is the replier (我们, 我部)
    or an organisation, followed by 将 / 拟."""
    m = _WILL.match(sentence.strip())
    if m is None:
        return False
    return bool(_FIRST_PERSON.match(m.group("subject")) or is_org(m.group("subject")))


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
    sections = _sections(paras)
    for kind, group in sections:
        rows.extend(_items(document, kind, group, common))
    if not sections:  # a reply without done / next-step headings: each paragraph is an item
        rows.extend(_plain_items(document, paras, common))
    return rows


def _plain_items(document: Document, paras: Sequence[Paragraph], common: dict) -> list[Commitment]:
    """Items of a reply written as plain paragraphs: a paragraph saying what will be done
    (…将不断改进…) is a promise, the others report what was done."""
    rows = []
    for para in paras:
        norm = para.norm.strip()
        if para.is_heading or _SALUTATION.match(norm) or _FRAME.search(norm) or len(norm) < 20:
            continue
        promise = any(_promises(sentence) for sentence in re.split(r"[。；]", norm) if sentence)
        kind: Kind = "reply_promise" if promise else "reply_done"
        rows.append(make_row(document, kind, para, para.start, para.end, task=_lead_sentence(para.text), **common))
    return rows


def _meta_row(document: Document, paras: Sequence[Paragraph], common: dict) -> Commitment:
    title = common.get("proposal_title")
    for para in paras:
        i = para.norm.find(normalize(title)) if title else -1
        if i >= 0:  # quote the sentence naming the proposal
            j = para.norm.find("。", i)
            end = j + 1 if j >= 0 else len(para.text)
            return make_row(document, "reply_meta", para, para.start, para.start + end, task=title, **common)
    # Else the first paragraph after the salutation ("马万祺副主席：").
    first = next((para for para in paras if not _SALUTATION.match(para.norm.strip())), paras[0])
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
    leads = [(para, m.start("lead")) for para in group
             for m in (_INLINE_LEAD if _LEAD.match(para.norm) else _LEAD).finditer(para.norm)]
    if not leads and len({para.heading_path for para in group}) == 1 and _numbered(group[0].heading_path[-1]):
        # One numbered point (一、…情况) is one item, however many paragraphs it runs to.
        first, last = group[0], group[-1]
        return [make_row(document, kind, first, first.start, last.end, task=_lead_sentence(first.text), **common)]
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


def _numbered(heading: str) -> bool:
    return bool(re.match(r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])", normalize(heading)))


def _lead_sentence(text: str) -> str:
    """"一是进一步加大政策供给力度。制定…" -> "进一步加大政策供给力度"."""
    first = re.split(r"[。；;]", text.strip(), maxsplit=1)[0]
    return re.sub(r"^[一二三四五六七八九十]{1,3}是", "", first).strip()[:80]
