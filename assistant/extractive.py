"""The extractive answerer (default; no LLM, offline): verbatim source sentences, each cited.

It reads the plan (`assistant.plan`), never the question's words. A document's particulars
(文号, 落款日期, 签发人…) come from its metadata (`assistant.fields`). Other questions are
answered from the retrieved passages: the fitted scorer (`assistant.scorer`) rates every
candidate sentence and the retrieval as a whole; below the fitted threshold — or when the
question names a document or number the corpus lacks, no passage found holds its topic, or
nothing was retrieved — it refuses and shows the closest passages. Otherwise `assistant.select`
chooses the sentences and `assistant.compose` writes the answer, unless the question asks first
how much, or what conditions apply, and the sentences chosen state no amount, or their passages
no condition (then it refuses too). A question asking what a
quoted term means is answered, however the sentences are rated, by each document's likeliest
sentence using the term.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from assistant.check import REFUSAL_PHRASE
from assistant.cite import split_sentences
from assistant.compose import compose, refusal
from assistant.features import Candidate, document_places, has_kind, missing_names, question_features
from assistant.fields import (
    FIELD_NAMES,
    asks_labelled,
    field_value,
    labelled_quotes,
    locate,
    names_other_document,
    states_label,
    target_document,
    value_shape,
    verbatim,
)
from assistant.plan import FIELD_PATTERNS, YEAR, Plan, period_years
from assistant.scorer import Scorer, load_scorer
from assistant.select import ChunksOf, Pick, choose, dedupe, group, scored
from assistant.types import Answer, Hit
from config.settings import AnswerSettings
from index.analysis import compact, place_stem
from index.normalize import normalize, to_script
from index.types import Document

KIND_BAR = 0.5  # share of add_at a sentence stating the asked kind needs for the question to be answered
# Share of the question's key terms (rarity-weighted) some passage, with its headings, needs to
# answer it. Chosen on the fit questions only (eval/questions/fit_*.jsonl, 320): the highest bar in
# steps of 0.05 that refuses no further answerable one (0.45 refuses three).
TOPIC_BAR = 0.4
Documents = Callable[[], Sequence[Document]]  # every indexed document (to find the one named)


class ExtractiveAnswerer:
    """answer(plan, hits) -> Answer, with no language model."""

    name = "extractive"

    def __init__(self, settings: AnswerSettings, *, chunks_of: ChunksOf | None = None,
                 documents: Documents | None = None, scorer: Scorer | None = None) -> None:
        self.settings = settings
        self._scorer = scorer
        self.chunks_of = chunks_of  # lets list answers reach sibling items the hits missed
        self.documents = documents  # lets particulars questions find the document they name

    @property
    def scorer(self) -> Scorer:
        """The fitted scorer, read on first use (`answer.scorer`, else the packaged one)."""
        if self._scorer is None:
            self._scorer = load_scorer(self.settings.scorer)
        return self._scorer

    def answer(self, plan: Plan, hits: Sequence[Hit]) -> Answer:
        """The extractive answer, or a refusal naming what was asked with the closest hits."""
        fields = (self._field_picks(plan, hits) if plan.fields or (plan.documents and asks_labelled(plan.normalized))
                  else [])
        if fields and plan.only_fields:
            found = {p.field for p in fields}
            unstated = [FIELD_NAMES[f] for f, pattern in FIELD_PATTERNS if f in plan.fields and f not in found
                        and pattern.search(plan.normalized)]  # asked in so many words, not implied
            return _with_gaps(compose(plan, group(fields), self.name), plan, unstated)
        if not hits:
            return refusal(plan, hits, self.name)
        absent = missing_names(plan, hits)
        cands, probs = scored(plan, hits, self.scorer)
        if plan.fields and plan.only_fields:
            # The particulars of a document other than the one found (a document it cites):
            # only a sentence holding such a value will do.
            shape = value_shape(plan.fields)
            if shape is not None:
                keep = [i for i, c in enumerate(cands) if shape.search(normalize(c.sentence.text))]
                cands, probs = [cands[i] for i in keep], [probs[i] for i in keep]
        if not absent and plan.meaning_of:
            # What a quoted term means is said where the documents use it, however the
            # sentences are rated: each document's likeliest sentence holding it.
            using = _using(plan, cands, probs)
            if using:
                return compose(plan, group(dedupe(fields + using)), self.name)
        if absent or self._refuses(plan, cands, probs, hits):
            # Parts of a question whose topic the passages lack are not answered apart.
            if not absent and plan.parts and not _off_topic(cands):
                picks, missed = self._by_part(plan, hits)
                # A part that asks only particulars the metadata gave is answered.
                found = {p.field for p in fields}
                missed = [part for part in missed if not (part.fields and set(part.fields) <= found)]
                if picks or (fields and len(missed) < len(plan.parts)):
                    return _with_gaps(compose(plan, group(dedupe(fields + picks)), self.name), plan,
                                      [part.topic for part in missed])
            return refusal(plan, hits, self.name) if not fields else compose(plan, group(fields), self.name)
        picks = choose(plan, hits, cands, probs, self.scorer, limit=self.settings.max_citations,
                       chunks_of=self.chunks_of)
        if not fields and (_no_amount(plan, picks) or _no_condition(plan, picks)):
            return refusal(plan, hits, self.name)
        return compose(plan, group(dedupe(fields + picks)), self.name)

    def _refuses(self, plan: Plan, cands: Sequence[Candidate], probs: Sequence[float],
                 hits: Sequence[Hit]) -> bool:
        """Whether the passages do not answer `plan`: the answer model's probability is below
        the fitted bar, or no passage holds its topic, or the likely sentences are another
        year's or place's, or none states the figure asked."""
        if not cands:
            return True
        p_answer = self.scorer.answer.probability(question_features(plan, hits, probs, cands))
        return (p_answer < self.scorer.refuse_below or _off_topic(cands)
                or _other_year(plan, cands, probs, self.scorer.add_at) or _other_place(plan, cands)
                or _no_figure(plan, cands, probs, self.scorer.add_at))

    def _by_part(self, plan: Plan, hits: Sequence[Hit]) -> tuple[list[Pick], list[Plan]]:
        """Each part of a question asking several things judged as if asked alone (for a
        question not answered as a whole): the sentences answering the parts the passages
        answer, and the parts they do not."""
        picks: list[Pick] = []
        missed: list[Plan] = []
        for part in plan.parts:
            # A part is about what the whole question is about: its documents, places, years.
            part = replace(part, documents=part.documents or plan.documents, places=part.places or plan.places,
                           years=part.years or plan.years)
            cands, probs = scored(part, hits, self.scorer)
            chosen = ([] if missing_names(part, hits) or self._refuses(part, cands, probs, hits) else
                      choose(part, hits, cands, probs, self.scorer, limit=self.settings.max_citations,
                             chunks_of=self.chunks_of))
            if part.documents:  # a named document answers, or the part is not answered
                chosen = [p for p in chosen if p.hit.document.doc_id in part.documents]
            if _no_amount(part, chosen) or _no_condition(part, chosen):
                chosen = []  # asked how much, or on what terms, and the sentences do not say
            if chosen:
                picks += chosen
            else:
                missed.append(part)
        return picks, missed

    def stream(self, plan: Plan, hits: Sequence[Hit]) -> Iterator[str | Answer]:
        """The answer text line by line, then the final `Answer`."""
        answer = self.answer(plan, hits)
        yield from answer.text.splitlines(keepends=True)
        yield answer

    def answer_probability(self, plan: Plan, hits: Sequence[Hit]) -> float:
        """The answer model's probability that `hits` answer `plan` (the refusal score)."""
        cands, probs = scored(plan, hits, self.scorer)
        return self.scorer.answer.probability(question_features(plan, hits, probs, cands))

    def _field_picks(self, plan: Plan, hits: Sequence[Hit]) -> list[Pick]:
        """A pick quoting where the document states each particular asked, from its metadata."""
        docs = self.documents() if self.documents else list({h.document.doc_id: h.document for h in hits}.values())
        doc = target_document(plan, hits, docs)
        if doc is None or (plan.only_fields and names_other_document(plan.normalized, doc)):
            return []
        where = compact(doc.title + (doc.issuer or "") + doc.text[:4000])
        # The question is about another place's document; a document it names that names no
        # place of its own (a law of wherever it applies) does not conflict.
        if (any(place_stem(p) not in where for p in plan.places)
                and (doc.doc_id not in plan.documents or document_places(doc))):
            return []
        chunks = (self.chunks_of(doc.doc_id) if self.chunks_of
                  else [h.chunk for h in hits if h.document.doc_id == doc.doc_id])
        by_id = {h.chunk.chunk_id: h for h in hits}
        out = []
        quotes = [(q, "" if states_label(f, q.sentence.text) else FIELD_NAMES[f])
                  for f in plan.fields if (q := locate(doc, chunks, f)) is not None]
        # A particular the document's own table labels, named in the question (索引号, 实施日期).
        quotes += [(q, "" if q.field in compact(q.sentence.text) else q.field)
                   for q in labelled_quotes(chunks, plan.normalized)]
        for quote, label in quotes:
            hit = by_id.get(quote.chunk.chunk_id) or Hit(chunk=quote.chunk, document=doc, rank=0, fused_score=0.0)
            index = next(i for i, s in enumerate(split_sentences(quote.chunk.text))
                         if s.start <= quote.sentence.start < s.end)
            # A line labelled otherwise ("名称：甲局 乙局关于…的通知" for the issuer) is stated
            # in the first line by the span giving the value.
            stated = verbatim(quote.sentence.text, value) if label and (value := field_value(doc, quote.field)) else ""
            out.append(Pick(hit, quote.sentence, index, 1.0, to_script(label, plan.script), quote.field,
                            value=stated if stated and stated != quote.sentence.text.strip() else ""))
        return dedupe(out)


