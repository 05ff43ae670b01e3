"""`policyqa search "…"`: show the passages the retriever finds, with their scores."""

from __future__ import annotations

import argparse
import json

from config import Settings

_SNIPPET = 120


def add_parser(sub: argparse._SubParsersAction) -> None:
    from app.cli import add_indexed_corpus_option

    p = sub.add_parser(
        "search", help="retrieve the passages that best match a query",
        description="Hybrid retrieval (dense + BM25, fused) over the index, without answering.",
    )
    p.add_argument("query", help="the question or keywords (simplified or traditional)")
    p.add_argument("--k", type=int, default=None, metavar="N",
                   help="how many passages (default: retrieval.k)")
    p.add_argument("--mode", choices=["fused", "dense", "bm25"], default="fused",
                   help="which retriever ranks (default: fused)")
    add_indexed_corpus_option(p)
    p.add_argument("--json", action="store_true", help="one JSON object with every hit")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from app.cli import require_indexed_corpus

    require_indexed_corpus(args, settings)
    from assistant.build import build_assistant
    from assistant.retrieve import hit_metadata
    from config.errors import QueryError

    if args.k is not None and args.k <= 0:
        raise QueryError(f"--k must be a positive number, not {args.k}")
    result = build_assistant(settings).search(args.query, args.k, mode=args.mode)
    if args.json:
        hits = [{**hit_metadata(h), "text": h.chunk.text} for h in result.hits]
        print(json.dumps({"query": result.query, "mode": args.mode, "notices": list(result.notices),
                          "hits": hits}, ensure_ascii=False, indent=2))
        return 0
    for notice in result.notices:
        print(f"note: {notice}")
    if not result.hits:
        print("no passages found")
    for h in result.hits:
        scores = " ".join(f"{k}={v:.3f}" for k, v in h.scores.items())
        where = " > ".join(h.chunk.heading_path) or "(no heading)"
        text = " ".join(h.chunk.text.split())
        print(f"{h.rank:>2}. {h.document.title} · {where} [{h.chunk.start}:{h.chunk.end}]")
        print(f"    {scores}")
        print(f"    {text[:_SNIPPET]}{'…' if len(text) > _SNIPPET else ''}")
    return 0
