"""The extractive answerer (default; no LLM, offline): verbatim source sentences, each cited.

From the top hits' candidate sentences (`assistant.sentences` scores them) it chooses the best,
then sentences that add what the question asks and the best one lacks; it answers with a lead
line naming the documents, then the chosen sentences as the source has them, each followed by
its [n] marker. Some questions gather more, or other, than the best sentences:

* "哪几项/几个方面" questions whose best sentence leads an item (一是…, ----…, (一)…) list the
  lead sentence of every sibling item under the same heading;
* 责任单位 questions answer with the section's (责任单位:…) note;
* a question asking several things, or listing several items, gets a sentence for each;
* a document's particulars (文号, 落款日期, 签发人…) come from its metadata (`assistant.fields`);
* a question naming its document is answered from that document.

Such lists may hold up to `LIST_FACTOR` × `answer.max_citations` citations: cutting a list
short would misinform. When the hits do not answer, it refuses (`assistant.refusal`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from assistant.check import REFUSAL_PHRASE
from assistant.cite import citation_from_hit, split_sentences, to_answer_script
from assistant.compare import named_documents
from assistant.fields import (
    FIELD_NAMES,
    asked_fields,
    locate,
    names_other_document,
    only_fields,
    states_label,
    target_document,
    value_shape,
)
from assistant.followup import resolve_followup
from assistant.intent import QuestionAnalysis, Term, analyze, compact, coverage, term_match
from assistant.intent import warm_up as warm_up_intent
from assistant.refusal import decide
from assistant.sentences import (
    ITEM,
    Pick,
    candidates,
    context_of,
    has_quantity,
    is_heading,
    is_item_lead,
)
from assistant.types import Answer, Citation, Hit
from config.settings import AnswerSettings
from index.injection import looks_like_instruction
from index.normalize import normalize, to_script
from index.types import Chunk, Document

History = Sequence[tuple[str, str]]
ChunksOf = Callable[[str], Sequence[Chunk]]  # doc_id -> its chunks in order (for list siblings)
Documents = Callable[[], Sequence[Document]]  # every indexed document (to find the one named)
DEPTH = 6  # hits whose sentences are considered
CLOSEST = 3
KEEP_RATIO = 0.8  # a list or 责任单位 note is used when it scores this share of the best
MIN_RATIO = 0.6  # no sentence scoring less than this share of the best is added
MIN_GAIN = 0.12  # a further sentence must bring in this share of the key terms' weight
OTHER_DOC_GAIN = 0.25  # … and more when it comes from another document
LIST_FACTOR = 3
PART_MIN = 0.5  # a sentence is added for a part of a question when it covers this much of it
PART_GAIN = 0.15  # … and this much more than the sentences already chosen
_RESP_NOTE = re.compile(r"[(（]\s*责任单位")


class ExtractiveAnswerer:
    """answer(question, hits, persona=…, history=…) -> Answer, with no language model."""

    name = "extractive"

    def __init__(self, settings: AnswerSettings, *, chunks_of: ChunksOf | None = None,
                 documents: Documents | None = None) -> None:
        self.settings = settings
        self.chunks_of = chunks_of  # lets list answers reach sibling items the hits missed
        self.documents = documents  # lets field questions ("文号?") find the document they name

    def warm_up(self) -> None:
        """Load jieba's dictionary and IDF table now instead of on the first question."""
        warm_up_intent()

    def rewrite_question(self, question: str, history: History) -> str:
        """A follow-up ("那康巴什呢？") made to stand alone from the previous question."""
        return resolve_followup(question, history)

    def answer(
        self, question: str, hits: Sequence[Hit], *, persona: str = "citizen",
        history: History = (),
    ) -> Answer:
        """The extractive answer, or a refusal naming what was asked with the closest hits."""
        analysis = analyze(resolve_followup(question, history))
        decision = decide(analysis, hits, self.settings.refusal_threshold)
        if decision.refuse:
            # "县域创新意见是哪个部门发的？文号多少？" shares few words with any passage, but
            # the document it names states both: its particulars answer it.
            stated = self._particulars_of_named(analysis, hits) if not decision.by_rule else []
            if not stated:
                return self._refusal(question, analysis, hits)
            return self._compose(question, analysis, _group(stated))
        groups = self._select(analysis, hits)
        if not groups:
            return self._refusal(question, analysis, hits)
        return self._compose(question, analysis, groups)

    def stream(
        self, question: str, hits: Sequence[Hit], *, persona: str = "citizen",
        history: History = (),
    ) -> Iterator[str | Answer]:
        """The answer text line by line, then the final `Answer`."""
        answer = self.answer(question, hits, persona=persona, history=history)
        yield from answer.text.splitlines(keepends=True)
        yield answer

    # ---- choosing sentences ---------------------------------------------------------------

    def _select(self, a: QuestionAnalysis, hits: Sequence[Hit]) -> list[list[Pick]]:
        fields = asked_fields(a.normalized)
        if not fields:
            return self._select_passages(a, hits)
        # A document's own particulars (文号, 落款日期, 签发人…) come from its metadata; other
        # parts of the question are answered from the passages as usual.
        doc, found = self._field_picks(a, fields, hits)
        if not only_fields(a.normalized):
            rest = self._select_passages(a, hits)
        elif found or doc is None or not names_other_document(a.normalized, doc):
            return _group(found)  # nothing found: the document does not state it
        else:
            # The field of a document the answer's document cites ("…指导意见的文号") may be
            # stated in a passage: only a sentence holding such a value will do.
            rest = self._select_passages(a, hits, value_shape(fields))
        return _group(_dedupe(found + [p for g in rest for p in g]))

    def _particulars_of_named(self, a: QuestionAnalysis, hits: Sequence[Hit]) -> list[Pick]:
        """Field picks for a question that asks only fields of a document it names, else []."""
        fields = asked_fields(a.normalized)
        if not fields or not only_fields(a.normalized):
            return []
        doc, found = self._field_picks(a, fields, hits)
        return found if doc is not None and doc.doc_id in self._named(a, hits) else []

    def _field_picks(self, a: QuestionAnalysis, fields: Sequence[str],
                     hits: Sequence[Hit]) -> tuple[Document | None, list[Pick]]:
        """The document the question is about, and a pick for each field it states."""
        doc = target_document(a.normalized, hits, self._documents(hits))
        if doc is None:
            return None, []
        chunks = (self.chunks_of(doc.doc_id) if self.chunks_of
                  else [h.chunk for h in hits if h.document.doc_id == doc.doc_id])
        by_id = {h.chunk.chunk_id: h for h in hits}
        out = []
        for field in fields:
            quote = locate(doc, chunks, field)
            if quote is None:
                continue
            hit = by_id.get(quote.chunk.chunk_id) or Hit(chunk=quote.chunk, document=doc, rank=0, fused_score=0.0)
            index = next(i for i, s in enumerate(split_sentences(quote.chunk.text))
                         if s.start <= quote.sentence.start < s.end)
            label = "" if states_label(field, quote.sentence.text) else to_script(FIELD_NAMES[field], a.script)
            out.append(Pick(hit, quote.sentence, index, 1.0, label, field))
        return doc, out

    def _named(self, a: QuestionAnalysis, hits: Sequence[Hit]) -> frozenset[str]:
        """Ids of the documents the question names (by the rare words of their titles)."""
        return frozenset(d.doc_id for d in named_documents(a.normalized, self._documents(hits), min_shared=2))

    def _documents(self, hits: Sequence[Hit]) -> Sequence[Document]:
        """Every indexed document when the answerer was given them, else those of the hits."""
        if self.documents is not None:
            return self.documents()
        return list({h.document.doc_id: h.document for h in hits}.values())

    def _select_passages(self, a: QuestionAnalysis, hits: Sequence[Hit],
                         shape: re.Pattern[str] | None = None) -> list[list[Pick]]:
        # A sentence holding none of the question's words answers nothing, however the
        # passage it sits in scored (the match may be in a title or a metadata label); one
        # addressed to an AI (index.injection) is never quoted as an answer.
        picks = [p for rank, hit in enumerate(hits[:DEPTH]) for p in candidates(a, hit, rank)
                 if p.score > 0 and not looks_like_instruction(p.sentence.text)]
        if shape is not None:
            picks = [p for p in picks if shape.search(normalize(p.sentence.text))]
        if not picks:
            return []
        picks.sort(key=lambda p: -p.score)
        every = list(picks)  # the parts of a question are judged on every candidate
        named = self._named(a, hits)
        if named and any(p.hit.document.doc_id in named for p in picks):
            # The question names its document(s): "康巴什的…" is not answered from another;
            # other parts of the question may still be ("…高企多少家? 赋能方案要求…").
            picks = [p for p in picks if p.hit.document.doc_id in named]
        scoped = list(picks)  # … and its listed items on every candidate of its document(s)
        best = picks[0]
        limit = self.settings.max_citations
        if a.asks("responsible"):
            notes = [p for p in picks if _RESP_NOTE.search(p.sentence.text)]
            if notes and notes[0].score >= KEEP_RATIO * best.score:
                return _group(notes[:1])  # one section's note; the others are other sections
        if a.wants_items:
            item = _best_item(a, [p for p in picks if p.score >= MIN_RATIO * best.score])
            if item is not None:
                siblings = self._siblings(item, hits)
                if len(siblings) > 1:
                    return _group(siblings[: LIST_FACTOR * limit])
        if a.wants_number and shape is None and not a.parts:  # "文号是多少" asks for a 文号
            # A question asking for a figure is answered by sentences that state one (of the
            # kind asked: a share for 多少比例, money for 多少钱); when none of the good
            # sentences does, the documents do not give it: refuse.
            # When the best sentence states no figure of the kind asked, another must be close.
            strict = a.figure is not None and not has_quantity(best.sentence.text, a.figure)
            floor = (KEEP_RATIO if strict else MIN_RATIO) * best.score
            picks = [p for p in picks if has_quantity(p.sentence.text, a.figure) and p.score >= floor]
            if not picks:
                return []
        if a.wants_documents:
            # "在哪些文件里被要求落实?" — the best sentence of each document that says it.
            per_doc = sorted({p.hit.document.doc_id: p for p in reversed(every)}.values(), key=lambda p: -p.score)
            return _group([p for p in per_doc if p.score >= MIN_RATIO * every[0].score][:limit])
        chosen = _cover(a, picks, limit)
        if a.parts or a.items:
            # Parts may be about other documents than the one named; listed items are not.
            chosen += _for_each_part(a, every, scoped, chosen)[: max(0, limit - len(chosen))]
        return _group(_dedupe(chosen))

    def _siblings(self, best: Pick, hits: Sequence[Hit]) -> list[Pick]:
        """The lead sentence of every item chunk under the same heading as `best`."""
        parent = best.hit.chunk.heading_path[:-1]
        doc = best.hit.document
        pool: dict[str, Chunk] = {h.chunk.chunk_id: h.chunk for h in hits if h.document.doc_id == doc.doc_id}
        if self.chunks_of is not None:
            pool.update({c.chunk_id: c for c in self.chunks_of(doc.doc_id)})
        items = sorted((c for c in pool.values() if c.heading_path[:-1] == parent
                        and len(c.heading_path) == len(parent) + 1), key=lambda c: c.start)
        out = []
        for chunk in items:
            sentences = [s for s in split_sentences(chunk.text) if not is_heading(s.text, chunk)]
            if sentences and ITEM.match(sentences[0].text):
                hit = next((h for h in hits if h.chunk.chunk_id == chunk.chunk_id), None)
                hit = hit or Hit(chunk=chunk, document=doc, rank=0, fused_score=0.0)
                out.append(Pick(hit, sentences[0], 0, best.score))
        return out

    # ---- writing the answer ---------------------------------------------------------------

    def _compose(self, question: str, a: QuestionAnalysis, groups: list[list[Pick]]) -> Answer:
        citations: list[Citation] = []
        lines: list[str] = []
        by_title: dict[str, list[int]] = {}  # document title -> its citation numbers
        for group in groups:
            hit = group[0].hit
            n = len(citations) + 1
            citations.append(citation_from_hit(n, hit, group[0].sentence.start,
                                               group[-1].sentence.end))
            lines.append(_join_pieces([_with_marker(p.sentence.text, n, p.label) for p in group]))
            by_title.setdefault(hit.document.title, []).append(n)
        # The lead line names the documents, each with the markers of its quotes, so that it
        # too is backed by citations (a title may hold numbers: 第0581号提案).
        named = "、".join(f"《{_nested(t)}》" + "".join(f"[{n}]" for n in ns)
                         for t, ns in by_title.items())
        lead = to_answer_script(f"根据{named}：", a.script)
        return Answer(question=question, text="\n".join([lead, *lines]),
                      citations=tuple(citations), refused=False, script=a.script,
                      backend=self.name)

    def _refusal(self, question: str, a: QuestionAnalysis, hits: Sequence[Hit]) -> Answer:
        text = to_script(f"{REFUSAL_PHRASE}关于“{a.topic}”的内容。", a.script)
        return Answer(question=question, text=text, citations=(), refused=True, script=a.script,
                      backend=self.name, closest=tuple(hits[:CLOSEST]))


