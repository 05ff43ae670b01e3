"""Retrieval and answer metrics as pure functions over typed inputs.

A retrieved chunk or a citation is a `Span` (file, start, end) in the file's decoded text.
It *covers* an evidence item when it overlaps one of the places the item's quote occurs in
the same file (a quote printed twice, as in pages rendered twice, counts at both places).

Conventions, chosen so that paragraph-sized and page-sized chunks are judged alike:
- hit@k: some item in the top k covers some evidence item.
- evidence recall@k: the share of evidence items covered by the top k; a cross-document
  question (evidence in two or more files) scores 1 only when every item is covered, else 0,
  because a comparison cannot be answered from one side.
- MRR@10: 1 / rank of the first covering item.
- nDCG@10: the gain at a rank is the number of evidence items it covers *for the first time*
  (a second copy of the same paragraph earns nothing); the ideal ranking covers one new item
  per rank; the ratio is capped at 1 (a chunk covering several items at once is as good as
  the ideal).
Ranks are the order of the list as the pipeline returned it: equal scores keep that order.
Metrics that do not apply to a question (no evidence, no numbers, no citations) are `None`
and are left out of averages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from eval.dataset import overlaps
from index.normalize import normalize
from index.numbers import quantities


@dataclass(frozen=True)
class Span:
    """A retrieved chunk or a cited passage: a character span in one corpus file."""

    file: str
    start: int
    end: int


class EvidenceLike(Protocol):
    """What the metrics need of an evidence item (`eval.dataset.Evidence` fits)."""

    @property
    def file(self) -> str: ...

    @property
    def spans(self) -> tuple[tuple[int, int], ...]: ...


def covers(span: Span, evidence: EvidenceLike) -> bool:
    """True when `span` overlaps any place the evidence quote occurs in the same file."""
    return span.file == evidence.file and any(
        overlaps(span.start, span.end, s, e) for s, e in evidence.spans
    )


def is_relevant(span: Span, evidence: Sequence[EvidenceLike]) -> bool:
    return any(covers(span, ev) for ev in evidence)


def is_cross_document(evidence: Sequence[EvidenceLike]) -> bool:
    return len({ev.file for ev in evidence}) > 1


def hit_at_k(ranked: Sequence[Span], evidence: Sequence[EvidenceLike], k: int) -> float | None:
    """1.0 when one of the top `k` spans covers some evidence item, else 0.0."""
    if not evidence:
        return None
    return 1.0 if any(is_relevant(s, evidence) for s in ranked[:k]) else 0.0


def covered_share(spans: Iterable[Span], evidence: Sequence[EvidenceLike]) -> float | None:
    """Share of evidence items covered by `spans`; all-or-nothing for cross-document items."""
    if not evidence:
        return None
    spans = list(spans)
    covered = sum(1 for ev in evidence if any(covers(s, ev) for s in spans))
    if is_cross_document(evidence):
        return 1.0 if covered == len(evidence) else 0.0
    return covered / len(evidence)


def recall_at_k(ranked: Sequence[Span], evidence: Sequence[EvidenceLike], k: int) -> float | None:
    """Evidence recall of the top `k` spans (see `covered_share`)."""
    return covered_share(ranked[:k], evidence)


def reciprocal_rank(
    ranked: Sequence[Span], evidence: Sequence[EvidenceLike], k: int = 10
) -> float | None:
    """1 / rank of the first covering span within the top `k`; 0.0 when there is none."""
    if not evidence:
        return None
    for rank, span in enumerate(ranked[:k], 1):
        if is_relevant(span, evidence):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(
    ranked: Sequence[Span], evidence: Sequence[EvidenceLike], k: int = 10
) -> float | None:
    """nDCG with first-coverage gains and one-new-item-per-rank ideal, capped at 1."""
    if not evidence:
        return None
    seen: set[int] = set()
    dcg = 0.0
    for rank, span in enumerate(ranked[:k], 1):
        new = {i for i, ev in enumerate(evidence) if i not in seen and covers(span, ev)}
        seen |= new
        dcg += len(new) / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(evidence), k) + 1))
    return min(1.0, dcg / ideal)


def citation_precision(cited: Sequence[Span], evidence: Sequence[EvidenceLike]) -> float | None:
    """Share of citations that overlap gold evidence; None without citations or evidence."""
    if not cited or not evidence:
        return None
    return sum(1 for s in cited if is_relevant(s, evidence)) / len(cited)


def citation_recall(cited: Sequence[Span], evidence: Sequence[EvidenceLike]) -> float | None:
    """Evidence recall of the cited spans (a refusal with no citations scores 0)."""
    return covered_share(cited, evidence)


def refusal_accuracy(refused_on_unanswerable: Sequence[bool]) -> float | None:
    """Share of unanswerable questions that were refused."""
    return _share(refused_on_unanswerable)


def false_refusal_rate(refused_on_answerable: Sequence[bool]) -> float | None:
    """Share of answerable questions that were refused."""
    return _share(refused_on_answerable)


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


# --- numbers -----------------------------------------------------------------------------

_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)} | {0xFF0E: ord("."), 0xFF0C: ord(",")}
_UNITS = {"万": Decimal(10**4), "萬": Decimal(10**4), "亿": Decimal(10**8), "億": Decimal(10**8)}
# A thousands-grouped integer (1,573 / 12,000,000), or digits with an optional decimal part
# that a scraper may have split with spaces ("2771. 4"); then an optional 万/亿 unit.
_NUMBER = re.compile(
    r"(?<![\d.])(?:(?P<grouped>\d{1,3}(?:,\d{3})+)(?![\d])|(?P<plain>\d+(?:\. ?\d+)?))"
    r"\s*(?P<unit>[万萬亿億])?"
)


def extract_numbers(text: str) -> set[Decimal]:
    """The numbers in `text` as values: full-width digits, separators, split decimals and
    万/亿 units normalised, so "2771. 4萬元", "２７７１.４万元" and "27,714,000元" agree."""
    text = text.translate(_FULL_WIDTH)
    out: set[Decimal] = set()
    for m in _NUMBER.finditer(text):
        raw = (m.group("grouped") or "").replace(",", "") or m.group("plain").replace(" ", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern only admits digits
            continue
        if m.group("unit"):
            value *= _UNITS[m.group("unit")]
        out.add(value.normalize())
    # Figures written in Chinese numerals state the same numbers: 一百零六年十一月二十四日
    # holds 106, 11 and 24; 百分之五十 holds 50 (the reader of `index.numbers`).
    out |= {q.value.normalize() for q in quantities(normalize(text)) if not q.text[0].isdigit()}
    return out


def number_recall(gold_answer: str, answer_text: str) -> float | None:
    """Share of the gold answer's numbers present in the answer; None when gold has none."""
    gold = extract_numbers(gold_answer)
    if not gold:
        return None
    return len(gold & extract_numbers(answer_text)) / len(gold)


# --- aggregation -------------------------------------------------------------------------


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that apply (not None); None when none apply."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) with linear interpolation between closest ranks."""
    if not values:
        return None
    data = sorted(values)
    pos = (len(data) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)
