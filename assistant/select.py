"""Which sentences an extractive answer quotes, from the fitted scorer's probabilities.

The most probable evidence sentence leads. Sentences join it when the scorer rates them at or
above the fitted `add_at`: more of the same answer, the answer for each part of a question that
asks several things, and the other document's figure when two documents both state one (a
comparison, or the same measure given differently). A question that names its documents is
answered from them; asked of each (分别, 各自), each one named answers with its sentence sharing
the question's key terms as well as the best one does, however that sentence is rated. A
question for the items of a structure (哪几项) gets every sibling item of the best item, and so
does one asking 哪些 whose best sentence titles an item when the heading above the items shares
as much of the question (下一步重点工作有哪些表态); one asking for one thing by name (是哪个单位)
gets its best sentence without others rated alike. A best sentence that is only the title of
its passage gives way to the passage's sentences stating the asked kind. An item quoted brings
the sentence announcing its enumeration ("需满足以下条件之一："). A sentence between two quoted
sentences of one passage joins them, and adjacent sentences of one passage become one quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.cite import Sentence, split_sentences
from assistant.features import ITEM, Candidate, candidates, excludes_asked, has_kind, is_heading
from assistant.plan import Plan
from assistant.scorer import Scorer
from assistant.terms import coverage
from assistant.types import Hit
from index.analysis import compact
from index.dates import cn_number
from index.normalize import normalize
from index.types import Chunk

ChunksOf = Callable[[str], Sequence[Chunk]]
NEIGHBOUR_BAR = 0.15  # share of add_at a quoted sentence's neighbour needs to join its quote
PART_BAR = 0.5  # share of add_at the best sentence for a part of the question needs
DOCUMENTS_BAR = 0.5  # share of add_at a document's best sentence needs when asked which documents
_BACK_REFERENCE = re.compile(r"前款|前项|前[两二三四]款|本条第[一二三四五六七八九十]+[款项]|前述|上述")
YEAR_BAR = 0.5  # share of add_at a sentence free of another year needs to lead over one stating it
LIST_FACTOR = 3  # a list of sibling items may hold this many times answer.max_citations


@dataclass(frozen=True)
class Pick:
    """A quoted sentence of a hit, its position in the chunk and its probability."""

    hit: Hit
    sentence: Sentence
    index: int
    p: float
    label: str = ""  # what a bare field value is ("成文日期"), shown before it
    field: str = ""  # the document particular it states
    part: bool = False  # the best sentence for one part of the question, not for the whole
    value: str = ""  # the span of a particular's line stating it, when the line says more (a title)


def scored(plan: Plan, hits: Sequence[Hit], scorer: Scorer) -> tuple[list[Candidate], list[float]]:
    """The candidates of `hits` for `plan` and each one's probability of being evidence."""
    cands = candidates(plan, hits)
    probs = scorer.sentence.probabilities([c.features for c in cands])
    # A sentence that names the asked thing only to leave it out does not state it.
    return cands, [0.0 if excludes_asked(plan, c.sentence.text) else p for c, p in zip(cands, probs, strict=True)]


