"""Duties assigned in running text: a named body made responsible for something.

A clause is a task when it assigns responsibility explicitly: its subject is one or more named
bodies followed by 负责 / 牵头 / 配合 / 会同 / 协同 / 承担 / 会商 ("县级以上人民政府人力资源社会
保障部门负责…"), or it names the body that acts with 由 ("由区民政部门进行编号管理", "由内政部
会商劳动部及外交部定之"). Partners named after 会同 / 会商 are units too. Generic actors
(有关部门, 各级人民政府, 用人单位…) are not units. One row per clause that assigns a duty.
"""

from __future__ import annotations

import re

from index.commitments.paragraphs import Paragraph, make_row
from index.commitments.types import Commitment
from index.commitments.units import UnitTable, canonical_unit
from index.types import Document

_TAILS = ("人民政府（街道办事处）", "人民政府(街道办事处)", "联席会议办公室", "联席会议", "委员会", "办公室", "管委会",
          "办事处", "联合会", "税务局", "人民银行", "部门", "机关", "机构", "单位", "政府", "中心", "总局", "法院",
          "财政", "窗口", "局", "厅", "委", "办", "部", "院", "署", "科")
# A one-character ending must end a name, not start a word (委托, 部分, 院校, 科技, 局面, 财政性).
_TAIL = re.compile("|".join(re.escape(t) + ("(?![托分署校理法技研面名长学级区员性资])" if len(t) == 1 else
                                            "(?![性资预拨投])" if t == "财政" else "") for t in _TAILS))
_ENDS_AS_BODY = re.compile(f"(?:{_TAIL.pattern})$")
_JOIN = r"(?:、|和|及|与|或者|或|以及)"
_MARKER = (r"负责(?!人(?!才)|同志)|牵头|配合|会同|承担(?!单位)|会商(?!工作|机制|制度)"
           r"|协同(?!创新|发展|推进机制|机制|效应|联动)")
# Where a body's name ends at the latest: a verb, a modal or a preposition after it.
_AFTER_NAME = re.compile(  # words only (no single characters: 以, 应, 自, 经 begin names too)
    r"设在|设于|位于|进行|列入|负责|牵头|配合|会同|会商|协同|承担|制定|确定|审核|报送|通知|汇总|实施|办理|定之|提出|按照|依照|"
    r"根据|应当|可以|必须|另行|统一|具体|及时|共同|分别|依法|予以|给予|通过|主持|审查|许可|核发|收取|加强|建立|"
    r"做好|督促|抄送|负担|编号|处理|提供|开展|按(?:规定|有关|各自|程序)|[，,。；;：:]"
)
_LEAD = re.compile(
    r"^\s*(?:第\s?[一二三四五六七八九十百零\d]+\s?[条條]\s*)?"
    r"(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d{1,2}[.．、])?\s*"
)
_PERSON = re.compile(r"的?(?:领导|负责同志|主要负责|主要领导|同志|分管|工作人员|人员)")
# What a name never starts with: a preposition or conjunction, or a verb (组织、协调和指导…).
_FUNCTION_START = re.compile(r"^(?:[或经并且及和对在与同跟向把将从以为使让若如]|组织|协调|指导|负责|开展|制定|督促|"
                             r"监督|审核|会同|配合|参与|推动|推进|加强|落实|完善|建立|做好|鼓励|支持)")
