"""Document metadata: title, issuer, 文号, dates, type, validity, proposal — from any layout.

Each field is taken from the most trustworthy place that states it (see each helper), so a
repost's site fields (发布机构, 来源) never override what the document says about itself.
Labels are matched on normalised text, so traditional labels (發文字號, 成文日期…) work the
same; values are taken from the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.clean import Cleaned, Line
from index.dates import dates_in, parse_date
from index.docnumber import DECREE, DOC_NUMBER, clean_number, is_doc_number, numbers_in
from index.doctypes import classify, doc_type_of
from index.fields import FieldValue, first
from index.issuer import (
    adopting_legislature,
    is_org,
    orgs_of_title,
    promulgating_organs,
    publisher_name,
    split_orgs,
)
from index.normalize import normalize
from index.types import ProposalInfo

__all__ = ["DOC_NUMBER", "Metadata", "dates_in", "doc_type_of", "extract", "parse_date"]


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


def extract(cleaned: Cleaned, header: list[Line], body: list[Line], closing: list[Line],
            format_fields: tuple[tuple[str, str], ...] = (), *, is_page: bool = False) -> Metadata:
    """Metadata of one cleaned document.

    `header`/`body`/`closing` are its kept lines by region (`index.chunk.split_regions`);
    `format_fields` what the file format says outside the text (HTML meta PubDate, ContentSource).
    """
    fields = cleaned.fields
    title_lines = {id(cleaned.lines[i]) for i in cleaned.title_lines}
    byline = [ln for ln in header if id(ln) not in title_lines and not _is_field(cleaned, ln)]
    title = cleaned.title or (header[-1].text.strip() if header else "")
    title_norm = normalize(title)
    text_norm = normalize("\n".join(ln.text for ln in cleaned.lines))
    promulgation = _promulgation(fields)
    issuer = _issuer(fields, title, title_norm, byline, body, closing, promulgation, format_fields, text_norm)
    nature = first(fields, "nature")
    return Metadata(
        title=title,
        issuer=issuer,
        doc_number=_doc_number(fields, header, body, promulgation),
        written_date=_written(fields, byline, body, closing, promulgation),
        published_date=_published(fields, byline),
        doc_type=classify(title_norm, nature=nature.value if nature else None, issuer=issuer, is_page=is_page,
                          decree=_decree(header + body[:6]) is not None),
        validity=_value(first(fields, "validity")),
        proposal=_proposal(title, body, fields),
    )


def _is_field(cleaned: Cleaned, ln: Line) -> bool:
    return any(cleaned.lines[i] is ln for i in cleaned.field_lines)


def _signing_date(body: list[Line], *, strict: bool = False) -> str | None:
    """The date of the first sign-off in the body: a date alone on its line (a notice that prints
    the measures it issues, or the report it forwards, after its own sign-off); `strict` asks
    for an organisation's name on the line before it."""
    for k, ln in enumerate(body):
        signed = not strict or (k and split_orgs(re.sub(r"\s+", " ", body[k - 1].norm)))
        if len(ln.norm) <= 20 and signed and (iso := _full_date(ln.norm)) and _date_only(ln.norm):
            return iso
    return None


def _date_only(norm: str) -> bool:
    """The line is a date and nothing else but brackets (and a trailing 印发 / 发布)."""
    rest = re.sub(r"[\d〇○零一二三四五六七八九十年月日\s()（）.\-/]", "", norm)
    return rest in ("", "印发", "发布", "签发")


@dataclass(frozen=True)
class _Decree:
    """A promulgation by decree: `X令 第N号`, or `（date X令第N号公布）` under the title."""

    number: str
    organ: str | None
    date: str | None


_DECREE_LINE = re.compile(r"^(?P<organ>[\u4e00-\u9fff]{2,30}?)令$")
_SERIAL_LINE = re.compile(r"^第\s?[\d一二三四五六七八九十百零〇]{1,6}\s?号$")
_NATION = re.compile(r"^(?:中华人民共和国|中華人民共和國)")


