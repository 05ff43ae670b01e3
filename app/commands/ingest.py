"""`policyqa ingest`: load, clean and chunk a corpus and report what was found."""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
from pathlib import Path

from config import Settings
from index.ingest import IngestResult, ingest_corpus


def add_parser(sub: argparse._SubParsersAction) -> None:
    from app.cli import add_corpus_option

    p = sub.add_parser(
        "ingest", help="ingest a corpus and print each document's metadata and chunks",
        description="Load, clean and chunk every .txt/.md/.html/.pdf/.docx file in a folder, "
        "and print per document its metadata and chunk count. Nothing is written to disk.",
    )
    p.add_argument("path", nargs="?", type=Path, help="corpus folder (same as --corpus)")
    add_corpus_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--tree", action="store_true", help="also print each document's heading outline")
    p.add_argument("--chunks", action="store_true", help="with --json, include every chunk")


def run(args: argparse.Namespace, settings: Settings) -> int:
    corpus = (args.path or settings.paths.corpus).resolve()
    result = ingest_corpus(corpus, settings.chunking, progress=not args.json, limits=settings.ingest)
    if args.json:
        print(json.dumps(as_json(result, args.tree, args.chunks), ensure_ascii=False, indent=2))
    else:
        print_report(result, corpus, args.tree)
    return 0 if result.documents or not result.skipped else 1


def as_json(result: IngestResult, tree: bool, chunks: bool) -> dict:
    docs = []
    for d in result.documents:
        entry = {k: v for k, v in dataclasses.asdict(d).items() if k not in ("text",)}
        entry["chunks"] = len(result.chunks_of(d.doc_id))
        if tree:
            entry["outline"] = [{"depth": depth, "heading": h} for depth, h, _ in result.outlines[d.doc_id]]
        if chunks:
            entry["chunk_list"] = [
                {"chunk_id": c.chunk_id, "heading_path": list(c.heading_path), "start": c.start,
                 "end": c.end, "text": c.text}
                for c in result.chunks_of(d.doc_id)
            ]
        docs.append(entry)
    return {
        "documents": docs,
        "skipped": [dataclasses.asdict(s) for s in result.skipped],
        "dropped": result.dropped,
        "chunk_sizes": _sizes(result),
    }


def _sizes(result: IngestResult) -> dict[str, float]:
    sizes = sorted(len(c.text.strip()) for c in result.chunks)
    if not sizes:
        return {"count": 0}
    return {
        "count": len(sizes), "min": sizes[0], "p25": sizes[len(sizes) // 4],
        "median": statistics.median(sizes), "p75": sizes[3 * len(sizes) // 4], "max": sizes[-1],
    }


def print_report(result: IngestResult, corpus: Path, tree: bool) -> None:
    print(f"Corpus: {corpus}")
    for d in result.documents:
        n = len(result.chunks_of(d.doc_id))
        print(f"\n{d.source}  [{d.script}]  {n} chunks")
        print(f"  标题 {d.title}")
        fields = [("发文机关/来源", d.issuer), ("文号", d.doc_number), ("成文日期", d.written_date),
                  ("发布日期", d.published_date), ("类型", d.doc_type), ("有效性", d.validity)]
        for label, value in fields:
            if value:
                print(f"  {label} {value}")
        if d.proposal:
            p = d.proposal
            print(f"  提案 {p.session or ''} 第{p.number}号 提案人 {p.proposer or '?'}  签发 {p.signer or '?'}"
                  f"  承办 {p.office or '?'}  联系人 {p.contact or '?'} {p.phone or ''}")
        if tree:
            for depth, heading, _ in result.outlines[d.doc_id]:
                print("    " + "  " * (depth - 1) + heading)
    s = _sizes(result)
    print(f"\nRead {len(result.documents)} file(s), {len(result.chunks)} chunks "
          f"(chars: median {s.get('median')}, min {s.get('min')}, max {s.get('max')}); "
          f"skipped {len(result.skipped)}.")
    for sk in result.skipped:
        print(f"  skipped {sk.file}: {sk.reason}")
    for msg in result.dropped:
        print(f"  dropped: {msg}")