def choose(plan: Plan, hits: Sequence[Hit], cands: Sequence[Candidate], probs: Sequence[float],
           scorer: Scorer, *, limit: int, chunks_of: ChunksOf | None = None) -> list[Pick]:
    """The sentences to quote, best first (see the module docstring)."""
    # A sentence stating only other years than the one asked ("2020年…1.16%" for "到2025年…")
    # leads only when no likely sentence is free of that conflict.
    conflict = {id(c.sentence) for c in cands if c.features["year_conflict"]}
    demote = bool(conflict) and any(id(c.sentence) not in conflict and p >= scorer.add_at * YEAR_BAR
                                    for c, p in zip(cands, probs, strict=True))
    picks = sorted((Pick(c.hit, c.sentence, c.index, p) for c, p in zip(cands, probs, strict=True)),
                   key=lambda p: (demote and id(p.sentence) in conflict, -p.p))
    if not picks:
        return []
    if plan.documents and not plan.comparison:
        named = [p for p in picks if p.hit.document.doc_id in plan.documents]
        picks = named or picks
    best = picks[0]
    if ((plan.wants_items or (plan.asks("list") and not plan.parts and _heads_its_item(plan, best)))
            and ITEM.match(best.sentence.text)):
        siblings = _siblings(best, hits, chunks_of)
        if len(siblings) > 1:
            return siblings[: LIST_FACTOR * limit]
    chosen = [best]
    # A title quoted alone says what its passage is about, not what it says: the passage's
    # sentences stating the asked kind answer in its place.
    body = _body(plan, best, picks)[:limit] if _titles_passage(best) else []
    if body:
        best, chosen = body[0], body
        picks = [*body, *(p for p in picks if not _same(p, body))]
    # Each part of a question that asks several things: its own best sentence. A part naming
    # its document is rated among that document's passages, a part set against one naming its
    # document (`Plan.contrasted`) among the other documents', as if retrieval had searched
    # only them (a passage ranked below the others' then still counts).
    for part in plan.parts:
        pool = hits
        if plan.contrasted and not part.documents:
            pool = [h for h in hits if h.document.doc_id not in plan.contrasted] or hits
        elif part.documents:
            pool = [h for h in hits if h.document.doc_id in part.documents] or hits
        part_cands, part_probs = scored(part, pool, scorer)
        options = sorted((x for x in zip(part_probs, part_cands, strict=True)
                          if not part.documents or x[1].hit.document.doc_id in part.documents),
                         key=lambda x: -x[0])
        for prob, c in options[:1]:
            pick = Pick(c.hit, c.sentence, c.index, prob, part=True)
            if prob >= scorer.add_at * PART_BAR and not _same(pick, chosen):
                chosen.append(pick)
    # Another document that states the asked thing too: both sides of a comparison, each
    # document saying it (在哪些文件里), or the same measure given differently by two documents.
    docs = {best.hit.document.doc_id}
    for p in picks:
        # Asked which documents say it, or comparing them, a document's best sentence counts at
        # a lower bar.
        bar = scorer.add_at * (DOCUMENTS_BAR if plan.wants_documents or plan.comparison else 1.0)
        if p.hit.document.doc_id in docs or p.p < bar:
            continue
        if plan.comparison or plan.wants_documents or (plan.wants_figure and has_kind(plan, normalize(p.sentence.text))
                               and has_kind(plan, normalize(best.sentence.text))):
            docs.add(p.hit.document.doc_id)
            chosen.append(p)
    # A question naming several documents ("甲省和乙市的条例怎么规定") hears from each: its
    # best sentence joins at the neighbour's bar.
    if len(plan.documents) > 1 and not plan.only_fields:
        cov = {id(c.sentence): c.features["cov"] for c in cands}
        top_cov = cov.get(id(best.sentence), 0.0)
        for doc_id in plan.documents:
            mine = [p for p in picks if p.hit.document.doc_id == doc_id]
            if not mine or doc_id in docs:
                continue
            own: Pick | None = mine[0]
            if mine[0].p < scorer.add_at * NEIGHBOUR_BAR:
                # Asked of each (分别, 各自): the document's sentence sharing the question's key
                # terms as well as the best one does joins, however it is rated.
                closest = max(mine, key=lambda p: cov.get(id(p.sentence), 0.0))
                own = (closest if plan.comparison and top_cov and cov.get(id(closest.sentence), 0.0) >= top_cov
                       else None)
            if own is not None and not _same(own, chosen):
                docs.add(doc_id)
                chosen.append(own)
    # Asked for one thing by name, the best sentence is the answer; others rated alike are not.
    more = [] if plan.wants_one and not plan.parts else picks[1:]
    for p in more:
        if len(chosen) >= limit:
            break
        if p.p >= scorer.add_at and not _same(p, chosen):
            chosen.append(p)
    chosen = dedupe(chosen)[: max(limit, len(plan.parts) + 1)]
    # A neighbour of a quoted sentence in its passage joins at a lower bar: it continues the
    # same rule (the condition before an amount, the exception after it) and becomes part of
    # the same quote.
    by_place = {(p.hit.chunk.chunk_id, p.index): p for p in picks}
    for p in list(chosen):
        for step in (-1, 1):
            near = by_place.get((p.hit.chunk.chunk_id, p.index + step))
            if near is not None and near.p >= scorer.add_at * NEIGHBOUR_BAR and not _same(near, chosen):
                chosen.append(near)
    # A sentence between two quoted ones of the same passage joins them: one quote of the rule.
    places = {(p.hit.chunk.chunk_id, p.index) for p in chosen}
    for chunk_id, index in sorted(places):
        middle = by_place.get((chunk_id, index + 1))
        if (chunk_id, index + 2) in places and middle is not None and not _same(middle, chosen):
            chosen.append(middle)
    # A later sentence of the same article that refers back to it (前款/前项/本条第一款/上述…)
    # qualifies the rule quoted: its exception, its deadline, who else it covers.
    for p in list(chosen):
        for later in _later(p, by_place):
            if _BACK_REFERENCE.search(normalize(later.sentence.text)) and not _same(later, chosen):
                chosen.append(later)
    if plan.asks("list"):
        for p in list(chosen):
            for later in _series(p, by_place):
                if not _same(later, chosen):
                    chosen.append(later)
    # An item quoted without what it is an item of: the sentence opening the enumeration
    # ("…且需满足以下条件之一：") joins it.
    for p in list(chosen):
        opener = _opener(p, by_place)
        if opener is not None and not _same(opener, chosen):
            chosen.append(opener)
    return chosen


