"""One serving process's view of an index, for `eval.bench_retrieval` (run as a subprocess).

    python -m eval.bench_serve --store local|milvus --data-dir DIR [--uri FILE] [--queries N]

Starts fresh, loads the embedding model (not timed: every replica loads it whatever the
store), then times opening the index plus the first retrieval (which loads what the store
loads lazily) and `retrieve(k=10)` over the dev questions, query embedding included. Prints
one JSON line: load seconds, fused and BM25-only p50/p95, the dense index kind, HNSW recall@10
against exact search where HNSW serves, and the process's peak resident memory (VmHWM: this
process alone, Milvus Lite included since it runs inside it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from assistant.retrieve import Retriever
from config import load_settings
from index.embed import make_embedder
from index.lexical import Tokenizer
from index.store import open_index

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentiles(ms: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return round(q[49], 1), round(q[94], 1)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--store", choices=("local", "milvus"), required=True)
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--uri", default="")
    p.add_argument("--collection", default="policyqa")
    p.add_argument("--queries", type=int, default=100)
    args = p.parse_args(argv)
    settings = load_settings().with_overrides(
        paths={"data_dir": args.data_dir},
        index={"store": args.store, "uri": args.uri, "collection": args.collection})
    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    embedder = make_embedder(settings.embedding)
    # The model and jieba's dictionary load in every replica, whatever the store: not timed.
    embedder.embed_batch(["预热"], "query")
    Tokenizer()("预热")
    t = time.perf_counter()
    store = open_index(settings, check=False)
    opened = time.perf_counter() - t
    retriever = Retriever(store, embedder, settings.retrieval)
    retriever.retrieve(questions[0], k=10)
    loaded = time.perf_counter() - t
    out: dict[str, object] = {"store": args.store, "chunks": len(store), "open_s": round(opened, 3),
                              "load_s": round(loaded, 2)}
    for mode in ("fused", "bm25"):
        times = []
        for i in range(args.queries):
            t = time.perf_counter()
            retriever.retrieve(questions[i % len(questions)], k=10, mode=mode)  # type: ignore[arg-type]
            times.append((time.perf_counter() - t) * 1000)
        out[f"{mode}_p50"], out[f"{mode}_p95"] = _percentiles(times)
    out["peak_mb"] = round(peak_mb())  # before the recall check below, which reads every vector
    dense = getattr(store, "dense", None)
    out["dense"] = getattr(dense, "kind", "milvus")
    if dense is not None and dense.kind == "hnsw":
        qvecs = embedder.embed_batch(questions, "query")
        matrix = dense.vectors(np.arange(len(dense)))
        out["hnsw_recall@10"] = round(statistics.mean(
            len(set(np.argsort(-(matrix @ q))[:10]) & set(dense.search(q, 10)[1])) / 10 for q in qvecs), 3)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
