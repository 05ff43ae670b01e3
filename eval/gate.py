"""The CI gate: figures must not fall below the floors committed in a YAML file.

File shape (see `eval/gate.yaml`):

    pipeline: ours                 # whose figures are gated
    floors:                        # the macro average over the corpora run (or the one corpus)
      hit@5: 0.90                  # any figure name of `policyqa eval --json`
    corpora:                       # optional, per corpus (by its name in the corpus set)
      policy-mix:
        floors:
          citation_precision: 0.80
        metadata:                  # share right per metadata field (eval/metadata_report.py)
          title: 0.95

Lower-is-better figures (false_refusal_rate, latencies) take a ceiling instead of a floor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config.errors import EvalError
from eval.metadata_report import FIELDS
from eval.run import FIGURE_NAMES, LOWER_IS_BETTER


@dataclass(frozen=True)
class CorpusGate:
    floors: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Gate:
    pipeline: str
    floors: dict[str, float]  # figure name -> floor (a ceiling for lower-is-better figures)
    source: str = ""
    corpora: dict[str, CorpusGate] = field(default_factory=dict)


def load_gate(path: Path) -> Gate:
    """Read and validate a gate file; errors name the file and the offending key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalError(f"cannot read gate file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise EvalError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("floors", {}), dict):
        raise EvalError(f"{path}: expected a mapping with 'pipeline' and 'floors'")
    unknown = set(data) - {"pipeline", "floors", "corpora"}
    if unknown:
        raise EvalError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; "
                        "valid keys: pipeline, floors, corpora")
    corpora: dict[str, CorpusGate] = {}
    for name, spec in (data.get("corpora") or {}).items():
        if not isinstance(spec, dict) or set(spec) - {"floors", "metadata"}:
            raise EvalError(f"{path}: corpora.{name} takes 'floors' and 'metadata'")
        corpora[str(name)] = CorpusGate(
            _numbers(path, spec.get("floors") or {}, FIGURE_NAMES, f"corpora.{name}.floors"),
            _numbers(path, spec.get("metadata") or {}, FIELDS, f"corpora.{name}.metadata"),
        )
    floors = _numbers(path, data.get("floors") or {}, FIGURE_NAMES, "floors")
    return Gate(str(data.get("pipeline", "ours")), floors, str(path), corpora)


def _numbers(path: Path, raw: Mapping[str, Any], valid: Any, where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, value in raw.items():
        if name not in valid:
            raise EvalError(f"{path}: unknown figure '{name}' in {where}; valid: {', '.join(valid)}")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise EvalError(f"{path}: {where}.{name} must be a number, got {value!r}")
        out[name] = float(value)
    return out


def check_gate(gate: Gate, results: Mapping[str, Mapping[str, Any]],
               per_corpus: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
               metadata: Mapping[str, Mapping[str, float | None]] | None = None) -> list[str]:
    """One message per figure that misses its floor (empty when the gate passes).

    `results`: pipeline → figures (the macro average, or the one corpus); `per_corpus`: corpus →
    pipeline → figures; `metadata`: corpus → field → share right.
    """
    failures = _check(gate.floors, results, gate.pipeline, gate.source, "")
    for name, spec in gate.corpora.items():
        if per_corpus is None or name not in per_corpus:
            failures.append(f"gate {gate.source} checks corpus '{name}', which was not run")
            continue
        failures += _check(spec.floors, per_corpus[name], gate.pipeline, gate.source, f"{name}: ")
        shares = (metadata or {}).get(name)
        for fld, floor in spec.metadata.items():
            value = None if shares is None else shares.get(fld)
            if value is None:
                failures.append(f"{name}: metadata {fld} was not measured (floor {floor:.3f})")
            elif value < floor:
                failures.append(f"{name}: metadata {fld} = {value:.3f} is below its floor {floor:.3f}")
    return failures


def _check(floors: Mapping[str, float], results: Mapping[str, Mapping[str, Any]], pipeline: str,
           source: str, where: str) -> list[str]:
    if not floors:
        return []
    if pipeline not in results:
        return [f"{where}gate {source} checks pipeline '{pipeline}', which was not run "
                f"(ran: {', '.join(results) or 'none'})"]
    figures = results[pipeline]
    failures = []
    for name, floor in floors.items():
        value, who = figures.get(name), f"{where}{pipeline} {name}"
        if value is None:
            failures.append(f"{who} was not measured (floor {floor:.3f})")
        elif name in LOWER_IS_BETTER and value > floor:
            failures.append(f"{who} = {value:.3f} is above its ceiling {floor:.3f}")
        elif name not in LOWER_IS_BETTER and value < floor:
            failures.append(f"{who} = {value:.3f} is below its floor {floor:.3f}")
    return failures
