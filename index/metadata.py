"""Document metadata from the cleaned lines: title, issuer, 文号, dates, type, validity, proposal.

Labels are matched on normalised text, so traditional labels (發文字號, 成文日期…) work the same;
values are taken from the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.clean import Line
from index.normalize import normalize
from index.types import ProposalInfo

NUM_CN = "〇零一二三四五六七八九十"
DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s?[〔\[【(（]\s?(?:19|20)\d{2}\s?[〕\]】)）]\s?第?\d{1,4}\s?号"
)
_DATE_ISO = re.compile(r"((?:19|20)\d{2})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{1,2})")
_DATE_CN = re.compile(r"((?:19|20)\d{2})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日")
_DATE_CN_NUM = re.compile(rf"([{NUM_CN}]{{4}})年([{NUM_CN}]{{1,3}})月([{NUM_CN}]{{1,3}})日")
_DATE_PARTIAL = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")

# Document types, most specific first; the title's ending decides.
DOC_TYPES = (
    ("提案答复", r"提案的?答复"), ("建议答复", r"建议的?答复"), ("解读", r"解读"),
    ("行动计划", r"行动计划"), ("实施意见", r"实施意见"), ("实施方案", r"实施方案"),
    ("实施细则", r"细则"), ("规划", r"规划"), ("计划", r"计划"), ("意见", r"意见"),
    ("方案", r"方案"), ("通知", r"通知"), ("办法", r"办法"), ("决定", r"决定"), ("条例", r"条例"),
    ("规定", r"规定"), ("公告", r"公告"), ("通告", r"通告"), ("批复", r"批复"), ("报告", r"报告"),
    ("措施", r"措施"), ("指引", r"指引|指南"), ("纲要", r"纲要"), ("函", r"函$"),
)
_ORG_END = r"(?:厅|局|委|委员会|办公厅|办公室|政府|部|院|办|处|中心|协会|会)"


@dataclass(frozen=True)
class Metadata:
    title: str
    issuer: str | None
    doc_number: str | None
    written_date: str | None
    published_date: str | None
    doc_type: str | None
    validity: str | None
    proposal: ProposalInfo | None


def _label(lines: list[Line], *names: str) -> str | None:
    """Value of the first `label: value` field with one of these (normalised) labels."""
    alternatives = "|".join(r"\s*".join(n) for n in names)  # labels may be spaced out: 签 发 人
    pattern = re.compile(rf"(?:^|\s|\d\.\s*)(?:{alternatives})\s*[:：]\s*(\S[^:：]*?)(?=\s+\S+\s*[:：]|\s*$)")
    for ln in lines:
        m = pattern.search(ln.norm)
        if m:
            offset = len(ln.text) - len(ln.text.lstrip())
            start = offset + m.start(1)
            return ln.text[start : start + len(m.group(1))].strip()
    return None


def parse_date(text: str) -> str | None:
    """ISO date from `2023-02-24`, `2023年8月3日` or `二〇一八年十一月十九日`; '--MM-DD' when the year is absent."""
    for pattern in (_DATE_ISO, _DATE_CN):
        m = pattern.search(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    m = _DATE_CN_NUM.search(text)
    if m:
        y = int("".join(str(_CN_DIGITS[c]) for c in m.group(1) if c in _CN_DIGITS))
        mo, d = _cn_small(m.group(2)), _cn_small(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    m = _DATE_PARTIAL.search(text)
    if m:
        return f"--{int(m.group(1)):02d}-{int(m.group(2)):02d}"
    return None


def dates_in(text: str) -> list[tuple[int, int, str]]:
    """Every full date written in `text`, as (start, end, ISO date), in order of position."""
    found: list[tuple[int, int, str]] = []
    for pattern in (_DATE_ISO, _DATE_CN, _DATE_CN_NUM):
        for m in pattern.finditer(text):
            iso = parse_date(m.group(0))
            if iso and not iso.startswith("--") and not any(s < m.end() and m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), iso))
    return sorted(found)


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0}


def _cn_small(s: str) -> int:
    """一..三十一 → 1..31."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(s, 0)


def doc_type_of(title: str) -> str | None:
    norm = re.sub(r"[》」”\s]+$", "", title)
    best: tuple[int, str] | None = None
    for name, pattern in DOC_TYPES:
        for m in re.finditer(pattern, norm):
            if best is None or m.end() > best[0]:
                best = (m.end(), name)
    return best[1] if best else None


def extract(title: str, header: list[Line], body: list[Line], closing: list[Line]) -> Metadata:
    """Metadata from the header (before the body), the body and the closing (sign-off) lines."""
    every = header + body + closing
    labelled_title = _label(header, "标题")
    title = labelled_title or title
    doc_number = _label(header, "发文字号", "文号")
    if doc_number is None:
        own = [ln for ln in header + body[:3] if (m := DOC_NUMBER.fullmatch(ln.norm))]
        doc_number = own[0].text.strip() if own else None
    written = _label(header, "成文日期")
    written_date = parse_date(written) if written else None
    if written_date is None:
        dated = [ln for ln in closing if len(ln.norm) <= 20 and parse_date(ln.norm)]
        written_date = parse_date(dated[-1].norm) if dated else None
    published = _label(header + closing, "发布日期", "发布时间", "发布于")
    published_date = parse_date(published) if published else None
    if published_date is None:
        dated = [ln for ln in header if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", ln.norm)]
        published_date = parse_date(dated[0].norm) if dated else None
    issuer = _label(header, "发文机关", "发布机构")
    if issuer is None:
        m = re.match(rf"^(.{{2,40}}?{_ORG_END})关于", title.replace(" ", ""))
        issuer = m.group(1) if m else None
    if issuer is None:
        issuer = _label(header + closing, "来源", "信息来源")
    return Metadata(
        title=title.strip(),
        issuer=issuer,
        doc_number=doc_number,
        written_date=written_date,
        published_date=published_date,
        doc_type=doc_type_of(normalize(title)),
        validity=_label(header, "有效性"),
        proposal=_proposal(title, body, every),
    )


def _proposal(title: str, body: list[Line], every: list[Line]) -> ProposalInfo | None:
    m = re.search(r"((?:政协|人大)?[^,，、]{0,20}?届[^,，、]{0,6}?次会议)?第\s*([0-9０-９]+)\s*号(提案|建议)", title)
    if not m:
        return None
    proposer = None
    for ln in body[:6]:
        pm = re.match(r"^(\S{2,4}?)(?:等\d+位)?(?:委员|代表)(?:们)?[:：]", ln.norm)
        if pm:
            proposer = ln.text.strip()[: len(pm.group(1))]
            break
    ptitle = None
    for ln in body[:6]:
        tm = re.search(r"《([^》]{4,80}(?:提案|建议))》", ln.text)
        if tm:
            ptitle = tm.group(1)
            break
    session = m.group(1)
    if session:
        session = re.sub(r"^.*?((?:政协|人大))", r"\1", session)
    return ProposalInfo(
        session=session,
        number=m.group(2),
        proposer=proposer,
        title=ptitle,
        signer=_label(every, "签发人"),
        office=_label(every, "承办部门", "承办处室"),
        contact=_label(every, "联系人"),
        phone=_label(every, "联系电话"),
    )
