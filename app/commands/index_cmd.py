"""`policyqa index [DIR] [--rebuild]`: build or update the index of a corpus folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import add_corpus_option
from config import Settings
from config.errors import ConfigError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "index", help="build or update the search index",
        description="Ingest the corpus and update the index incrementally: only new or changed "
        "files are embedded, chunks of removed files are dropped. The new index replaces the "
        "old one atomically, so an interrupted run leaves the old index usable.",
    )
    p.add_argument("dir", nargs="?", type=Path, metavar="DIR",
                   help="corpus folder to index (same as --corpus; default: paths.corpus)")
    add_corpus_option(p)
    p.add_argument("--rebuild", action="store_true",
                   help="ignore the existing index and embed every chunk again")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.build import build_assistant  # heavy imports only when the command runs

    if args.dir is not None:
        if args.corpus is not None and Path(args.corpus).resolve() != args.dir.resolve():
            raise ConfigError(f"two corpus folders given ({args.dir} and --corpus {args.corpus}); "
                              "pass only one")
        settings = settings.with_overrides(paths={"corpus": args.dir.resolve()})
    report = build_assistant(settings).reindex(rebuild=args.rebuild, progress=not args.quiet)
    for notice in report.notices:
        print(f"note: {notice}")
    for label, files in (("added", report.added), ("updated", report.updated),
                         ("removed", report.removed)):
        for f in files:
            print(f"{label}: {f}")
    for skipped in report.skipped:
        print(f"skipped: {skipped.file} ({skipped.reason})")
    for line in report.dropped:  # spam, text addressed to an AI, tables of contents, duplicates
        print(f"dropped: {line}")
    print(f"index {settings.paths.index_dir}: {report.summary()}")
    return 0