def _opener(pick: Pick, by_place: dict[tuple[str, int], Pick]) -> Pick | None:
    """The sentence of `pick`'s passage that opens the run of items `pick` belongs to, when it
    announces them (ends with a colon), with its own probability (0 when not a candidate)."""
    if not ITEM.match(pick.sentence.text):
        return None
    sentences = split_sentences(pick.hit.chunk.text)
    i = pick.index - 1
    while i >= 0 and ITEM.match(sentences[i].text):
        i -= 1
    if i < 0 or not sentences[i].text.rstrip().endswith(("：", ":")):
        return None
    rated = by_place.get((pick.hit.chunk.chunk_id, i))
    return Pick(pick.hit, sentences[i], i, rated.p if rated else 0.0)


# An enumeration inside a passage: "…存在一些问题：一是…；二是…。三是…", "（一）…（二）…".
_ORDINAL = re.compile(r"(?:^|[：:；;，,。]\s*)(?P<open>[(（]?)(?P<n>[一二三四五六七八九十]+)(?P<close>是|[)）]|、)")


def _series(pick: Pick, by_place: dict[tuple[str, int], Pick]) -> list[Pick]:
    """The later sentences of `pick`'s passage that go on with an enumeration the pick holds
    (its 一是 followed by 二是, 三是…), up to the last item found in order."""
    found = list(_ORDINAL.finditer(normalize(pick.sentence.text)))
    if not found:
        return []
    style = (found[-1].group("open"), found[-1].group("close"))
    expected = cn_number(found[-1].group("n"))
    if expected is None:
        return []
    out: list[Pick] = []
    pending: list[Pick] = []
    for later in _later(pick, by_place):
        if len(pending) >= 3:
            break
        m = _ORDINAL.match(normalize(later.sentence.text))
        if m and (m.group("open"), m.group("close")) == style and cn_number(m.group("n")) == expected + 1:
            out += [*pending, later]
            pending, expected = [], expected + 1
        else:
            pending.append(later)  # the rest of an item, kept only when the series goes on
    return out


def items_quoted(picks: Sequence[Pick]) -> int:
    """How many items of one enumeration `picks` (in reading order) quote in full: the markers
    of its style (一是…, （一）…, 一、…) run 1, 2 … n from the first one found, and no n+1
    follows in the passages quoted; 0 when they are not one whole enumeration of two or more."""
    found = [(m.group("open"), m.group("close"), cn_number(m.group("n")))
             for m in _ORDINAL.finditer(normalize("".join(p.sentence.text for p in picks)))]
    if not found:
        return 0
    style = found[0][:2]
    numbers = [n for opened, closed, n in found if (opened, closed) == style]
    if len(numbers) < 2 or numbers != list(range(1, len(numbers) + 1)):
        return 0
    passages = {p.hit.chunk.chunk_id: p.hit.chunk.text for p in picks}
    more = any((m.group("open"), m.group("close")) == style and cn_number(m.group("n")) == len(numbers) + 1
               for text in passages.values() for m in _ORDINAL.finditer(normalize(text)))
    return 0 if more else len(numbers)


