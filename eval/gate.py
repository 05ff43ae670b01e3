"""The CI gate: headline figures must not fall below the floors committed in a YAML file.

File shape (see `eval/gate.yaml`):

    pipeline: ours            # whose figures are gated
    floors:
      hit@5: 0.90             # any figure name of `policyqa eval --json`
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from config.errors import EvalError
from eval.run import FIGURE_NAMES, LOWER_IS_BETTER


@dataclass(frozen=True)
class Gate:
    pipeline: str
    floors: dict[str, float]  # figure name -> floor (a ceiling for lower-is-better figures)
    source: str = ""


def load_gate(path: Path) -> Gate:
    """Read and validate a gate file; errors name the file and the offending key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalError(f"cannot read gate file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise EvalError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("floors"), dict):
        raise EvalError(f"{path}: expected a mapping with 'pipeline' and 'floors'")
    unknown = set(data) - {"pipeline", "floors"}
    if unknown:
        raise EvalError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; "
                        "valid keys: pipeline, floors")
    floors: dict[str, float] = {}
    for name, value in data["floors"].items():
        if name not in FIGURE_NAMES:
            raise EvalError(f"{path}: unknown figure '{name}'; valid: {', '.join(FIGURE_NAMES)}")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise EvalError(f"{path}: floor for '{name}' must be a number, got {value!r}")
        floors[name] = float(value)
    return Gate(str(data.get("pipeline", "ours")), floors, str(path))


def check_gate(gate: Gate, results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One message per figure that misses its floor (empty when the gate passes)."""
    if gate.pipeline not in results:
        return [f"gate {gate.source} checks pipeline '{gate.pipeline}', which was not run "
                f"(ran: {', '.join(results) or 'none'})"]
    figures = results[gate.pipeline]
    failures = []
    for name, floor in gate.floors.items():
        value, who = figures.get(name), f"{gate.pipeline} {name}"
        if value is None:
            failures.append(f"{who} was not measured (floor {floor:.3f})")
        elif name in LOWER_IS_BETTER and value > floor:
            failures.append(f"{who} = {value:.3f} is above its ceiling {floor:.3f}")
        elif name not in LOWER_IS_BETTER and value < floor:
            failures.append(f"{who} = {value:.3f} is below its floor {floor:.3f}")
    return failures
