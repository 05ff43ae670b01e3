"""`policyqa eval`: run our pipeline and the peer baseline over a question set, side by side."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from config import Settings
from config.errors import EvalError

PIPELINES = ("ours", "baseline", "both")
MODES = ("dense", "bm25", "fused")


def _modes(value: str) -> tuple[str, ...]:
    modes = tuple(m.strip() for m in value.split(",") if m.strip())
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise argparse.ArgumentTypeError(
            f"unknown mode(s) {', '.join(bad) or '(none)'}; valid: {', '.join(MODES)}"
        )
    return modes


def add_parser(sub: Any) -> None:
    from app.cli import add_corpus_option

    p = sub.add_parser(
        "eval", help="evaluate retrieval and answers on a question set (ours vs peer baseline)",
        description="Run a JSON Lines question set (the schema of ../shared/eval/dev.jsonl) "
        "through our pipeline and the Langchain-Chatchat-style baseline; print the figures "
        "side by side with the ratio ours/baseline.",
    )
    p.add_argument("--dataset", type=Path, required=True, metavar="FILE",
                   help="JSON Lines question set with evidence quotes")
    add_corpus_option(p)
    p.add_argument("--pipeline", choices=PIPELINES, default="both",
                   help="which pipeline(s) to run (default: both)")
    p.add_argument("--modes", type=_modes, default=MODES, metavar="LIST",
                   help="retrieval modes to measure for ours, comma-separated "
                   "(default: dense,bm25,fused; fused heads the table when present)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object keyed by pipeline instead of tables")
    p.add_argument("--report", type=Path, metavar="DIR",
                   help="write report.md, TREC run/qrels files and PNG charts into DIR")
    p.add_argument("--gate", type=Path, metavar="FILE",
                   help="YAML floors (eval/gate.yaml); exit 1 when a figure is below its floor")


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


def _command(args: argparse.Namespace) -> str:
    """The command line that reproduces this run, for the report."""
    parts = ["policyqa", "eval", "--dataset", str(args.dataset)]
    if args.corpus:
        parts += ["--corpus", str(args.corpus)]
    parts += ["--pipeline", args.pipeline, "--modes", ",".join(args.modes)]
    if args.report:
        parts += ["--report", str(args.report)]
    return shlex.join(parts)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from eval.dataset import load_dataset
    from eval.gate import check_gate, load_gate
    from eval.report import retrieval_table, side_by_side, write_report
    from eval.run import run_pipeline, summarize

    gate = load_gate(args.gate) if args.gate else None  # fail on a bad gate file before running
    items = load_dataset(args.dataset, settings.paths.corpus)
    if not items:
        raise EvalError(f"dataset {args.dataset} has no questions")
    runs = []
    ours = _ours(settings) if args.pipeline in ("ours", "both") else None
    if ours is not None:
        runs.append(run_pipeline("ours", ours, items, modes=args.modes))
    if args.pipeline in ("baseline", "both"):
        runs.append(run_pipeline("baseline", _baseline(settings, ours), items, modes=("dense",)))
    summaries = [summarize(r) for r in runs]
    results = {s.name: s.as_dict() for s in summaries}

    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        print(f"{args.dataset}: {len(items)} questions\n")
        print(side_by_side(summaries))
        print()
        print(retrieval_table(summaries))
    if args.report:
        path = write_report(runs, summaries, args.report, command=_command(args),
                            dataset=args.dataset)
        print(f"report written to {path}", file=sys.stderr)
    if gate is not None:
        failures = check_gate(gate, results)
        for failure in failures:
            print(f"policyqa eval: gate failed: {failure}", file=sys.stderr)
        if failures:
            return 1
        print(f"gate {args.gate}: all floors met", file=sys.stderr)
    return 0
