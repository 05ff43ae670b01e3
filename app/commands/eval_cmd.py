"""`policyqa eval`: our pipeline and the peer baseline over one or several corpora, side by side."""

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
    p = sub.add_parser(
        "eval", help="evaluate retrieval, answers and metadata on one or more corpora (ours vs baseline)",
        description="Run question sets (the schema of ../shared/eval/dev.jsonl) through our pipeline "
        "and the Langchain-Chatchat-style baseline; print the figures per corpus and their macro "
        "average side by side, and the metadata report where a corpus has gold metadata. "
        "Give corpora as --corpus-set FILE (YAML, see eval/corpora.yaml), as corpus folders "
        "(--corpus DIR with docs/ and questions.jsonl), or as --dataset FILE [--corpus DOCS_DIR] pairs.",
    )
    p.add_argument("--corpus-set", type=Path, metavar="FILE",
                   help="YAML file listing the corpora to evaluate (eval/corpora.yaml)")
    p.add_argument("--dataset", type=Path, action="append", default=[], metavar="FILE",
                   help="JSON Lines question set with evidence quotes (repeatable; pairs with --corpus)")
    p.add_argument("--corpus", type=Path, action="append", default=[], metavar="DIR",
                   help="the documents of the matching --dataset, or a corpus folder "
                   "(docs/, questions.jsonl, optional metadata.jsonl) on its own (repeatable)")
    p.add_argument("--pipeline", choices=PIPELINES, default="both",
                   help="which pipeline(s) to run (default: both)")
    p.add_argument("--modes", type=_modes, default=MODES, metavar="LIST",
                   help="retrieval modes to measure for ours, comma-separated "
                   "(default: dense,bm25,fused; fused heads the table when present)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (per corpus and macro average) instead of tables")
    p.add_argument("--report", type=Path, metavar="DIR",
                   help="write a report (report.md, TREC run/qrels files, charts) per corpus into DIR")
    p.add_argument("--gate", type=Path, metavar="FILE",
                   help="YAML floors (eval/gate.yaml); exit 1 when a figure is below its floor")


def corpora_of(args: argparse.Namespace, settings: Settings) -> list[Any]:
    """The corpora the arguments name, in order."""
    from eval.corpora import Corpus, corpus_folder, load_corpus_set

    out = list(load_corpus_set(args.corpus_set)) if args.corpus_set else []
    if args.dataset:
        docs = list(args.corpus)
        if len(docs) == 0:
            docs = [settings.paths.corpus] * len(args.dataset)
        if len(docs) != len(args.dataset):
            raise EvalError(f"{len(args.dataset)} --dataset but {len(docs)} --corpus: give one "
                            "documents folder per question set, or none to use paths.corpus")
        for dataset, folder in zip(args.dataset, docs, strict=True):
            out.append(Corpus(dataset.stem, Path(folder).resolve(), dataset))
    else:
        out += [corpus_folder(Path(folder).resolve()) for folder in args.corpus]
    if not out:
        raise EvalError("nothing to evaluate: give --corpus-set FILE, --corpus DIR or --dataset FILE")
    names = [c.name for c in out]
    for i, c in enumerate(out):  # two question sets named alike stay apart
        if names.count(c.name) > 1:
            out[i] = Corpus(f"{c.name}-{i + 1}", c.docs, c.questions, c.metadata)
    return out


def _command(args: argparse.Namespace) -> str:
    """The command line that reproduces this run, for the report."""
    parts = ["policyqa", "eval"]
    if args.corpus_set:
        parts += ["--corpus-set", str(args.corpus_set)]
    for dataset in args.dataset:
        parts += ["--dataset", str(dataset)]
    for corpus in args.corpus:
        parts += ["--corpus", str(corpus)]
    parts += ["--pipeline", args.pipeline, "--modes", ",".join(args.modes)]
    if args.report:
        parts += ["--report", str(args.report)]
    return shlex.join(parts)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from eval.gate import check_gate, load_gate
    from eval.metadata_report import as_dict, report_text
    from eval.report import macro_table, retrieval_table, side_by_side, write_report
    from eval.suite import evaluate_corpus, macro

    gate = load_gate(args.gate) if args.gate else None  # fail on a bad gate file before running
    corpora = corpora_of(args, settings)
    pipelines = ("ours", "baseline") if args.pipeline == "both" else (args.pipeline,)
    results = []
    for corpus in corpora:
        results.append(evaluate_corpus(corpus, settings, pipelines=pipelines, modes=args.modes,
                                       progress=lambda msg: print(msg, file=sys.stderr)))
    averaged = macro(results)
    per_corpus = {r.corpus.name: r.figures() for r in results}
    shares = {r.corpus.name: {k: s.share for k, s in r.metadata.items()} for r in results if r.metadata}

    if args.json:
        out: dict[str, Any] = {"corpora": {}, "macro": averaged}
        for r in results:
            entry: dict[str, Any] = dict(r.figures())
            if r.metadata is not None:
                entry["metadata"] = as_dict(r.metadata)
            out["corpora"][r.corpus.name] = entry
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(f"## {r.corpus.name}: {r.corpus.questions} ({len(r.items)} questions, "
                  f"documents in {r.corpus.docs})\n")
            print(side_by_side(r.summaries))
            print()
            print(retrieval_table(r.summaries))
            print()
            if r.metadata is not None:
                print(report_text(r.corpus.name, r.metadata))
                print()
        if len(results) > 1:
            print(f"## macro average over {len(results)} corpora ({', '.join(per_corpus)})\n")
            print(macro_table(averaged))
    if args.report:
        for r in results:
            path = write_report(r.runs, r.summaries, args.report / r.corpus.name, command=_command(args),
                                dataset=r.corpus.questions,
                                metadata=report_text(r.corpus.name, r.metadata) if r.metadata else None)
            print(f"report written to {path}", file=sys.stderr)
    if gate is not None:
        failures = check_gate(gate, averaged, per_corpus, shares)
        for failure in failures:
            print(f"policyqa eval: gate failed: {failure}", file=sys.stderr)
        if failures:
            return 1
        print(f"gate {args.gate}: all floors met", file=sys.stderr)
    return 0
