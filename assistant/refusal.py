"""Should the extractive answerer refuse? A score from the hits and the question, and hard rules.

The score is the IDF-weighted share of the question's key terms found in the best passage
(`coverage`; a passage is its document's title, its heading path and its text, and for the
title/sign-off blocks also the names of the metadata fields they hold, so 文号 or 发文机关 is
found there). Comparison questions spread over passages, so the top three passages together
count too, at 0.9. The score is then reduced by up to a quarter when the word the question
asks about (`QuestionAnalysis.focus`: 完成 in "目标完成得怎么样") is in none of them, and by
0.6 for every number or year the question names that no passage contains. Below
`answer.refusal_threshold` the answerer refuses. Two cases refuse whatever the score: a document
named in 《》 that no passage or title matches, and no passages at all.

The best dense score is reported but not used: with multilingual-e5-small it ranges 0.84–0.93
for answerable and unanswerable questions alike (see `python -m eval.calibrate_refusal`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.intent import QuestionAnalysis, compact, coverage, loose_pattern, term_match
from assistant.types import Hit

DEPTH = 5  # passages looked at
JOINT_DEPTH = 3
JOINT_DISCOUNT = 0.9
FOCUS_PENALTY = 0.25  # the most the score loses when the asked-about word is missing
MISSING_NUMBER_FACTOR = 0.6
_NUMBER = re.compile(r"\d{3,}")  # years, document and proposal numbers
_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")


@dataclass(frozen=True)
class RefusalSignals:
    """What the decision is made from (also printed by the calibration script)."""

    dense: float | None  # best dense score among the hits, when the retriever gave one
    coverage: float  # best single-passage key-term coverage
    joint_coverage: float  # coverage by the top passages together
    focus: float  # 1 when the asked-about word is found, down to 0
    missing_numbers: tuple[str, ...]
    missing_titles: tuple[str, ...]  # documents named (in 《》 or by a formal name) but absent
    score: float
    missing_ids: tuple[str, ...] = ()  # proposal numbers and 文号 named but absent


@dataclass(frozen=True)
class RefusalDecision:
    refuse: bool
    reason: str  # empty when answering
    signals: RefusalSignals

    @property
    def by_rule(self) -> bool:
        """Refused by a hard rule (nothing found, a named document or number absent), not the score."""
        s = self.signals
        return self.refuse and (not s.coverage or bool(s.missing_titles or s.missing_ids))


def passage_text(hit: Hit) -> str:
    """What a passage offers to match against: title, headings, text (and metadata labels)."""
    doc, chunk = hit.document, hit.chunk
    parts = [doc.title, *chunk.heading_path, chunk.text]
    if {"metadata", "closing"} & set(chunk.kinds):
        parts += ["文号发文字号", doc.doc_number or "", "发文机关发布单位来源", doc.issuer or "",
                  "成文日期落款日期发布日期发布时间", doc.date or ""]
        if doc.proposal is not None:
            p = doc.proposal
            parts += ["提案人委员", p.proposer or "", p.number or "", "签发人承办部门处室联系人联系电话"]
    return compact(" ".join(parts))


def signals(analysis: QuestionAnalysis, hits: Sequence[Hit]) -> RefusalSignals:
    """The refusal signals of `hits` for the analysed question."""
    texts = [passage_text(h) for h in hits[:DEPTH]]
    if not texts:
        return RefusalSignals(None, 0.0, 0.0, 0.0, (), analysis.titles + analysis.names, 0.0,
                              analysis.identifiers)
    covs = [coverage(analysis.terms, t) for t in texts]
    single = max(covs)
    best = texts[covs.index(single)]
    union = "".join(texts[:JOINT_DEPTH])
    joint = coverage(analysis.terms, union)
    focus = min((max(term_match(f, best), 0.8 * term_match(f, union)) for f in analysis.focus),
                default=1.0)
    everything = "".join(texts) + "".join(compact(h.document.title) for h in hits)
    missing_numbers = tuple(n for n in _NUMBER.findall(analysis.normalized) if n not in everything)
    missing_titles = tuple(t for t in analysis.titles if not _title_found(t, hits))
    missing_titles += tuple(n for n in analysis.names if not _name_found(n, hits))
    missing_ids = tuple(i for i in analysis.identifiers if not _identifier_found(i, hits))
    score = max(single, JOINT_DISCOUNT * joint) * (1 - FOCUS_PENALTY * (1 - focus))
    score *= MISSING_NUMBER_FACTOR ** len(missing_numbers)
    dense = max((h.scores["dense"] for h in hits if "dense" in h.scores), default=None)
    return RefusalSignals(dense, single, joint, focus, missing_numbers, missing_titles, score, missing_ids)


def decide(analysis: QuestionAnalysis, hits: Sequence[Hit], threshold: float) -> RefusalDecision:
    """Refuse when nothing was found, a named document is absent, or the score is too low."""
    sig = signals(analysis, hits)
    if not hits:
        return RefusalDecision(True, "没有检索到相关段落", sig)
    if sig.missing_titles:
        names = "、".join(f"《{t}》" for t in sig.missing_titles)
        return RefusalDecision(True, f"文件中没有{names}的内容", sig)
    if sig.missing_ids:
        return RefusalDecision(True, f"文件中没有{'、'.join(sig.missing_ids)}", sig)
    if sig.score < threshold:
        return RefusalDecision(True, f"相关度{sig.score:.2f}低于阈值{threshold:.2f}", sig)
    return RefusalDecision(False, "", sig)


def _title_found(title: str, hits: Sequence[Hit]) -> bool:
    """Whether a document named in 《》 is among the passages or their documents' titles.

    Found when a run of at least 60% of its characters (brackets such as (试行) ignored)
    occurs in one passage or title: 《科技赋能实施方案》 finds the 解读 of the 方案, but
    《…创新联合体备案管理办法》 is not found in a passage that merely mentions 创新联合体.
    """
    core = compact(_BRACKETS.sub("", title))
    if not core:
        return True
    need = max(4, int(0.6 * len(core) + 0.5))
    for hit in hits:
        for text in (compact(hit.document.title), compact(hit.chunk.text)):
            if _longest_common_run(core, text) >= min(need, len(core)):
                return True
    return False


def _name_found(name: str, hits: Sequence[Hit]) -> bool:
    """Whether a document named without 《》 is among the passages or their documents.

    Such a name is often a reader's short form (县域创新意见 for 关于促进县域创新驱动发展的
    实施意见), so it is found when a retrieved document's title holds 60% of its character
    pairs, or when a passage or title holds its ending — document type included — for 60% of
    its length (…研发投入攻坚行动实施方案 in a passage that cites it). A name whose only
    match is its type word and a few neighbours (…管理办法) is not found.
    """
    core = compact(_BRACKETS.sub("", name))
    grams = {core[i : i + 2] for i in range(len(core) - 1)}
    titles = {compact(h.document.title) for h in hits}
    if grams and any(sum(g in t for g in grams) >= 0.6 * len(grams) for t in titles):
        return True
    need = 0.6 * len(core)
    texts = titles | {compact(h.chunk.text) for h in hits}
    # Loosely: a reader drops or adds a 的 or two (科技深度融合指导意见 for …融合的指导意见).
    return any(loose_pattern(core[i:]).search(t) for i in range(int(len(core) - need) + 1) for t in texts)


def _identifier_found(identifier: str, hits: Sequence[Hit]) -> bool:
    """Whether a proposal number (第0588号提案) or 文号 the question names is in a passage,
    a title or a document's metadata."""
    digits = re.findall(r"\d+", identifier)
    key = compact(identifier)
    for hit in hits:
        doc = hit.document
        own = " ".join([doc.title, doc.doc_number or "", doc.proposal.number if doc.proposal and
                        doc.proposal.number else "", hit.chunk.text])
        text = compact(own)
        # All its numbers: 内政办发〔2018〕84号 written with other brackets, 581 for 0581.
        if key in text or (digits and all(d in text for d in digits)):
            return True
    return False


def _longest_common_run(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        lo = best + 1
        while i + lo <= len(a) and a[i : i + lo] in b:
            best = lo
            lo += 1
    return best
