"""Evaluate several corpora in one run: each with its own index, ours beside the baseline.

Each corpus is indexed into its own folder under `<data_dir>/eval/` (named from the documents
folder), so evaluation never reads the user's index or uploads, and re-runs only embed what
changed. Figures are reported per corpus and as their macro average (the mean of the corpora's
figures, so a small corpus counts as much as a large one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.errors import EvalError
from config.settings import Settings
from eval.corpora import Corpus
from eval.dataset import EvalItem, load_dataset
from eval.metadata_report import FieldScore, load_gold, score
from eval.run import FIGURE_NAMES, PipelineRun, Summary, run_pipeline, summarize

PIPELINES = ("ours", "baseline")


@dataclass(frozen=True)
class CorpusResult:
    corpus: Corpus
    items: list[EvalItem]
    runs: list[PipelineRun]
    summaries: list[Summary]
    metadata: dict[str, FieldScore] | None = None

    def figures(self) -> dict[str, dict[str, Any]]:
        """pipeline → its figures (`Summary.as_dict`)."""
        return {s.name: s.as_dict() for s in self.summaries}


def corpus_settings(settings: Settings, corpus: Corpus) -> Settings:
    """Settings that index `corpus` into a folder of its own under `<data_dir>/eval/`."""
    docs = corpus.docs.resolve()
    slug = f"{docs.name}-{hashlib.sha256(str(docs).encode()).hexdigest()[:8]}"
    return settings.with_overrides(paths={"corpus": docs, "data_dir": settings.paths.data_dir / "eval" / slug})


def evaluate_corpus(corpus: Corpus, settings: Settings, *, pipelines: Sequence[str], modes: Sequence[str],
                    progress: Callable[[str], None] | None = None) -> CorpusResult:
    """Index one corpus and run the chosen pipelines over its questions."""
    items = load_dataset(corpus.questions, corpus.docs)
    if not items:
        raise EvalError(f"{corpus.questions} has no questions")
    local = corpus_settings(settings, corpus)
    runs: list[PipelineRun] = []
    ours = None
    if "ours" in pipelines:
        ours = _ours(local)
        if progress:
            progress(f"{corpus.name}: ours over {len(items)} questions")
        runs.append(run_pipeline("ours", ours, items, modes=modes))
    if "baseline" in pipelines:
        if progress:
            progress(f"{corpus.name}: baseline over {len(items)} questions")
        runs.append(run_pipeline("baseline", _baseline(local, ours), items, modes=("dense",)))
    metadata = None
    if corpus.metadata is not None and ours is not None:
        metadata = score(ours.documents(), load_gold(corpus.metadata))
    return CorpusResult(corpus, items, runs, [summarize(r) for r in runs], metadata)


def macro(results: Sequence[CorpusResult]) -> dict[str, dict[str, float | None]]:
    """pipeline → figure → the mean of the corpora's values (those that have one)."""
    out: dict[str, dict[str, float | None]] = {}
    for name in PIPELINES:
        per = [r.figures()[name] for r in results if name in r.figures()]
        if not per:
            continue
        out[name] = {}
        for fig in ["n", *FIGURE_NAMES]:
            values = [p[fig] for p in per if p.get(fig) is not None]
            out[name][fig] = sum(values) / len(values) if values else None
    return out


def _ours(settings: Settings) -> Any:
    # Imported lazily: the assistant pulls in the index, retrievers and answerers.
    from assistant.build import build_assistant

    assistant = build_assistant(settings)
    # Incremental: only new or changed files are embedded, so this is cheap when current,
    # and the figures are always for the corpus as it is now.
    assistant.reindex(progress=False)
    return assistant


def _baseline(settings: Settings, ours: Any | None) -> Any:
    from eval.baseline import build_baseline
    from index.embed import make_embedder

    embedder = getattr(ours, "embedder", None) or make_embedder(settings.embedding)
    return build_baseline(settings.paths.corpus, embedder, _answerer(settings))


def _answerer(settings: Settings) -> Any:
    """Our extractive answerer with our settings, so the baseline differs only in loading,
    chunking and retrieval. A fresh one: ours may be wired to look up sibling chunks in our
    index, which would leak our chunks into the baseline's answers."""
    from assistant.extractive import ExtractiveAnswerer

    return ExtractiveAnswerer(settings.answer)


def result_paths(out: Path, results: Sequence[CorpusResult]) -> dict[str, Path]:
    """A report folder per corpus inside `out`."""
    return {r.corpus.name: out / r.corpus.name for r in results}
