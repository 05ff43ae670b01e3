"""Fit the extractive answerer's scorer from labelled questions (`assistant.scorer`).

    python -m eval.fit_scorer --loco            # every model: all corpora, and one per left-out corpus
    python -m eval.fit_scorer --leave-out policy-mix --out FILE
    python -m eval.fit_scorer --corpus-set my-corpora.yaml

For each question of each corpus the assistant plans and retrieves exactly as it does when
answering; every candidate sentence gets its features (`assistant.features`) and a label: 1 when
it overlaps a gold evidence quote. Two logistic models are fitted with L2 regularisation: the
sentence model on the candidates, the answer model on each question's retrieval summary (the
sentence probabilities it sees are out-of-fold, so it learns from probabilities like those of
unseen questions). Both thresholds come from held-out data: `refuse_below` is the one that
refuses most unanswerable questions while refusing at most `MAX_FALSE_REFUSAL` of answerable
ones, and `add_at` the one whose answers match the evidence best (mean F1), both on
cross-validation folds of the training questions.

`--loco` writes `assistant/models/scorer.json` (fitted on every corpus: the packaged default)
and `assistant/models/scorer-without-<name>.json` for each corpus (fitted on the others): the
latter are what `policyqa eval --leave-one-out` measures each corpus with, the honest forecast
for a corpus the scorer never saw.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from assistant.features import QUESTION_FEATURES, SENTENCE_FEATURES, Candidate, question_features
from assistant.scorer import CLIP, DEFAULT, MODELS, Logistic, Scorer
from config import load_settings
from config.errors import PolicyQAError
from config.settings import Settings
from eval.corpora import Corpus, load_corpus_set
from eval.dataset import EvalItem, load_dataset, overlaps
from eval.suite import corpus_settings

CORPUS_SET = Path(__file__).with_name("corpora_fit.yaml")
FOLDS = 5
L2 = 1.0
ANSWER_L2 = 10.0  # the answer model sees one row per question, far fewer than sentences: a stronger prior
MAX_FALSE_REFUSAL = 0.06
SEED = 7


@dataclass
class Example:
    """One question's candidates, their labels, and what the answer model needs."""

    corpus: str
    item: EvalItem
    plan: object
    hits: list
    candidates: list[Candidate]
    labels: list[int]


def collect(corpus: Corpus, settings: Settings) -> list[Example]:
    """Plan, retrieve and label every question of a corpus (its index is built if needed)."""
    from assistant.build import build_assistant
    from assistant.features import candidates

    assistant = build_assistant(corpus_settings(settings, corpus))
    assistant.reindex(progress=False)
    out = []
    for item in _items(corpus):
        plan, hits = assistant.prepare(item.question)
        cands = candidates(plan, hits)
        labels = [int(_is_evidence(c, item)) for c in cands]
        out.append(Example(corpus.name, item, plan, hits, cands, labels))
    return out


def _items(corpus: Corpus) -> list[EvalItem]:
    return [item for f in corpus.question_files for item in load_dataset(f, corpus.docs)]


def _is_evidence(c: Candidate, item: EvalItem) -> bool:
    start = c.hit.chunk.start + c.sentence.start
    end = c.hit.chunk.start + c.sentence.end
    return any(ev.file == c.hit.document.source and any(overlaps(start, end, a, b) for a, b in ev.spans)
               for ev in item.evidence)


# ---- logistic regression -------------------------------------------------------------------


def fit_logistic(names: Sequence[str], rows: Sequence[dict[str, float]], labels: Sequence[int],
                 l2: float = L2) -> Logistic:
    """L2-regularised logistic regression by Newton's method on standardised features."""
    x = np.array([[r.get(n, 0.0) for n in names] for r in rows], dtype=float)
    y = np.asarray(labels, dtype=float)
    mean = x.mean(axis=0) if len(x) else np.zeros(len(names))
    scale = x.std(axis=0) if len(x) else np.ones(len(names))
    scale[scale < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), np.clip((x - mean) / scale, -CLIP, CLIP)])
    w = np.zeros(z.shape[1])
    penalty = np.eye(z.shape[1]) * l2
    penalty[0, 0] = 0.0  # the bias is not penalised
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + penalty @ w
        hess = z.T @ (z * (p * (1 - p))[:, None]) + penalty + np.eye(len(w)) * 1e-9
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(tuple(names), tuple(float(v) for v in w[1:]), float(w[0]), tuple(float(v) for v in mean),
                    tuple(float(v) for v in scale))


def _folds(n: int, k: int = FOLDS) -> list[np.ndarray]:
    order = np.random.default_rng(SEED).permutation(n)
    return [order[i::k] for i in range(k)]


