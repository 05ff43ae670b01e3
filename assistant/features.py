"""Named features of candidate sentences and of a whole retrieval, for the fitted scorer.

A candidate is a sentence of a retrieved passage. Its features say how well it matches the
plan (key-term coverage, the asked-for kind found in it, the years and documents named), how
the retrievers ranked its passage, and where it stands in the passage. The refusal features
summarise a retrieval: the best candidates' probabilities, how much of the question the best
passages cover, and what the question names that none of them holds. `eval/fit_scorer.py`
fits the weights; nothing here is weighted by hand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.cite import Sentence, split_sentences
from assistant.plan import YEAR, Plan
from assistant.terms import coverage, term_match
from assistant.types import Hit
from index.analysis import compact, default_analyzer, place_stem
from index.dates import dates_in
from index.docnumber import numbers_in as doc_numbers_in
from index.injection import looks_like_instruction
from index.normalize import normalize
from index.numbers import quantities
from index.types import Document

DEPTH = 8  # hits whose sentences are candidates
SENTENCE_FEATURES = (
    "cov", "cov_ctx", "cov_rel", "ctx_rel", "pairs", "pairs_rel", "focus", "rank", "fused", "dense", "bm25",
    "kind_hit", "kind_miss", "year_match", "year_conflict", "doc_named", "doc_other", "lead", "item", "length",
    "subject", "numbers_q", "place_conflict", "actual_target", "year_title_conflict",
)
QUESTION_FEATURES = (
    "p_max", "p_second", "cov_best", "cov_joint", "pairs_best", "focus_found", "missing_numbers", "missing_named",
    "kind_found", "dense_top", "n_terms", "asks_kind", "place_missing", "actual",
    # what the most probable sentence itself is like
    *(f"best_{name}" for name in ("kind_hit", "year_match", "year_conflict", "year_title_conflict", "place_conflict",
                                  "actual_target", "doc_other", "cov_ctx", "focus")),
)
BEST = tuple(n.removeprefix("best_") for n in QUESTION_FEATURES if n.startswith("best_"))
_N = "一二三四五六七八九十"
ITEM = re.compile(rf"^\s*(?:-{{2,}}|—{{1,2}}|[{_N}]+是|[(（][{_N}\d]+[)）]|\d+[.、]|[{_N}]+、)")
_HEADING = re.compile(rf"^\s*(?:第[{_N}百\d\s]+[章节條条]|[{_N}]+、|—、|[(（][{_N}]+[)）])")
_RESPONSIBLE = re.compile(r"责任单位|牵头|负责|承办|主管|受理|审核|咨询|联系|办理|部门|机关|[局厅委办]")
# A date, a time limit or a period ("每年召开两次" answers 多久开一次).
_DATE_WORDS = re.compile(r"\d{4}\s*年|\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}|日期|时间|期限|之日起|截止|截至"
                         r"|以前|之前|以内|工作日|每(?:年|半年|季度?|月|周|星期|日|天)")
_TITLED = re.compile(r"《[^《》]*》")
_NUMBER = re.compile(r"\d{3,}")
_TARGET = re.compile(r"到\d{4}年|\d{4}年前|目标|力争|预计|计划|确保|将(?:达到|建成|实现)")
# The formulas a reply to a proposal or a letter opens and closes with.
_RECEIPT = re.compile(r"^(?:您|你们?|贵[单部委局厅])?.{0,60}(?:提案|建议|议案|来信|来函|意见)"
                      r"[》”\x22]?(?:已)?收悉[。.]?$"
                      r"|^(?:衷心)?(?:感谢|谢谢)(?:您|你们?)(?:对|的)"
                      r"|^现(?:将有关情况)?(?:答复|函复|回复)如下")
_ASKING = re.compile(r"[?？]$|吗[?？]?$")  # a sentence that asks (a Q&A page's question), not answers


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with its features."""

    hit: Hit
    sentence: Sentence
    index: int  # position among the chunk's sentences
    features: dict[str, float]


