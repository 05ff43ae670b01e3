"""Run a pipeline over an evaluation dataset and summarise the figures.

A pipeline is anything with `retrieve(query, k, filters=None, mode=...)` and
`ask(question, persona=...)` — the assistant from `build_assistant`, the peer baseline, or a
fake in tests. Retrieval is run once per mode (dense / bm25 / fused); answers once per question.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.types import Answer, Hit
from eval import metrics as m
from eval.dataset import EvalItem

RETRIEVAL_DEPTH = 10
BREAKDOWNS: dict[str, Callable[[EvalItem], str]] = {
    "by_persona": lambda item: item.persona,
    "by_type": lambda item: item.type,
    "by_script": lambda item: item.script,
}


class Pipeline(Protocol):
    def retrieve(
        self, query: str, k: int | None = None, filters: Any = None, mode: str = "fused"
    ) -> list[Hit]: ...

    def ask(self, question: str, *, persona: Any = None) -> Answer: ...


@dataclass(frozen=True)
class Ranked:
    """One retrieved chunk: where it is, its id and score (for TREC run files)."""

    span: m.Span
    chunk_id: str
    score: float


@dataclass(frozen=True)
class QuestionRun:
    item: EvalItem
    retrieved: dict[str, tuple[Ranked, ...]]  # mode -> ranked chunks, best first
    answer_text: str = ""
    cited: tuple[m.Span, ...] = ()
    refused: bool = False
    latency_ms: float | None = None  # None when answers were not run


@dataclass(frozen=True)
class PipelineRun:
    name: str
    modes: tuple[str, ...]
    headline_mode: str  # the mode whose retrieval figures head the summary
    questions: tuple[QuestionRun, ...]


@dataclass(frozen=True)
class Figures:
    """Every headline figure over a set of questions; None where a figure does not apply."""

    n: int
    hit1: float | None
    hit3: float | None
    hit5: float | None
    hit10: float | None
    recall5: float | None
    mrr10: float | None
    ndcg10: float | None
    citation_precision: float | None = None
    citation_recall: float | None = None
    refusal_accuracy: float | None = None
    false_refusal_rate: float | None = None
    number_recall: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        """Figures under their public names (`hit@5`, `mrr@10`, …)."""
        return {"n": self.n} | {name: getattr(self, attr) for name, attr in FIGURE_NAMES.items()}


# Public figure name -> Figures attribute. These names are the JSON interface.
FIGURE_NAMES: dict[str, str] = {
    "hit@1": "hit1", "hit@3": "hit3", "hit@5": "hit5", "hit@10": "hit10",
    "recall@5": "recall5", "mrr@10": "mrr10", "ndcg@10": "ndcg10",
    "citation_precision": "citation_precision", "citation_recall": "citation_recall",
    "refusal_accuracy": "refusal_accuracy", "false_refusal_rate": "false_refusal_rate",
    "number_recall": "number_recall",
    "latency_p50_ms": "latency_p50_ms", "latency_p95_ms": "latency_p95_ms",
}
LOWER_IS_BETTER = frozenset({"false_refusal_rate", "latency_p50_ms", "latency_p95_ms"})
RETRIEVAL_FIGURES = ("hit@1", "hit@3", "hit@5", "hit@10", "recall@5", "mrr@10", "ndcg@10")


@dataclass(frozen=True)
class Summary:
    name: str
    overall: Figures
    by_mode: dict[str, Figures]  # retrieval figures per mode
    breakdowns: dict[str, dict[str, Figures]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = self.overall.as_dict()
        out["retrieval_by_mode"] = {
            mode: {k: v for k, v in f.as_dict().items() if k == "n" or k in RETRIEVAL_FIGURES}
            for mode, f in self.by_mode.items()
        }
        for key, groups in self.breakdowns.items():
            out[key] = {group: f.as_dict() for group, f in sorted(groups.items())}
        return out


def _spans(hits: Sequence[Hit]) -> tuple[Ranked, ...]:
    return tuple(
        Ranked(m.Span(h.document.source, h.chunk.start, h.chunk.end), h.chunk.chunk_id,
               h.fused_score)
        for h in hits
    )


def run_pipeline(
    name: str, pipeline: Pipeline, items: Sequence[EvalItem], *, modes: Sequence[str],
    headline_mode: str | None = None, answers: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> PipelineRun:
    """Retrieve for every question in every mode, then (unless `answers=False`) ask it."""
    if not modes:
        raise ValueError("run_pipeline needs at least one retrieval mode")
    if answers and items:
        _warm_up(pipeline, items[0])
    runs = []
    for i, item in enumerate(items, 1):
        retrieved = {
            mode: _spans(pipeline.retrieve(item.question, k=RETRIEVAL_DEPTH, mode=mode))
            for mode in modes
        }
        if answers:
            t0 = time.perf_counter()
            answer = pipeline.ask(item.question, persona=item.persona)
            latency = (time.perf_counter() - t0) * 1000.0
            cited = tuple(m.Span(c.source, c.start, c.end) for c in answer.citations)
            runs.append(QuestionRun(item, retrieved, answer.text, cited, answer.refused, latency))
        else:
            runs.append(QuestionRun(item, retrieved))
        if progress:
            progress(i, len(items))
    headline = headline_mode or ("fused" if "fused" in modes else modes[-1])
    return PipelineRun(name, tuple(modes), headline, tuple(runs))


def _warm_up(pipeline: Pipeline, item: EvalItem) -> None:
    """Load models, index and lazy tables before timing, so latency is per question only."""
    warm = getattr(pipeline, "warm_up", None)
    if callable(warm):
        warm()
    pipeline.ask(item.question, persona=item.persona)  # untimed: first-use costs land here


def figures(questions: Sequence[QuestionRun], mode: str, *, answers: bool = True) -> Figures:
    """All figures over `questions`, with retrieval figures from `mode`."""
    def ranked(q: QuestionRun) -> list[m.Span]:
        return [r.span for r in q.retrieved.get(mode, ())]

    retr = [q for q in questions if q.item.evidence]
    def over(fn: Callable[[QuestionRun], float | None]) -> float | None:
        return m.mean(fn(q) for q in retr)

    base = Figures(
        n=len(questions),
        hit1=over(lambda q: m.hit_at_k(ranked(q), q.item.evidence, 1)),
        hit3=over(lambda q: m.hit_at_k(ranked(q), q.item.evidence, 3)),
        hit5=over(lambda q: m.hit_at_k(ranked(q), q.item.evidence, 5)),
        hit10=over(lambda q: m.hit_at_k(ranked(q), q.item.evidence, 10)),
        recall5=over(lambda q: m.recall_at_k(ranked(q), q.item.evidence, 5)),
        mrr10=over(lambda q: m.reciprocal_rank(ranked(q), q.item.evidence, 10)),
        ndcg10=over(lambda q: m.ndcg_at_k(ranked(q), q.item.evidence, 10)),
    )
    timed = [q for q in questions if q.latency_ms is not None]
    if not answers or not timed:
        return base
    answerable = [q for q in timed if q.item.answerable]
    latencies = [q.latency_ms for q in timed if q.latency_ms is not None]
    return Figures(
        **{k: getattr(base, k) for k in ("n", "hit1", "hit3", "hit5", "hit10", "recall5",
                                         "mrr10", "ndcg10")},
        citation_precision=m.mean(
            m.citation_precision(q.cited, q.item.evidence) for q in answerable
        ),
        citation_recall=m.mean(m.citation_recall(q.cited, q.item.evidence) for q in answerable),
        refusal_accuracy=m.refusal_accuracy([q.refused for q in timed if not q.item.answerable]),
        false_refusal_rate=m.false_refusal_rate([q.refused for q in answerable]),
        number_recall=m.mean(
            m.number_recall(q.item.gold_answer, q.answer_text) for q in answerable
        ),
        latency_p50_ms=m.percentile(latencies, 50),
        latency_p95_ms=m.percentile(latencies, 95),
    )


def summarize(run: PipelineRun) -> Summary:
    """Overall figures (retrieval from the headline mode), per-mode retrieval and break-downs."""
    qs = run.questions
    breakdowns: dict[str, dict[str, Figures]] = {}
    for key, attr in BREAKDOWNS.items():
        groups: dict[str, list[QuestionRun]] = {}
        for q in qs:
            groups.setdefault(attr(q.item), []).append(q)
        breakdowns[key] = {g: figures(members, run.headline_mode) for g, members in groups.items()}
    return Summary(
        name=run.name,
        overall=figures(qs, run.headline_mode),
        by_mode={mode: figures(qs, mode, answers=False) for mode in run.modes},
        breakdowns=breakdowns,
    )