def _later(pick: Pick, by_place: dict[tuple[str, int], Pick]) -> list[Pick]:
    """The candidate sentences after `pick` in its passage, in reading order."""
    chunk_id = pick.hit.chunk.chunk_id
    return [later for (cid, index), later in sorted(by_place.items(), key=lambda x: x[0][1])
            if cid == chunk_id and index > pick.index]


def group(picks: Sequence[Pick]) -> list[list[Pick]]:
    """Picks in reading order per document (the best's document first), adjacent sentences of
    one chunk merged into one quote."""
    if not picks:
        return []
    first_doc = picks[0].hit.document.doc_id
    ordered = sorted(picks, key=lambda p: (p.hit.document.doc_id != first_doc, p.hit.document.doc_id,
                                           p.hit.chunk.start, p.index))
    groups: list[list[Pick]] = []
    for p in ordered:
        last = groups[-1][-1] if groups else None
        if last and last.hit.chunk.chunk_id == p.hit.chunk.chunk_id and p.index == last.index + 1:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _siblings(best: Pick, hits: Sequence[Hit], chunks_of: ChunksOf | None) -> list[Pick]:
    """The lead sentence of every item chunk under the same heading as `best`."""
    parent = best.hit.chunk.heading_path[:-1]
    doc = best.hit.document
    pool: dict[str, Chunk] = {h.chunk.chunk_id: h.chunk for h in hits if h.document.doc_id == doc.doc_id}
    if chunks_of is not None:
        pool.update({c.chunk_id: c for c in chunks_of(doc.doc_id)})
    items = sorted((c for c in pool.values() if c.heading_path[:-1] == parent
                    and len(c.heading_path) == len(parent) + 1), key=lambda c: c.start)
    out = []
    for chunk in items:
        sentences = [s for s in split_sentences(chunk.text) if not is_heading(s.text, chunk.heading_path)]
        if sentences and ITEM.match(sentences[0].text):
            hit = next((h for h in hits if h.chunk.chunk_id == chunk.chunk_id), None)
            hit = hit or Hit(chunk=chunk, document=doc, rank=0, fused_score=0.0)
            out.append(Pick(hit, sentences[0], 0, best.p))
    return out


def _heads_its_item(plan: Plan, pick: Pick) -> bool:
    """Whether the sentence is the title of the item its passage is (一是…, heading the chunk)
    and the question is about what the items are under, not about this item: the heading above
    them shares as much of the question as the item does ("下一步工作有哪些" over 二、下一步重点
    工作 › 一是…, 二是…)."""
    path = pick.hit.chunk.heading_path
    if len(path) < 2 or not _titles_passage(pick):
        return False
    return coverage(plan.terms, compact(path[-2])) >= coverage(plan.terms, compact(path[-1]))


def _titles_passage(pick: Pick) -> bool:
    """Whether the sentence is the title its passage sits under ("（三）加强队伍建设。")."""
    path = pick.hit.chunk.heading_path
    return bool(path) and compact(pick.sentence.text).rstrip("。") == compact(path[-1]).rstrip("。")


def _body(plan: Plan, title: Pick, picks: Sequence[Pick]) -> list[Pick]:
    """The sentences of the passage `title` heads that answer in its place, best first: those
    stating the asked kind, else the best rated one."""
    own = sorted((p for p in picks if p.hit.chunk.chunk_id == title.hit.chunk.chunk_id and p.index > title.index),
                 key=lambda p: -p.p)
    stating = [p for p in own if has_kind(plan, normalize(p.sentence.text))]
    return stating or own[:1]


def _same(pick: Pick, chosen: Sequence[Pick]) -> bool:
    key = compact(pick.sentence.text)
    return any(compact(c.sentence.text) == key for c in chosen)


def dedupe(picks: list[Pick]) -> list[Pick]:
    """`picks` without a second quote of the same sentence text."""
    out: list[Pick] = []
    for p in picks:
        if not _same(p, out):
            out.append(p)
    return out