def candidates(plan: Plan, hits: Sequence[Hit]) -> list[Candidate]:
    """The candidate sentences of the top hits, each with its features."""
    top = hits[:DEPTH]
    if not top:
        return []
    best_fused = max(h.fused_score for h in top) or 1.0
    best_dense = max((h.scores.get("dense", 0.0) for h in top), default=0.0)
    best_bm25 = max((h.scores.get("bm25", 0.0) for h in top), default=0.0) or 1.0
    asked_numbers = {n for n in _NUMBER.findall(plan.normalized) if n not in plan.years}
    asked_pairs = question_pairs(plan)
    stems = [place_stem(p) for p in plan.places]
    out: list[Candidate] = []
    for rank, hit in enumerate(top):
        chunk = hit.chunk
        if {"metadata", "closing"} & set(chunk.kinds):
            continue  # a document's particulars are answered from its metadata
        context = compact(hit.document.title + " ".join(chunk.heading_path))
        where = context + compact((hit.document.issuer or "") + chunk.text)
        title_years = set(YEAR.findall(normalize(hit.document.title)))
        # The year the document was issued: "国办2018年的措施" names the document by it.
        issued = set(YEAR.findall(" ".join(x for x in (hit.document.written_date, hit.document.published_date,
                                                       hit.document.doc_number) if x)))
        dated = bool(set(plan.years) & issued)
        sentences = split_sentences(chunk.text)
        first = next((i for i, s in enumerate(sentences) if not is_heading(s.text, chunk.heading_path)), 0)
        for i, s in enumerate(sentences):
            text = compact(s.text)
            if (len(text) < 4 or is_heading(s.text, chunk.heading_path) or _lead_in(s.text)
                    or _ASKING.search(s.text.strip()) or looks_like_instruction(s.text)):
                continue  # a heading, a lead-in, a question (a Q&A page's) or a line addressed
                # to an AI (index.injection) is never quoted as an answer
            norm = _outside_titles(normalize(s.text))
            hit_kind, miss_kind = _kind(plan, norm)
            said = set(YEAR.findall(norm))
            f = {
                "cov": coverage(plan.terms, text),
                "cov_ctx": coverage(plan.terms, text + context),
                "pairs": _share(asked_pairs, text),
                "focus": _focus(plan, text + context),
                "rank": 1.0 / (rank + 1),
                "fused": hit.fused_score / best_fused,
                "dense": hit.scores.get("dense", best_dense) - best_dense,
                "bm25": hit.scores.get("bm25", 0.0) / best_bm25,
                "kind_hit": hit_kind,
                "kind_miss": miss_kind,
                "year_match": float(bool(plan.years) and bool(set(plan.years) & said)),
                "year_conflict": float(bool(plan.years) and bool(said) and not set(plan.years) & said
                                       and not dated),
                "doc_named": float(bool(plan.documents) and hit.document.doc_id in plan.documents),
                "doc_other": float(bool(plan.documents) and hit.document.doc_id not in plan.documents),
                "lead": float(i == first),
                "item": float(bool(ITEM.match(s.text))),
                "length": math.log(1 + len(text)) / 5,
                "subject": float(any(text.startswith(t.text) for t in plan.terms if len(t.text) >= 2)),
                "numbers_q": float(bool(asked_numbers) and all(n in text for n in asked_numbers)),
                "place_conflict": float(bool(stems) and not any(p in where for p in stems)
                                        and bool(document_places(hit.document))),
                "actual_target": float(plan.actual and bool(_TARGET.search(norm))),
                "year_title_conflict": float(bool(plan.years) and bool(title_years)
                                             and not set(plan.years) & title_years and not set(plan.years) & said),
            }
            out.append(Candidate(hit, s, i, f))
    # How each compares with the best of this question's candidates.
    for key, rel in (("cov", "cov_rel"), ("cov_ctx", "ctx_rel"), ("pairs", "pairs_rel")):
        top_value = max((c.features[key] for c in out), default=0.0) or 1.0
        for c in out:
            c.features[rel] = c.features[key] / top_value
    return out