def _decree(lines: list[Line]) -> _Decree | None:
    for k, ln in enumerate(lines):
        norm = ln.norm.strip("()（） ")
        m = _DECREE_LINE.match(norm)
        if m and k + 1 < len(lines) and _SERIAL_LINE.match(lines[k + 1].norm):
            number = clean_number(ln.text.strip() + lines[k + 1].text.strip())
            return _Decree(number, _organ(m.group("organ")), None)
        found = [(a, b) for a, b in numbers_in(norm) if DECREE.fullmatch(norm[a:b])]
        if found and (DECREE.fullmatch(norm) or re.search(r"公布|发布|通过|施行", norm)):
            a, b = found[0]
            text = ln.text.strip().strip("()（） ")
            number = clean_number(text[a:b])
            organ = re.sub(r"令\s?第.*$", "", normalize(number))
            return _Decree(number, _organ(organ), _full_date(norm[:a]) if a else None)
    return None


def _organ(name: str) -> str | None:
    """A decree's organ without the nation's name (中华人民共和国国务院 → 国务院)."""
    name = _NATION.sub("", name.strip())
    return name if is_org(normalize(name)) else None


def _value(field: FieldValue | None) -> str | None:
    return field.value if field else None


@dataclass(frozen=True)
class _Promulgation:
    """The latest entry of a statute's history (沿革): its date and the orders that issued it."""

    date: str | None
    numbers: tuple[str, ...]


def _promulgation(fields: list[FieldValue]) -> _Promulgation | None:
    history = first(fields, "history")
    if history is None:
        return None
    # Entries are numbered 1. 2. …; a wrapped entry continues on indented lines.
    entries = re.split(r"(?m)^\s*\d+\s*[.．、]", history.value)
    latest = next((e for e in reversed(entries) if e.strip()), "")
    flat = re.sub(r"\s*\n\s*", "", latest)
    norm = normalize(flat)
    found = dates_in(flat)
    date = found[0][2] if found else None
    first_clause = re.split(r"[；;]", flat)[0]
    numbers = tuple(clean_number(first_clause[a:b]) for a, b in numbers_in(normalize(first_clause)))
    return _Promulgation(date, numbers) if date or numbers else _Promulgation(parse_date(norm), ())


def _doc_number(fields: list[FieldValue], header: list[Line], body: list[Line],
                promulgation: _Promulgation | None) -> str | None:
    """The labelled 文号; else a line that is only a 文号 near the top; else the promulgating orders."""
    labelled = first(fields, "doc_number")
    if labelled is not None and (is_doc_number(labelled.value) or "号" in normalize(labelled.value)):
        return clean_number(labelled.value)
    for ln in header + body[:4]:
        if is_doc_number(ln.norm) and not DECREE.fullmatch(ln.norm.strip("()（）")):
            return ln.text.strip().strip("()（）")
    decree = _decree(header + body[:6])
    if decree is not None:
        return decree.number
    if promulgation is not None and promulgation.numbers:
        return "、".join(promulgation.numbers)
    return None


def _written(fields: list[FieldValue], byline: list[Line], body: list[Line], closing: list[Line],
             promulgation: _Promulgation | None) -> str | None:
    """成文日期: labelled; else the sign-off date; else a dated byline or adoption line under the
    title; else the first sign-off inside the body (a notice that prints the measures it issues
    after its own sign-off); else the statute's latest promulgation."""
    labelled = first(fields, "written")
    if labelled is not None and (iso := parse_date(labelled.value, compact=True)):
        return iso
    inner = _signing_date(body, strict=True)
    if inner:  # a notice signed before what it issues or forwards
        return inner
    signed = [ln for ln in closing if len(ln.norm) <= 20 and _full_date(ln.norm)]
    if signed:
        return _full_date(signed[-1].norm)
    for ln in byline:
        # A numeric stamp under the title (2026-02-26) is when the page went up, not a written date.
        stamp = re.match(r"^\d{4}-\d{1,2}-\d{1,2}", ln.norm)
        placed = ln.norm.startswith(tuple("(（")) or ln.norm.endswith(("通过", "公布")) or len(ln.norm) <= 20
        if not stamp and placed and (iso := _full_date(ln.norm)) and not _is_published_line(ln.norm):
            return iso
    decree = _decree(byline + body[:6])
    if decree is not None and decree.date:
        return decree.date
    inner = _signing_date(body)
    if inner:
        return inner
    for ln in closing + byline:  # a bulletin dated to the month only (2023年5月)
        if month := _month_date(ln.norm):
            return month
    if promulgation is not None and promulgation.date:
        return promulgation.date
    amended = first(fields, "amended")
    return parse_date(amended.value, compact=True) if amended else None


