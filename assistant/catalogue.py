"""The catalogue of indexed documents: how a question can name one.

Derived from the corpus (the indexed `Document`s), never written into code: each document's
title and its short forms (the title without its issuer and the 关于…的通知 wrapper, the name
in 《》 a 印发 notice issues), its 文号, its proposal's number, proposer and title, and the
character pairs of its title that are rare among the corpus's titles. A question names a
document by any of these; a name or number it gives that no document has is reported as
missing, so the answer can say the corpus does not hold it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.analysis import compact, place_stem
from index.docnumber import numbers_in
from index.issuer import orgs_of_title
from index.normalize import normalize
from index.types import Document

_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")
_NOISE = re.compile(r"[\s\W\d_]+|年|的")
_WRAPPER = re.compile(r"^(?:关于)?(?:印发|转发|批转|发布|公布|重新发布)?(.{4,}?)(?:的)?(?:通知|公告|通告|批复|决定)?$")
_PROPOSAL_NO = re.compile(r"第?\s*(\d{2,6})\s*号?\s*(?:提案|建议)")
_SHORT_NUMBER = re.compile(r"(?<![\d〔\]）)])(\d{1,4})\s*号(?:文件?|通知|令)")
_TITLED = re.compile(r"《([^《》]{2,80})》")
# A formal document name typed without 《》 ("…备案管理办法(试行)"): at least four characters
# ending in a document type, cut at its last particle.
_DOC_NAME = re.compile(
    r"[\u4e00-\u9fff\d“”\"]{4,}?(?:管理办法|实施细则|实施意见|实施方案|行动计划|行动方案|若干措施|指导意见|统计公报|"
    r"办法|条例|细则|规定|规划|纲要|指引)(?:\s?[(（]试行[)）])?")
_PARTICLES = re.compile(r"[的里中对在和与及按把被从向给让将是有了对于关那这该份]")
MIN_SHARE = 0.34  # a document is named when it scores this share of the best-named one


@dataclass(frozen=True)
class Entry:
    doc: Document
    names: tuple[str, ...]  # compact title and short forms
    pairs: frozenset[str]  # character pairs of the title and type


@dataclass
class Catalogue:
    """Every indexed document with the ways a question may name it."""

    entries: list[Entry]
    _idf: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, documents: Sequence[Document]) -> Catalogue:
        entries = [Entry(d, _names(d), frozenset(_pairs(d.title) | _pairs(d.doc_type or ""))) for d in documents]
        df = Counter(g for e in entries for g in e.pairs)
        # Only pairs rare among titles name a document; a word in many titles names none.
        rare = max(1, len(entries) // 10)
        idf = {g: math.log(len(entries) / n) if n <= rare and len(entries) > 1 else 0.0 for g, n in df.items()}
        return cls(entries, idf)

    @property
    def documents(self) -> list[Document]:
        return [e.doc for e in self.entries]

    def by_title(self, name: str, places: Sequence[str] = ()) -> list[Document]:
        """Documents whose title or short form holds most of `name` (a 《》 title in a question);
        a place the name gives must be the document's too (某市…公报 is not 另一市…公报)."""
        core = compact(_BRACKETS.sub("", name))
        if len(core) < 2:
            return []
        named_places = [place_stem(p) for p in places if place_stem(p) in core]
        out = []
        for e in self.entries:
            where = compact(e.doc.title + (e.doc.issuer or ""))
            if any(p not in where for p in named_places):
                continue
            if any(core in n or n in core for n in e.names if len(n) >= 4):
                out.append(e.doc)
                continue
            need = max(4, int(0.6 * len(core) + 0.5))
            if any(_longest_common_run(core, n) >= min(need, len(core)) for n in e.names):
                out.append(e.doc)
                continue
            # A name typed with words left out, in order ("上海促进就业规定" for
            # 上海市促进就业若干规定): every character of it in the title, in order.
            if len(core) >= 6 and any(_in_order(core, n) for n in e.names):
                out.append(e.doc)
        return out

    def by_number(self, number: str) -> list[Document]:
        """Documents with this 文号 (brackets and script ignored)."""
        key = _number_key(number)
        return [e.doc for e in self.entries if e.doc.doc_number and _number_key(e.doc.doc_number) == key]

    def by_serial(self, serial: str) -> list[Document]:
        """Documents whose 文号 ends with this serial number ("117" → 国办发〔2018〕117号)."""
        return [e.doc for e in self.entries if e.doc.doc_number
                and re.search(rf"(?<!\d)0*{int(serial)}\s*号$", normalize(e.doc.doc_number).strip())]

    def by_proposal(self, number: str) -> list[Document]:
        return [e.doc for e in self.entries
                if e.doc.proposal and (e.doc.proposal.number or "").lstrip("0") == number.lstrip("0")]

    def by_words(self, question: str, *, min_shared: int = 2, besides: Sequence[str] = ()) -> list[Document]:
        """Documents the question names by the rare character pairs of their titles, best first
        (leaving out the documents `besides`)."""
        if len(self.entries) < 2:
            return []
        asked = _pairs(question)
        scored = []
        for e in self.entries:
            if e.doc.doc_id in besides:
                continue
            shared = [g for g in e.pairs & asked if self._idf.get(g, 0.0) > 0]
            if len(shared) >= min_shared:
                scored.append((sum(self._idf[g] for g in shared), e.doc))
        if not scored:
            return []
        best = max(w for w, _ in scored)
        return [d for w, d in sorted(scored, key=lambda x: -x[0]) if w >= MIN_SHARE * best]

    def by_proposal_words(self, norm: str) -> list[Document]:
        """Replies the question names by their proposer or a run of their proposal's title."""
        if not re.search(r"提案|建议|答复", norm):
            return []
        out = []
        for e in self.entries:
            p = e.doc.proposal
            if p is None:
                continue
            if (p.proposer and normalize(p.proposer) in norm) or (p.title and _shares_run(norm, normalize(p.title), 6)):
                out.append(e.doc)
        return out