def question_pairs(plan: Plan) -> set[str]:
    """The character pairs of the question's content (its key terms), for a segmentation-free match."""
    return {t.text[i : i + 2] for t in plan.terms for i in range(len(t.text) - 1)}


def _share(pairs: set[str], text: str) -> float:
    return sum(p in text for p in pairs) / len(pairs) if pairs else 0.0


def question_features(plan: Plan, hits: Sequence[Hit], probs: Sequence[float],
                      cands: Sequence[Candidate]) -> dict[str, float]:
    """What the refusal model sees of a retrieval, given the candidates' probabilities."""
    ranked = sorted(probs, reverse=True)
    texts = [passage_text(h) for h in hits[:5]]
    covs = [coverage(plan.terms, t) for t in texts]
    union = "".join(texts[:3])
    everything = union + "".join(texts[3:])
    best = texts[covs.index(max(covs))] if covs else ""
    focus = min((max(term_match(f, best), 0.8 * term_match(f, union)) for f in plan.focus), default=1.0)
    # A number the question gives is found when a passage or its document's 文号 has it.
    particulars = "".join(compact(h.document.doc_number or "") for h in hits[:5])
    numbers = [n for n in _NUMBER.findall(plan.normalized) if n not in everything + particulars]
    kind_probs = [p for p, c in zip(probs, cands, strict=True) if c.features["kind_hit"] > 0]
    pairs = question_pairs(plan)
    top = cands[max(range(len(probs)), key=probs.__getitem__)] if cands else None
    return {
        **{f"best_{n}": top.features[n] if top else 0.0 for n in BEST},
        "p_max": ranked[0] if ranked else 0.0,
        "p_second": ranked[1] if len(ranked) > 1 else 0.0,
        "cov_best": max(covs, default=0.0),
        "cov_joint": coverage(plan.terms, union) if texts else 0.0,
        "pairs_best": max((c.features["pairs"] for c in cands), default=0.0) if pairs else 0.0,
        "focus_found": focus if texts else 0.0,
        "missing_numbers": float(len(numbers)),
        "missing_named": float(bool(missing_names(plan, hits))),
        "kind_found": max(kind_probs, default=0.0),
        "dense_top": max((h.scores.get("dense", 0.0) for h in hits[:5]), default=0.0),
        "n_terms": math.log(1 + len(plan.terms)),
        "asks_kind": float(any(k in plan.kinds for k in ("figure", "date", "unit", "doc_number"))),
        "place_missing": float(bool(missing_places(plan, hits))),
        "actual": float(plan.actual),
    }


def missing_names(plan: Plan, hits: Sequence[Hit]) -> tuple[str, ...]:
    """What the question names (a 《title》, 文号, proposal or formal name) that no indexed
    document has and no retrieved passage cites. A document a passage cites only by its
    《title》 ("依据《某市规划》编制") is missing when its content is asked ("某市规划定的目标是
    多少"); asked for its particulars (文号), the citation may state them."""
    # A name typed from memory drops the 的 of the formal one ("…融合指导意见").
    texts = [compact((h.chunk.text if plan.fields else _TITLED.sub("", h.chunk.text)) + h.document.title)
             .replace("的", "") for h in hits]
    out = []
    for name in plan.missing:
        key = compact(re.sub(r"[(（][^()（）]*[)）]|[《》]", "", name)).replace("的", "")
        digits = re.findall(r"\d+", name)
        if not any(key in t or (digits and all(d in t for d in digits) and len(digits) > 1) for t in texts):
            out.append(name)
    return tuple(out)