def fit(examples: Sequence[Example], fitted_on: Sequence[str], command: str) -> Scorer:
    """Both models and both thresholds from `examples` (see the module docstring)."""
    folds = _folds(len(examples))
    oof_probs: list[list[float]] = [[] for _ in examples]
    for fold in folds:
        held = set(fold.tolist())
        train = [e for i, e in enumerate(examples) if i not in held]
        model = _sentence_model(train)
        for i in fold:
            oof_probs[i] = model.probabilities([c.features for c in examples[i].candidates])
    qrows = [question_features(e.plan, e.hits, oof_probs[i], e.candidates)  # type: ignore[arg-type]
             for i, e in enumerate(examples)]
    answerable = [int(e.item.answerable) for e in examples]
    oof_answer = [0.0] * len(examples)
    for fold in folds:
        held = set(fold.tolist())
        model = fit_logistic(QUESTION_FEATURES, [r for i, r in enumerate(qrows) if i not in held],
                             [a for i, a in enumerate(answerable) if i not in held], l2=ANSWER_L2)
        for i in fold:
            oof_answer[i] = model.probability(qrows[i])
    refuse_below, refusal_figures = _refusal_threshold(oof_answer, answerable)
    add_at, add_f1 = _add_threshold(examples, oof_probs)
    return Scorer(
        sentence=_sentence_model(examples), answer=fit_logistic(QUESTION_FEATURES, qrows, answerable, l2=ANSWER_L2),
        refuse_below=refuse_below, add_at=add_at, fitted_on=tuple(fitted_on),
        notes={"questions": len(examples), "answerable": sum(answerable),
               "candidates": sum(len(e.candidates) for e in examples),
               "evidence_candidates": sum(sum(e.labels) for e in examples),
               "held_out": {**refusal_figures, "add_f1": round(add_f1, 3)},
               "command": command, "fitted": datetime.now(UTC).strftime("%Y-%m-%d")},
    )


def _sentence_model(examples: Sequence[Example]) -> Logistic:
    rows = [c.features for e in examples for c in e.candidates]
    labels = [y for e in examples for y in e.labels]
    return fit_logistic(SENTENCE_FEATURES, rows, labels)


def _refusal_threshold(probs: Sequence[float], answerable: Sequence[int]) -> tuple[float, dict[str, float]]:
    """The threshold refusing most unanswerable questions with at most MAX_FALSE_REFUSAL of
    answerable ones refused (on held-out probabilities)."""
    pos = [p for p, a in zip(probs, answerable, strict=True) if a]
    neg = [p for p, a in zip(probs, answerable, strict=True) if not a]
    best = (0.0, -1.0, 0.0, 0.0)  # threshold, score, refusal accuracy, false refusals
    for t in sorted({0.0, *probs}):
        false_refusal = sum(p < t for p in pos) / max(1, len(pos))
        refusal = sum(p < t for p in neg) / max(1, len(neg))
        if false_refusal <= MAX_FALSE_REFUSAL and refusal - false_refusal > best[1]:
            best = (t, refusal - false_refusal, refusal, false_refusal)
    return best[0], {"refusal_accuracy": round(best[2], 3), "false_refusal_rate": round(best[3], 3)}


def _add_threshold(examples: Sequence[Example], probs: Sequence[Sequence[float]]) -> tuple[float, float]:
    """The probability at which a sentence beyond the best joins the answer: the one giving the
    best mean F1 between the chosen sentences and the evidence (held-out probabilities)."""
    answerable = [(e, p) for e, p in zip(examples, probs, strict=True) if e.item.answerable and e.labels]
    best = (0.5, -1.0)
    for t in np.linspace(0.05, 0.95, 37):
        scores = []
        for e, p in answerable:
            if not p:
                continue
            top = int(np.argmax(p))
            chosen = {top} | {i for i, v in enumerate(p) if v >= t}
            right = sum(e.labels[i] for i in chosen)
            wanted = max(1, sum(e.labels))
            precision, recall = right / len(chosen), right / wanted
            scores.append(0.0 if not right else 2 * precision * recall / (precision + recall))
        mean = float(np.mean(scores)) if scores else 0.0
        if mean > best[1]:
            best = (float(t), mean)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_scorer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus-set", type=Path, default=CORPUS_SET, metavar="FILE",
                        help=f"labelled corpora to fit on (default: {CORPUS_SET})")
    parser.add_argument("--leave-out", action="append", default=[], metavar="NAME",
                        help="fit without this corpus (repeatable)")
    parser.add_argument("--out", type=Path, metavar="FILE", help=f"where to write the scorer (default: {DEFAULT})")
    parser.add_argument("--loco", action="store_true",
                        help="write the default scorer and one per left-out corpus into assistant/models/")
    args = parser.parse_args(argv)
    command = "python -m eval.fit_scorer " + " ".join(argv if argv is not None else sys.argv[1:])
    try:
        settings = load_settings()
        corpora = load_corpus_set(args.corpus_set)
        data: dict[str, list[Example]] = {}
        for corpus in corpora:
            print(f"collecting {corpus.name} …", file=sys.stderr)
            data[corpus.name] = collect(corpus, settings)
        jobs = [(tuple(args.leave_out), args.out or DEFAULT)]
        if args.loco:
            jobs = [((), DEFAULT)] + [((c.name,), MODELS / f"scorer-without-{c.name}.json") for c in corpora]
        for left_out, path in jobs:
            names = [n for n in data if n not in left_out]
            examples = [e for n in names for e in data[n]]
            scorer = fit(examples, names, command)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(scorer.to_json() + "\n", encoding="utf-8")
            held = scorer.notes["held_out"]
            print(f"{path}: fitted on {', '.join(names)} ({len(examples)} questions); refuse below "
                  f"{scorer.refuse_below:.3f}, add at {scorer.add_at:.3f}; held out: {held}")
    except PolicyQAError as exc:
        print(f"fit_scorer: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