_MARKER_SOON = re.compile(rf"^[^，,。；;]{{0,12}}?(?:{_MARKER})|^为牵头单位")
# Sentences that define, compose or staff rather than assign a duty.
_NOT_DUTY = re.compile(r"是指|[:：]指|所称|组成|构成|担任")
_PARTNERS = re.compile(r"(?:会同|会商|并会商)")
_GENERIC = re.compile(
    r"^(?:各|其他|有关|相关|本级|上级|同级|有权|本)*(?:部门|单位|机构|机关|政府|人民政府|地方政府|各级人民政府|各级政府)$"
    r"|^(?:各有关部门|各成员单位|成员单位|所在单位|用人单位|主管部门|有关行政管理部门|各该机关)$|^[其该]"
    r"|(?:运营|服务|经营|培训|中介|评价|承担|申报|申请|经营管理)(?:机构|单位)$|等(?:有关|相关|其他)部门$"
)
_CLAUSE = re.compile(r"[^，,。；;！？!?]+[，,。；;！？!?]?")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_ADVERB = r"(?:应当|应|须|并|要|分别|均|也|还|共同|主要|具体|统一|负责)?"


def names_at(text: str, pos: int) -> int | None:
    """The end of the list of bodies named from `pos` (`区民政部门或镇人民政府（街道办事处）`):
    the last organisation ending before the verb or preposition that follows the names."""
    stop = _AFTER_NAME.search(text, pos)
    limit = min(stop.start() if stop else len(text), pos + 120)
    end = None
    for m in _TAIL.finditer(text, pos, limit):
        end = m.end()
    return end


def duty_rows(document: Document, p: Paragraph, table: UnitTable, norm: str | None = None) -> list[Commitment]:
    """Task rows for the clauses of `p` that assign duties to named bodies: one per sentence,
    or, when a sentence gives different bodies different duties, one per such part of it.
    `norm` is the paragraph's normalised text, with spans already read otherwise blanked."""
    text = norm if norm is not None else p.norm
    rows = []
    for sm in _SENTENCE.finditer(text):
        parts: list[tuple[int, tuple[str, ...], tuple[str, ...]]] = []  # (start, units, leads)
        carried: tuple[str, ...] = ()
        fresh = False
        free = sm.start()  # where text not yet given to a part begins
        for cm in _CLAUSE.finditer(text, sm.start(), sm.end()):
            clause = text[cm.start() : cm.end()]
            if _NOT_DUTY.search(clause):
                carried = ()
                continue
            units, leads = _clause_units(clause, table, carried)
            # A clause going on with the bodies of the last part (…负责X；会同B制定Y) adds to it.
            continues = bool(units) and not _names_itself(clause) and not fresh
            own = _subject_only(clause, table)
            fresh = bool(own) and not units  # a new subject, its duty still to come
            carried = own or carried
            if continues and parts and set(parts[-1][1]) <= set(units):
                # The same bodies go on (…负责X；会同B制定Y): one row, partners added.
                start0, _, leads0 = parts[-1]
                parts[-1] = (start0, tuple(dict.fromkeys(parts[-1][1] + units)), leads0 or leads)
            elif units:
                parts.append((free, units, leads))  # clauses before it without a duty lead into it
            if units:
                free = cm.end()
        parts = _with_members(text, sm.start(), sm.end(), parts, table)
        for n, (begin, units, leads) in enumerate(parts):
            end = parts[n + 1][0] if n + 1 < len(parts) else sm.end()
            begin, end = _trim(text, begin, end)
            rows.append(make_row(document, "task", p, p.start + begin, p.start + end,
                                 units=units, lead_units=leads, task=p.text[begin:end][:60].strip()))
    return rows


_MEMBERS = re.compile(r"由(?P<list>[^，,。；;]{4,200}?)(?:[\d一二三四五六七八九十]+个)?(?:部门|单位)?(?:和单位)?组成")


def _with_members(text: str, start: int, end: int, parts: list, table: UnitTable) -> list:
    """"由A、B、C…组成，A为牵头单位": the body marked 牵头 leads its listed members."""
    sentence = text[start:end]
    members = _MEMBERS.search(sentence)
    if members is None:
        return parts
    units = tuple(_split(members.group("list").strip(), table))
    out = []
    for begin, found, leads in parts:
        if leads and set(leads) <= set(units) and "为牵头单位" in text[begin:end]:
            found = units
        out.append((begin, found, leads))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in " \t，,":
        end -= 1
    return start, end