def _other_year(plan: Plan, cands: Sequence[Candidate], probs: Sequence[float], add_at: float) -> bool:
    """The question gives a year and the most probable sentence states another one (or its
    document is another year's, or covers a period without it: "到2030年" over a "十四五"
    plan) while no likely sentence states the year asked: the figure found is another year's
    ("2021年投入多少" over a plan giving 2020 and 2025)."""
    if not plan.years or not cands:
        return False
    top = cands[max(range(len(probs)), key=probs.__getitem__)]
    best = top.features
    period = period_years(normalize(top.hit.document.title))
    other = best["year_conflict"] or best["year_title_conflict"] or (period and not set(plan.years) & period)
    return bool(other) and not any((_year_in_context(c, plan.years) or c.features["numbers_q"])
                                   and p >= add_at * KIND_BAR for c, p in zip(cands, probs, strict=True))


def _year_in_context(c: Candidate, years: Sequence[str]) -> bool:
    """Whether the sentence, what precedes it in its passage, or its headings give a year asked
    ("到2025年，…" then "…比重达到2.2%以上"), or the sentence gives no year and the asked one
    ends the period its document's title covers (a "十四五" plan's targets are for 2025)."""
    context = normalize(" ".join(c.hit.chunk.heading_path) + " " + c.hit.chunk.text[: c.sentence.end])
    if set(years) & set(YEAR.findall(context)):
        return True
    period = period_years(normalize(c.hit.document.title))
    return bool(period) and max(period) in years and not YEAR.findall(normalize(c.sentence.text))