def _for_each_part(a: QuestionAnalysis, for_parts: list[Pick], for_items: list[Pick],
                   chosen: list[Pick]) -> list[Pick]:
    """For a question asking several things, the best sentence for each part (or listed item)
    the chosen ones leave unanswered ("三年计划的目标是多少？康巴什建成了几家？", "A占比、
    B比例是多少" need a sentence for each)."""
    added: list[Pick] = []
    for pa in map(analyze, a.parts + a.items):
        picks = for_parts
        if pa.question in a.items:  # an item shares its clause's question ("…、B是多少")
            pa = replace(pa, wants_number=a.wants_number, figure=a.figure)
            picks = for_items

        def fit(p: Pick, terms: tuple[Term, ...] = pa.terms) -> float:
            return coverage(terms, compact(p.sentence.text) + context_of(p.hit))

        have = max((fit(p) for p in chosen + added), default=0.0)
        options = [p for p in picks if p not in chosen and p not in added
                   and (not pa.wants_number or has_quantity(p.sentence.text, pa.figure))]
        best = max(options, key=lambda p: (fit(p), p.score), default=None)
        if best is not None and fit(best) >= max(PART_MIN, have + PART_GAIN):
            added.append(best)
    return added


def _cover(a: QuestionAnalysis, picks: list[Pick], limit: int) -> list[Pick]:
    """The best sentence, then sentences that add key terms the answer still lacks.

    A question with two parts ("开展多少项目？引进多少成果？") or about two documents gets a
    sentence for each part; a question the best sentence answers gets that sentence alone.
    """
    total = sum(t.weight for t in a.terms) or 1.0
    texts = {id(p): compact(p.sentence.text) for p in picks}
    chosen = [picks[0]]
    have = [term_match(t.text, texts[id(picks[0])]) for t in a.terms]
    top = picks[0].score
    docs = {picks[0].hit.document.doc_id}
    while len(chosen) < limit:
        best_gain, best_pick = 0.0, None
        for p in picks:
            if p in chosen or p.score < MIN_RATIO * top:
                continue
            got = [term_match(t.text, texts[id(p)]) for t in a.terms]
            gain = sum(t.weight * max(0.0, g - h) for t, g, h in zip(a.terms, got, have, strict=True))
            gain = gain / total * p.score / top  # new words from a weaker sentence count less
            need = MIN_GAIN if p.hit.document.doc_id in docs else OTHER_DOC_GAIN
            if gain >= need and gain > best_gain:
                best_gain, best_pick = gain, p
        if best_pick is None:
            break
        docs.add(best_pick.hit.document.doc_id)
        chosen.append(best_pick)
        have = [max(h, term_match(t.text, texts[id(best_pick)])) for t, h in zip(a.terms, have, strict=True)]
    return chosen