def _names_itself(clause: str) -> bool:
    """The clause names its own bodies (a subject or 由…), rather than going on with the last."""
    body = clause[_LEAD.match(clause).end():]  # type: ignore[union-attr]
    return bool(re.search(r"由(?!于)", body)) or (not _FUNCTION_START.match(body) and names_at(body, 0) is not None)


def _subject_only(clause: str, table: UnitTable) -> tuple[str, ...]:
    """Units of a clause that opens with its subject but assigns its duty in the next clause
    ("各…行业主管部门，负责…", "内政部移民署许可核发就业金卡前，应会同…")."""
    body = clause[_LEAD.match(clause).end():]  # type: ignore[union-attr]
    end = None if _FUNCTION_START.match(body) else names_at(body, 0)
    return tuple(_units(body[:end], table)) if end else ()


# A subject is a name: action words inside it mean the clause was matched mid-sentence.
_ACTION = re.compile(r"推动|推进|加强|实现|成立|建立|合作|突破|发挥|优化|强化|创新|整合|统筹|充分|积极|开展|加快|"
                     r"支持|拥有")


def _clause_units(clause: str, table: UnitTable,
                  carried: tuple[str, ...] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The units a clause makes responsible, and those it names as leading (牵头); `carried`
    is the subject of the clause before, when that clause named it without the duty."""
    body = clause[_LEAD.match(clause).end():]  # type: ignore[union-attr]
    found: list[str] = []
    by = next((m for m in re.finditer(r"由(?!于)", body)), None)
    by_end = names_at(body, by.end()) if by is not None else None
    subject_end = None if _FUNCTION_START.match(body) else names_at(body, 0)
    if by is not None and by_end and not _PERSON.match(body, by_end) and not re.search(r"向", body[by_end:by_end + 12]):
        found += _units(body[by.end() : by_end], table)
    elif subject_end and not _PERSON.match(body, subject_end) and _MARKER_SOON.match(body[subject_end:]):
        found += _units(body[:subject_end], table)
    elif carried and re.match(rf"\s*{_ADVERB}\s*(?:{_MARKER})", body):
        found += carried
    else:
        return (), ()
    for m in _PARTNERS.finditer(body):
        end = names_at(body, m.end())
        if end:
            found += _units(body[m.end() : end], table, subject=False)
    units = tuple(dict.fromkeys(u for u in found if u and not _GENERIC.search(u)))
    leads = units[:1] if units and "牵头" in body else ()
    return units, leads


def _units(names: str, table: UnitTable, *, subject: bool = True) -> list[str]:
    """The units a run of names gives; a subject's trailing 等相关部门 ("A、B等相关部门") only
    closes its list, while a partner so named is generic."""
    names = names.strip()
    if subject:
        names = re.sub(r"等(?:有关|相关|其他)(?:部门|单位|机构)$", "", names)
    if not names or _ACTION.search(names) or _GENERIC.search(names):
        return []
    return _split(names, table)


def _split(names: str, table: UnitTable) -> list[str]:
    """A list of bodies into its units; places that share one department word (市、区民政部门,
    省和设区的市人民政府) stay one unit."""
    names = re.sub(r"等(?:部门|单位|机构)?$", "", names)
    parts: list[str] = []
    for piece in re.split(r"\s*(?:、|或者|或|以及)\s*", names):
        # 和 / 及 / 与 join two bodies only when both sides are one (工业和信息化部 stays whole).
        halves = [x for x in re.split(r"和|及|与", piece) if x]
        parts += halves if len(halves) > 1 and all(_ENDS_AS_BODY.search(x) for x in halves) else [piece]
    parts = [x for x in parts if x]
    if not all(_ENDS_AS_BODY.search(x) for x in parts[:-1]):
        return [names]  # 市、区民政部门: the places share the last part's department word
    return [canonical_unit(x, table) for x in parts if not _GENERIC.search(x)]