def _off_topic(cands: Sequence[Candidate]) -> bool:
    """No passage found, read with its headings, holds even TOPIC_BAR of the question's key
    terms (weighted by rarity): what was asked is not what they are about."""
    return max(c.features["cov_ctx"] for c in cands) < TOPIC_BAR


def _using(plan: Plan, cands: Sequence[Candidate], probs: Sequence[float]) -> list[Pick]:
    """Per document, the likeliest sentence holding a quoted term whose meaning is asked."""
    terms = [compact(t) for t in plan.meaning_of]
    best: dict[str, Pick] = {}
    for c, p in sorted(zip(cands, probs, strict=True), key=lambda x: -x[1]):
        doc_id = c.hit.document.doc_id
        if doc_id not in best and any(t in compact(normalize(c.sentence.text)) for t in terms):
            best[doc_id] = Pick(c.hit, c.sentence, c.index, p)
    return list(best.values())


_HOW_MUCH = re.compile(r"多少|几(?!乎)|多大|多高|多重|多远")
# Names a sentence quotes (《…》 titles, “金融30条”, “十四五”): their numbers are no amounts.
_NAMES = re.compile(r"《[^《》]*》|“[^“”]{1,20}”|「[^「」]{1,20}」")


def _no_amount(plan: Plan, picks: Sequence[Pick]) -> bool:
    """The question asks first how much (每件给多少, 最多能贷多少), not whether, and no quoted
    sentence states an amount of the kind asked: the passages speak of the thing, not of it."""
    first = plan.parts[0] if plan.parts else plan
    if not (first.wants_figure and "yesno" not in first.kinds and _HOW_MUCH.search(first.normalized)):
        return False
    return not any(has_kind(first, _NAMES.sub("", normalize(p.sentence.text))) for p in picks)