@dataclass(frozen=True)
class Naming:
    """The documents a question names, and what it names that no document has."""

    documents: tuple[str, ...]  # doc ids
    # 《titles》, 文号, proposal numbers and formal names no indexed document has; a passage may
    # still cite one (the answerer checks the passages it retrieved)
    missing: tuple[str, ...]


def named_in(norm: str, catalogue: Catalogue, places: Sequence[str] = ()) -> Naming:
    """What documents a normalised question names, by title, 文号, proposal or rare title words."""
    found: list[Document] = []
    missing: list[str] = []
    for title in dict.fromkeys(_TITLED.findall(norm)):
        docs = catalogue.by_title(title, places)
        found += docs
        if not docs:
            missing.append(f"《{title}》")
    for a, b in numbers_in(norm):
        number = norm[a:b]
        docs = catalogue.by_number(number)
        found += docs
        if not docs:
            missing.append(number)
    for m in _SHORT_NUMBER.finditer(norm):  # "117号文": the serial number of a 文号 alone
        docs = catalogue.by_serial(m.group(1))
        found += docs if len(docs) == 1 else []
    for m in _PROPOSAL_NO.finditer(norm):
        docs = catalogue.by_proposal(m.group(1))
        found += docs
        if not docs:
            missing.append(m.group(0))
    found += catalogue.by_proposal_words(norm)
    for name in _formal_names(_TITLED.sub("", norm)):
        docs = catalogue.by_title(name, places)
        found += docs
        if not docs:
            missing.append(name)
    if not found and len(places) > 1:
        found = _by_places(norm, catalogue, places)
    if not found:
        found = catalogue.by_words(norm)
    if len({d.doc_id for d in found}) == 1 and _SEVERAL.search(norm):
        # "甲文件和乙规划分别怎么要求": the other document is named by words of its title too.
        found += catalogue.by_words(norm, besides=(found[0].doc_id,))[:1]
    return Naming(tuple(dict.fromkeys(d.doc_id for d in found)), tuple(dict.fromkeys(missing)))


_SEVERAL = re.compile(r"分别|各自|各是|对比|比较|相比|区别|异同")


# The kind of document a question names with a place ("甲省和乙市的条例").
_DOC_KIND = re.compile(r"条例|办法|规定|细则|规划|意见|方案|通知|公报|决定|纲要")


def _by_places(norm: str, catalogue: Catalogue, places: Sequence[str]) -> list[Document]:
    """Documents a question names by their places and kind ("甲省和乙市的条例怎么规定的"):
    for each place, the documents whose title holds it and the kind named — only when every
    place named has one."""
    kinds = set(_DOC_KIND.findall(norm))
    if not kinds:
        return []
    titled = [(e.doc, compact(normalize(e.doc.title))) for e in catalogue.entries]
    kinded = [(doc, title) for doc, title in titled if any(k in title for k in kinds)]
    found: list[Document] = []
    for place in places:
        docs = [doc for doc, title in kinded if place_stem(place) in title]
        if not docs:
            return []
        found += docs
    return found


def _formal_names(norm: str) -> tuple[str, ...]:
    out = []
    for m in _DOC_NAME.finditer(norm):
        name = _PARTICLES.split(m.group(0))[-1]
        if len(re.sub(r"[(（]试行[)）]", "", name)) >= 8:
            out.append(name)
    return tuple(dict.fromkeys(out))


def _names(doc: Document) -> tuple[str, ...]:
    """The compact title and its short forms."""
    title = normalize(doc.title)
    names = [title]
    orgs = orgs_of_title(title)
    rest = title
    if orgs:
        m = re.search(r"关于|对", title)
        rest = title[m.start():] if m else title
    wrapped = _WRAPPER.match(re.sub(r"^关于", "", rest))
    if wrapped:
        names.append(wrapped.group(1))
    names += _TITLED.findall(title)
    return tuple(dict.fromkeys(compact(n) for n in names if len(compact(n)) >= 4))


def _pairs(text: str) -> set[str]:
    t = _NOISE.sub("", normalize(text))
    return {t[i : i + 2] for i in range(len(t) - 1)}


def _number_key(number: str) -> str:
    key = compact(number)
    return key.translate(str.maketrans("[【(（［]】)）］", "〔〔〔〔〔〕〕〕〕〕"))


def _shares_run(a: str, b: str, length: int) -> bool:
    return any(a[i : i + length] in b for i in range(len(a) - length + 1))


def _in_order(short: str, long: str) -> bool:
    """Whether every character of `short` occurs in `long` in the same order."""
    rest = iter(long)
    return all(ch in rest for ch in short)


def _longest_common_run(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        lo = best + 1
        while i + lo <= len(a) and a[i : i + lo] in b:
            best = lo
            lo += 1
    return best
