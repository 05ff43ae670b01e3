"""The fitted scorer: which sentences answer, and whether to answer at all.

Two logistic models over named features (`assistant.features`): the sentence model gives each
candidate sentence the probability that it is evidence for the question; the answer model gives
the probability that the retrieval answers the question at all. Their parameters, the feature
standardisation and two thresholds — refuse below `refuse_below`, add a further sentence at or
above `add_at` — are fitted from labelled questions by `python -m eval.fit_scorer`, which writes
them to a JSON file; nothing here is set by hand. The packaged default (`assistant/models/
scorer.json`) is fitted on every labelled question the repository holds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from config.errors import ConfigError

MODELS = Path(__file__).with_name("models")
DEFAULT = MODELS / "scorer.json"
FORMAT = 1
# A standardised feature is clipped to ±CLIP: a value far outside what the fit saw (another
# embedding model's similarities, hand-made passages with no scores) moves the score no further.
CLIP = 4.0


@dataclass(frozen=True)
class Logistic:
    """p = σ(b + Σ w_i · clip((x_i − mean_i) / scale_i)) over the named features."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(w * max(-CLIP, min(CLIP, (features.get(n, 0.0) - m) / s))
                            for n, w, m, s in zip(self.names, self.weights, self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def probabilities(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        return [self.probability(r) for r in rows]


@dataclass(frozen=True)
class Scorer:
    sentence: Logistic
    answer: Logistic
    refuse_below: float  # refuse when the answer model's probability is lower
    add_at: float  # a sentence beyond the best joins the answer at this probability
    fitted_on: tuple[str, ...] = ()  # the corpora and question sets it was fitted on
    notes: dict[str, object] = field(default_factory=dict)  # fit figures, command, date

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, ensure_ascii=False, indent=1)


def load_scorer(path: Path | str | None = None) -> Scorer:
    """A fitted scorer from JSON (the packaged default when `path` is empty)."""
    return _load(str(Path(path).resolve()) if path else str(DEFAULT))


@cache
def _load(path: str) -> Scorer:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            raise ConfigError(f"{path}: scorer format {raw.get('format')} is not {FORMAT}; refit it with "
                              "`python -m eval.fit_scorer`")
        scorer = Scorer(
            sentence=_logistic(raw["sentence"]), answer=_logistic(raw["answer"]),
            refuse_below=float(raw["refuse_below"]), add_at=float(raw["add_at"]),
            fitted_on=tuple(raw.get("fitted_on", ())), notes=dict(raw.get("notes", {})),
        )
    except FileNotFoundError:
        raise ConfigError(f"scorer file not found: {path}; set answer.scorer to a file written by "
                          "`python -m eval.fit_scorer`, or leave it empty for the packaged one") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a scorer file ({exc}); refit it with `python -m eval.fit_scorer`") from None
    _check_features(path, scorer)
    return scorer


def _check_features(path: str, scorer: Scorer) -> None:
    """A model naming a feature the answerer no longer computes would read it as 0: refuse it."""
    from assistant.features import QUESTION_FEATURES, SENTENCE_FEATURES

    for model, known in ((scorer.sentence, SENTENCE_FEATURES), (scorer.answer, QUESTION_FEATURES)):
        unknown = sorted(set(model.names) - set(known))
        if unknown:
            raise ConfigError(f"{path}: fitted on features this version does not compute ({', '.join(unknown)}); "
                              "refit it with `python -m eval.fit_scorer`")


def _logistic(raw: Mapping[str, Any]) -> Logistic:
    return Logistic(tuple(raw["names"]), tuple(float(v) for v in raw["weights"]), float(raw["bias"]),
                    tuple(float(v) for v in raw["mean"]), tuple(float(v) for v in raw["scale"]))
