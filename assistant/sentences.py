"""Candidate sentences of retrieved passages, and how well each answers a question.

A sentence scores by the share of the question's key terms it holds (its section heading and
document title count a little), scaled by what the question asks for: figures for 多少, the
责任单位 note for 谁负责, dates for 什么时候, lists for 哪些, actions for 举措. The extractive
answerer (`assistant.extractive`) chooses among them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.cite import Sentence, split_sentences
from assistant.intent import QuestionAnalysis, compact, coverage
from assistant.types import Hit
from index.normalize import normalize
from index.types import Chunk

RANK_PRIOR = 0.2

_QUANTITY = re.compile(
    r"\d+(?:\.\s?\d+)?\s*(?:%|％|[万亿]?元|万|亿|项|家|个|人|名|件|所|座|倍|篇|次|平方公里)")


_DATE = re.compile(r"\d{4}\s*年|\d{4}-\d{1,2}|〔\d{4}〕|\d+号|日期|时间|期限")


_RESPONSIBLE = re.compile(r"责任单位|牵头|负责|承办|主管|组长")


_ENTITY = re.compile(r"依托|《|研究院|研究中心|协议|机构")


ITEM = re.compile(r"^\s*(?:-{2,}|—{1,2}|[一二三四五六七八九十]+是|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])")


_HEADING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+章|[一二三四五六七八九十]+、|—、|[(（][一二三四五六七八九十]+[)）])")


_TITLED = re.compile(r"《[^《》]*》")


_MEASURE_Q = re.compile(r"举措|措施|做法|怎么做|怎样做|如何(?:推进|落实|开展|支持)|采取|抓手")


_ACTION_START = re.compile(
    r"^(?:[一二三四五六七八九十]+是|-{2,}|—{1,2}|[(（]?[一二三四五六七八九十\d]+[)）、.]?)?\s*"
    r"(?:持续|继续|进一步|积极|大力|着力|全面|深入|加快)?"
    r"(?:实施|加强|推进|推动|开展|建立|建设|完善|鼓励|支持|加快|提升|培育|落实|组织|强化|深化|打造|构建|引导|设立"
    r"|搭建|健全|探索|创新|优化|发挥|促进|依托|围绕|聚焦)"
)


@dataclass(frozen=True)
class Pick:
    """A candidate sentence of a hit, with its offsets in the chunk text and its score."""

    hit: Hit
    sentence: Sentence
    index: int  # position among the chunk's sentences
    score: float
    label: str = ""  # what a bare field value is ("成文日期"), shown before it
    field: str = ""  # the document field it states, for field picks


def candidates(a: QuestionAnalysis, hit: Hit, rank: int) -> list[Pick]:
    """The sentences of `hit` that could answer, each scored (the retriever's rank counts a little)."""
    chunk = hit.chunk
    if {"metadata", "closing"} & set(chunk.kinds):
        return []  # a document's particulars are answered as fields (assistant.fields)
    context = context_of(hit)
    out = []
    for i, s in enumerate(split_sentences(chunk.text)):
        text = compact(s.text)
        if is_heading(s.text, chunk) or len(text) < 4 or _is_lead_in(s.text):
            continue
        # Mostly the sentence's own words; its section and document title count too, so a
        # sentence under the right heading need not repeat the heading's words.
        relevance = 0.6 * coverage(a.terms, text) + 0.4 * coverage(a.terms, text + context)
        boost = _intent_boost(a, s.text)
        if any(text.startswith(t.text) for t in a.terms if len(t.text) >= 2 and t.weight >= 7):
            boost += 0.15  # the sentence is about the question's subject ("星创天地要…")
        # Boosts scale relevance, so a sentence of the right kind from the wrong place loses;
        # the retriever's rank breaks near-ties.
        score = relevance * (1 + boost) * (1 + RANK_PRIOR / (rank + 1)) * _year_fit(a, s.text)
        out.append(Pick(hit, s, i, score))
    return out


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _year_fit(a: QuestionAnalysis, sentence: str) -> float:
    """Half weight for a sentence dated only to years other than those the question asks about.

    "到2025年的目标" is not answered by "2020年,经费投入达1.04亿元"; a sentence with no year
    (or with the asked year) keeps its full score.
    """
    asked = set(_YEAR.findall(a.normalized))
    said = set(_YEAR.findall(normalize(sentence)))
    return 0.5 if asked and said and not asked & said else 1.0


def _is_lead_in(sentence: str) -> bool:
    """A salutation or lead-in ("张郡委员:", "现答复如下:") answers nothing by itself."""
    text = sentence.strip()
    return text.endswith((":", "：")) and (len(text) <= 20 or "如下" in text[-6:])


def has_quantity(sentence: str, units: str | None = None) -> bool:
    """Whether `sentence` states a figure (with one of `units`, when given)."""
    text = _outside_titles(normalize(sentence))
    if units is None:
        return bool(_QUANTITY.search(text))
    return bool(re.search(rf"\d+(?:\.\s?\d+)?\s*(?:{units})", text))


def context_of(hit: Hit) -> str:
    """A passage's document title and heading path (compact): what it is about."""
    return compact(hit.document.title + " ".join(hit.chunk.heading_path))


def _outside_titles(text: str) -> str:
    """`text` without 《…》 titles: the years in a title are not the answer's figures."""
    return _TITLED.sub("", text)


def is_item_lead(p: Pick) -> bool:
    return bool(ITEM.match(p.sentence.text)) and p.index == first_index(p)


def _intent_boost(a: QuestionAnalysis, sentence: str) -> float:
    norm = _outside_titles(normalize(sentence))
    boost = 0.0
    if a.wants_number or a.asks("amount"):
        boost += 0.3 if _QUANTITY.search(norm) else (-0.2 if a.wants_number else 0.0)
    if a.asks("responsible") and _RESPONSIBLE.search(norm):
        boost += 0.5
    if a.asks("date") and _DATE.search(norm):
        boost += 0.4
    if a.asks("list") and (norm.count("、") >= 2 or ITEM.match(norm)):
        boost += 0.15
        if any(norm.count(word) >= 2 for word in a.asked):
            boost += 0.3  # it lists several of what is asked for: "…行动、…行动、…行动"
    if a.asks("entity") and _ENTITY.search(norm):
        boost += 0.15
    if _MEASURE_Q.search(a.normalized) and _ACTION_START.match(norm.strip()):
        boost += 0.3  # a measure is something done: "实施…工程", "持续加强…建设"
    return boost


def first_index(pick: Pick) -> int:
    """Index of the chunk's first non-heading sentence (an item's lead sentence)."""
    for i, s in enumerate(split_sentences(pick.hit.chunk.text)):
        if not is_heading(s.text, pick.hit.chunk):
            return i
    return 0


def is_heading(text: str, chunk: Chunk) -> bool:
    """A heading line repeated at the top of the chunk text (not an answer by itself)."""
    if re.search(r"[。；;！？!?]$", text.strip()):
        return False  # a full sentence, even when an inline lead ("一是…。") names the section
    stripped = compact(text)
    if any(stripped == compact(h) for h in chunk.heading_path):
        return True
    return bool(_HEADING.match(text))