def _month_date(norm: str) -> str | None:
    m = re.fullmatch(r"[(（]?\s*((?:19|20)\d{2})\s?年\s?(\d{1,2})\s?月\s*[)）]?", norm)
    return f"{m.group(1)}-{int(m.group(2)):02d}" if m and 1 <= int(m.group(2)) <= 12 else None


def _full_date(norm: str) -> str | None:
    iso = parse_date(norm)
    return iso if iso and not iso.startswith("--") else None


def _is_published_line(norm: str) -> bool:
    return bool(re.search(r"发布|发表|浏览|来源|时间", norm))


def _published(fields: list[FieldValue], byline: list[Line]) -> str | None:
    """发布日期 as the page shows it: labelled; else a line under the title that opens with a
    numeric date. (A page's `PubDate` meta is not used: portals stamp it on reposts and on
    pages whose document states no publication date.)"""
    labelled = first(fields, "published")
    if labelled is not None and (iso := _full_date(labelled.value)):
        return iso
    for ln in byline:
        if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", ln.norm):
            return _full_date(ln.norm)
    return None


def _in_title(title: str, org_norm: str, title_norm: str) -> str:
    i = title_norm.find(org_norm)
    return title[i : i + len(org_norm)] if i >= 0 else org_norm


def _issuer(fields: list[FieldValue], title: str, title_norm: str, header: list[Line], body: list[Line],
            closing: list[Line], promulgation: _Promulgation | None,
            format_fields: tuple[tuple[str, str], ...], text_norm: str) -> str | None:
    labelled = first(fields, "issuer")
    if labelled is not None:
        return labelled.value
    orgs = orgs_of_title(title_norm)
    if orgs:
        return "、".join(_in_title(title, o, title_norm) for o in orgs)
    decree = _decree(header + body[:6])
    if decree is not None and decree.organ:
        return decree.organ
    signed = _signing_orgs(closing) or _signing_orgs(header) or _signing_orgs(body)
    if signed:
        return "、".join(signed)
    for ln in header + body[:2]:
        if legislature := adopting_legislature(ln.norm):
            return legislature
    if promulgation is not None and (organs := promulgating_organs(list(promulgation.numbers))):
        return "、".join(organs)
    publisher = first(fields, "publisher")
    sources = [publisher.value] if publisher else []
    sources += [v for k, v in format_fields if k == "source"]
    return next((name for s in sources if (name := publisher_name(s, text_norm))), None)


def _signing_orgs(lines: list[Line]) -> list[str]:
    """Organisations on the lines just before a date line (a sign-off or a byline)."""
    for k, ln in enumerate(lines):
        if (_full_date(ln.norm) or _month_date(ln.norm)) and len(ln.norm) <= 20:
            orgs: list[str] = []
            for prev in reversed(lines[max(0, k - 3) : k]):
                found = split_orgs(re.sub(r"\s+", " ", prev.norm))
                if not found:
                    break
                orgs = found + orgs
            if orgs:
                return [_original(lines, o) for o in orgs]
    return []


def _original(lines: list[Line], org_norm: str) -> str:
    """An organisation's name as the source writes it (traditional stays traditional)."""
    for ln in lines:
        i = ln.norm.find(org_norm)
        if i >= 0:
            lead = len(ln.text) - len(ln.text.lstrip())
            return ln.text[lead + i : lead + i + len(org_norm)]
    return org_norm


def _proposal(title: str, body: list[Line], fields: list[FieldValue]) -> ProposalInfo | None:
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
        signer=_value(first(fields, "signer")),
        office=_value(first(fields, "office")),
        contact=_value(first(fields, "contact")),
        phone=_value(first(fields, "phone")),
    )
