"""Precision and recall of the extracted commitments ledger against the hand-checked gold rows.

    python -m eval.commitments_eval [--corpus DIR] [--gold FILE] [--show-errors]

A gold row matches an extracted row of the same file and kind whose source span contains the
gold anchor quote and whose listed fields all agree; each extracted row matches at most one
gold row. Figures are printed per kind ("reply" pools done, promised and metadata rows) and
overall.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from config import load_settings
from config.errors import EvalError, PolicyQAError
from index.commitments import Commitment, build_ledger
from index.ingest import ingest_corpus
from index.normalize import normalize

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "commitments_gold.json"
GROUPS = {"target": "target", "task": "task", "reply_done": "reply", "reply_promise": "reply", "reply_meta": "reply"}
_IDENTITY = ("file", "kind", "anchor", "note")


@dataclass(frozen=True)
class Score:
    """Counts and ratios for one group of rows."""

    name: str
    gold: int
    extracted: int
    matched_gold: int
    matched_extracted: int

    @property
    def precision(self) -> float:
        return self.matched_extracted / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 1.0


def load_gold(path: Path) -> list[dict]:
    """The gold rows of `path`; an unreadable file raises EvalError naming it."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["rows"]
    except (OSError, ValueError, KeyError) as exc:
        raise EvalError(f"cannot read commitments gold file {path}: {exc}") from exc
    for i, row in enumerate(rows):
        missing = [k for k in ("file", "kind", "anchor") if k not in row]
        if missing:
            raise EvalError(f"{path}: gold row {i} lacks {', '.join(missing)}")
    return rows


def _norm(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    return "".join(normalize(str(value)).split()) if value is not None else None


def matches(gold: dict, row: Commitment) -> bool:
    """True when `row` is the row `gold` describes.

    Unit lists agree when every unit on each side is one on the other, or contains it or lies
    inside it ("市发展改革" in "市发展改革、教育等部门"): how a list is cut into units is a
    convention, which units are named is what counts.
    """
    if row.source != gold["file"] or row.kind != gold["kind"]:
        return False
    if _norm(gold["anchor"]) not in _norm(row.text):  # type: ignore[operator]
        return False
    for key, value in gold.items():
        if key in _IDENTITY:
            continue
        ours = _norm(getattr(row, key, None))
        want = _norm(value)
        if key in ("units", "lead_units"):
            if not _same_units(ours, want):  # type: ignore[arg-type]
                return False
        elif ours != want:
            return False
    return True


def _same_units(ours: list[str], want: list[str]) -> bool:
    def near(a: str, bs: list[str]) -> bool:
        return any(a in b or b in a for b in bs)

    return all(near(w, ours) for w in want) and all(near(o, want) for o in ours)


def score(gold: Sequence[dict], rows: Sequence[Commitment]) -> tuple[list[Score], list[dict], list[Commitment]]:
    """Per-group and overall scores, with the unmatched gold rows and the unmatched extracted rows."""
    used: set[int] = set()
    hit_gold: list[bool] = []
    for g in gold:
        j = next((j for j, r in enumerate(rows) if j not in used and matches(g, r)), None)
        hit_gold.append(j is not None)
        if j is not None:
            used.add(j)
    scores = []
    for name in ("target", "task", "reply", "overall"):
        def pick(kind: str, name: str = name) -> bool:
            return name == "overall" or GROUPS[kind] == name
        gi = [i for i, g in enumerate(gold) if pick(g["kind"])]
        ri = [j for j, r in enumerate(rows) if pick(r.kind)]
        scores.append(Score(name, len(gi), len(ri), sum(hit_gold[i] for i in gi), sum(j in used for j in ri)))
    missed = [g for g, hit in zip(gold, hit_gold, strict=True) if not hit]
    extra = [r for j, r in enumerate(rows) if j not in used]
    return scores, missed, extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.commitments_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, metavar="DIR", help="corpus folder (default: paths.corpus)")
    parser.add_argument("--gold", type=Path, default=GOLD, metavar="FILE", help=f"gold rows (default: {GOLD})")
    parser.add_argument("--show-errors", action="store_true", help="list missed gold rows and unmatched rows")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        corpus = (args.corpus or settings.paths.corpus).resolve()
        gold = load_gold(args.gold)
        result = ingest_corpus(corpus, settings.chunking)
    except PolicyQAError as exc:
        print(f"commitments_eval: error: {exc}", file=sys.stderr)
        return 2
    rows = build_ledger(result.documents, result.chunks)
    scores, missed, extra = score(gold, rows)
    print(f"{'kind':<8} {'gold':>5} {'found':>6} {'precision':>10} {'recall':>7}")
    for s in scores:
        print(f"{s.name:<8} {s.gold:>5} {s.extracted:>6} {s.precision:>10.3f} {s.recall:>7.3f}")
    if args.show_errors:
        for g in missed:
            print(f"missed: {g['file']} {g['kind']} {g['anchor']}")
        for r in extra:
            print(f"unmatched: {r.source} {r.kind} {r.text[:60]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
