"""`policyqa commitments`: list, filter and export the commitments ledger."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from config import Settings
from index.commitments import build_ledger, filter_ledger
from index.commitments.ledger import write_csv, write_xlsx
from index.commitments.types import KIND_LABELS, Commitment
from index.ingest import ingest_corpus


def add_parser(sub: argparse._SubParsersAction) -> None:
    from app.cli import add_corpus_option

    p = sub.add_parser(
        "commitments", help="list targets, tasks with responsible units, and proposal-reply items",
        description="Extract the commitments ledger from the corpus (targets with deadlines, tasks with "
        "their responsible units, items done and promised in proposal replies), filter it and export it.",
    )
    add_corpus_option(p)
    p.add_argument("--unit", metavar="NAME", help="only rows naming this unit (any form: 自治区科技厅, 科技厅…)")
    p.add_argument("--year", type=int, metavar="YYYY", help="only rows due that year (undated rows: document year)")
    p.add_argument("--doc", metavar="ID", help="only rows of this document (doc id, file name, 文号 or title part)")
    p.add_argument("--kind", choices=("target", "task", "reply"), help="only rows of this kind")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the rows as CSV")
    p.add_argument("--xlsx", type=Path, metavar="FILE", help="also write the rows as an Excel workbook")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    result = ingest_corpus(settings.paths.corpus, settings.chunking)
    rows = filter_ledger(build_ledger(result.documents, result.chunks),
                         unit=args.unit, year=args.year, doc=args.doc, kind=args.kind)
    if args.csv:
        write_csv(rows, args.csv)
    if args.xlsx:
        write_xlsx(rows, args.xlsx)
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in rows], ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(format_row(row))
        print(f"\n{len(rows)} row(s)" + "".join(f"; written {p}" for p in (args.csv, args.xlsx) if p))
    return 0


def format_row(row: Commitment) -> str:
    """One line per row: kind, document, what, who or how much, and the source span."""
    where = f"{row.source} {' > '.join(row.heading_path[1:])}".strip()
    if row.kind == "target":
        what = f"{row.metric} {row.comparator} {row.value}{row.unit_of_measure} (到{row.deadline}年)"
    elif row.kind == "task":
        what = f"{row.task} | 责任单位: {'、'.join(row.units)}"
    elif row.kind == "reply_meta":
        what = (f"第{row.number}号提案 {row.session or ''} 提案人 {row.proposer or '?'} 答复 {row.reply_date or '?'} "
                f"承办 {row.office or '?'} 联系人 {row.contact or '?'}")
    else:
        what = row.task
    return f"[{KIND_LABELS.get(row.kind, row.kind)}] {what}\n    {where} [{row.start}:{row.end}] {row.text[:80]}"