_CONDITIONS_ASKED = re.compile(r"(?:什么|哪些|哪几[个项条]?)(?:基本)?(?:条件|要求|资格)|(?:条件|资格)是什么"
                               r"|要满足|需要满足|需满足")
_CONDITION_SAID = re.compile(r"条件|资格|要求|应当|应|须|需|具备|具有|符合|满足|年满|以上|以下|不得|不超过|不低于")


def _no_condition(plan: Plan, picks: Sequence[Pick]) -> bool:
    """The question asks first what conditions must be met (备案要满足哪些条件) and no passage
    quoted states any (条件, 应当, 须, 具备, 符合, 以上…): it names the thing, not its terms."""
    first = plan.parts[0] if plan.parts else plan
    if not _CONDITIONS_ASKED.search(first.normalized) or "yesno" in first.kinds:
        return False
    return not any(_CONDITION_SAID.search(normalize(p.hit.chunk.text)) for p in picks)


def _other_place(plan: Plan, cands: Sequence[Candidate]) -> bool:
    """The question names a place and every candidate comes from a document about another
    place that does not mention it ("甲市的补贴" over one city's rules): that place's
    rules are not in the corpus. A document naming no place (a national one) never conflicts."""
    return bool(plan.places) and bool(cands) and all(c.features["place_conflict"] for c in cands)


def _no_figure(plan: Plan, cands: Sequence[Candidate], probs: Sequence[float], add_at: float) -> bool:
    """A figure or a date is asked (多少, 比例, 几家, 哪天) and no likely sentence states one of
    its kind ("按多少比例补助" over "按一定比例给予补助")."""
    if not (plan.wants_figure or plan.asks("date")) or plan.parts or plan.fields:
        return False
    return not any(c.features["kind_hit"] and p >= add_at * KIND_BAR for c, p in zip(cands, probs, strict=True))


def _with_gaps(answer: Answer, plan: Plan, missed: Sequence[str]) -> Answer:
    """`answer` with a last line naming what the question asks that it does not answer."""
    if not missed:
        return answer
    gaps = "、".join(f"“{what}”" for what in missed)
    return replace(answer, text=answer.text + "\n" + to_script(f"{REFUSAL_PHRASE}关于{gaps}的内容。", plan.script))