def _best_item(a: QuestionAnalysis, picks: list[Pick]) -> Pick | None:
    """For "哪几项" questions: the lead of an item whose parent heading best fits the question.

    The question names the group ("下一步…哪几项工作"), so the parent headings are compared, and
    the items' own scores only break ties.
    """
    leads = [p for p in picks if is_item_lead(p)]
    if not leads:
        return None
    top = max(p.score for p in leads)

    def fit(p: Pick) -> float:
        parent = " ".join(p.hit.chunk.heading_path[:-1])
        return coverage(a.terms, compact(parent)) + 0.3 * p.score / top

    return max(leads, key=fit)


def _dedupe(picks: list[Pick]) -> list[Pick]:
    seen: set[str] = set()
    out = []
    for p in picks:
        key = compact(p.sentence.text)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _group(picks: list[Pick]) -> list[list[Pick]]:
    """Picks in reading order, adjacent sentences of one chunk merged into one citation."""
    ordered = sorted(picks, key=lambda p: (p.hit.document.doc_id != picks[0].hit.document.doc_id,
                                           p.hit.document.doc_id, p.hit.chunk.start, p.index))
    groups: list[list[Pick]] = []
    for p in ordered:
        last = groups[-1][-1] if groups else None
        if last and last.hit.chunk.chunk_id == p.hit.chunk.chunk_id and p.index == last.index + 1:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _with_marker(sentence: str, n: int, label: str = "") -> str:
    """The sentence (whitespace runs collapsed) with [n] before its final punctuation."""
    text = (f"{label}：" if label else "") + " ".join(sentence.split())
    m = re.search(r"[。！？；;!?，,]+$", text)
    return f"{text[: m.start()]}[{n}]{m.group(0)}" if m else f"{text}[{n}]"


def _join_pieces(pieces: list[str]) -> str:
    """Sentences of one quote joined; lines without final punctuation (签发人…, 联系人…) get "；"."""
    out = ""
    for piece in pieces:
        if out and not re.search(r"[。！？；;!?，,：:]$", out):
            out += "；"
        out += piece
    return out


def _nested(title: str) -> str:
    """A title that itself holds 《》 gets 〈〉 inside the outer 《》."""
    return title.strip().replace("《", "〈").replace("》", "〉")