def missing_places(plan: Plan, hits: Sequence[Hit]) -> tuple[str, ...]:
    """Places the question names that none of the top passages, their titles or issuers mention."""
    texts = "".join(passage_text(h) + compact(h.document.issuer or "") for h in hits[:5])
    return tuple(p for p in plan.places if place_stem(p) not in texts)


def document_places(doc: Document) -> tuple[str, ...]:
    """The places a document's title and issuer name: a document naming none (a national
    one, or one for whoever it concerns) does not conflict with a place a question gives."""
    return _places_of(doc.title + " " + (doc.issuer or ""))


@lru_cache(maxsize=4096)
def _places_of(text: str) -> tuple[str, ...]:
    return default_analyzer().places(normalize(text))


def passage_text(hit: Hit) -> str:
    """What a passage offers to match: its document title, heading path and text."""
    return compact(" ".join([hit.document.title, *hit.chunk.heading_path, hit.chunk.text]))


def is_heading(text: str, heading_path: Sequence[str]) -> bool:
    """A heading line repeated at the top of the chunk (not an answer by itself)."""
    if re.search(r"[。；;！？!?]$", text.strip()):
        return False
    stripped = compact(text)
    return any(stripped == compact(h) for h in heading_path) or bool(_HEADING.match(text))


def has_kind(plan: Plan, norm: str) -> bool:
    """Whether a (normalised) sentence states the kind of thing the plan asks for."""
    return _kind(plan, norm)[0] > 0


def _kind(plan: Plan, norm: str) -> tuple[float, float]:
    """(found, missing): the asked kind stated in the sentence, or asked and absent."""
    checks = []
    if plan.asks("figure"):
        checks.append(bool(quantities(norm, plan.figure_units)))
    if plan.asks("date"):
        checks.append(bool(_DATE_WORDS.search(norm) or dates_in(norm)))
    if plan.asks("unit"):
        checks.append(bool(_RESPONSIBLE.search(norm)))
    if plan.asks("doc_number"):
        checks.append(bool(doc_numbers_in(norm)))
    if plan.asks("list"):
        checks.append(norm.count("、") >= 2 or bool(ITEM.match(norm)))
    if not checks:
        return 0.0, 0.0
    found = sum(checks) / len(checks)
    return found, 1.0 - found


def _focus(plan: Plan, text: str) -> float:
    if not plan.focus:
        return 1.0
    return max(term_match(f, text) for f in plan.focus)


# What a sentence leaves out: "（上述费用不含物业管理费）", "不包括…", "除…外".
_EXCLUDED = re.compile(r"(?:不含|不包含|不包括|不计入)([^，。；,;）)]*)"
                       r"|(?<![扣解废消删免排剔去开拆根切])除([^，。；,;）)]*?)(?:以外|之外|外)")


def excludes_asked(plan: Plan, sentence: str) -> bool:
    """Whether the sentence names a key term of the question only to leave it out ("租金…
    （上述费用不含物业管理费）" for "物业管理费多少"): it does not state what was asked."""
    text = compact(normalize(sentence))
    scopes = [m.group(1) or m.group(2) or "" for m in _EXCLUDED.finditer(text)]
    if not scopes:
        return False
    rest = _EXCLUDED.sub("", text)
    return any(len(t.text) >= 3 and any(t.text in sc for sc in scopes) and t.text not in rest
               for t in plan.terms)


def _lead_in(sentence: str) -> bool:
    """A salutation or lead-in ("某某委员：", "现答复如下："), or a reply's acknowledgement of
    what it answers ("您提出的《…的提案》收悉。", "感谢您对…的关心。"), answers nothing by itself."""
    text = sentence.strip()
    return (text.endswith((":", "：")) and (len(text) <= 20 or "如下" in text[-6:])) or bool(_RECEIPT.search(text))


def _outside_titles(text: str) -> str:
    """`text` without 《…》 titles: the years in a title are not the sentence's figures."""
    return _TITLED.sub("", text)
