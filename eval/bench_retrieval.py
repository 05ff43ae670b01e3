"""Retrieval benchmark: build throughput, query latency at scale, load time, peak memory.

    python -m eval.bench_retrieval [--sizes 1000,10000,100000] [--queries 100] [--stores local,milvus]

1. Builds the index of the sample corpus with the configured (real) embedder: chunks/s.
2. Scales the corpus up synthetically to each size: the real chunks, plus chunks made by
   re-mixing randomly drawn real sentences (2–5 per chunk, in random order), grouped 50 to a
   document. Their BM25 tokens are real (each sentence tokenised once). Their vectors are NOT
   embedded — that would take hours here — but perturbed real ones: the mean of the vectors of
   the chunks the sentences came from, plus Gaussian noise, re-normalised. Query vectors are
   real: `retrieve(k=10)` is timed end to end, query embedding included, over the dev questions.
   Each store (local, and Milvus Lite) gets the same generation; a fresh process then opens and
   serves it (eval.bench_serve), so load time and peak memory are a serving replica's own.
3. At 10k chunks, Langchain-Chatchat's approach side by side: LangChain's
   `BM25Retriever.from_documents(docs, preprocess_func=jieba.lcut_for_search)` built over the
   whole store for every query (as its FAISS knowledge base does), against our saved index.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.retrieve import Retriever
from config import Settings, load_settings
from index.build import build_index, lexical_text
from index.embed import Embedder, make_embedder
from index.lexical import Tokenizer
from index.normalize import normalize
from index.store import open_index
from index.stores import backend_for
from index.stores.base import Contents
from index.stores.local_store import LocalStore
from index.types import Chunk, Document, make_chunk_id, make_doc_id

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
PER_DOC = 50


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def percentiles(ms: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return q[49], q[94]


def build_sample(settings: Settings, embedder: Embedder) -> LocalStore:
    report = build_index(settings, rebuild=True, progress=False, embedder=embedder)
    print(f"build (sample corpus, {report.documents} docs, {report.chunks} chunks, "
          f"{report.embedded} embedded): {report.seconds:.1f} s = "
          f"{report.chunks / report.seconds:.1f} chunks/s")
    store = open_index(settings)
    assert isinstance(store, LocalStore)
    return store


def synthesize(base: LocalStore, size: int, seed: int = 0
               ) -> tuple[list[Document], list[Chunk], np.ndarray, list[list[str]]]:
    """Documents, chunks, vectors and tokens for `size` chunks (see module docstring)."""
    rng = np.random.default_rng(seed)
    real = base.all_chunks()
    real_docs = {d.doc_id: d for d in base.documents()}
    real_vecs = base.vectors(list(range(len(real))))
    tokenize = Tokenizer()
    pool: list[tuple[str, int]] = [(s.strip(), i) for i, c in enumerate(real)
                                   for s in _SENTENCE.findall(c.text) if len(s.strip()) >= 8]
    sent_tokens = [tokenize(s) for s, _ in pool]
    docs = list(real_docs.values())
    chunks = list(real)
    tokens = [tokenize(lexical_text(real_docs[c.doc_id], c)) for c in real]
    vectors = [real_vecs]
    n_extra = max(0, size - len(real))
    synth_vecs = np.empty((n_extra, real_vecs.shape[1]), dtype=np.float32)
    for d in range(0, n_extra, PER_DOC):
        picks = [rng.choice(len(pool), size=rng.integers(2, 6)) for _ in range(min(PER_DOC, n_extra - d))]
        texts = ["".join(pool[j][0] for j in p)[:360] for p in picks]
        source = f"synthetic/{d // PER_DOC:05d}.txt"
        doc = Document(doc_id=make_doc_id(source), source=source, text="\n\n".join(texts),
                       title=f"合成文档 {d // PER_DOC}", script="simplified", doc_type="合成")
        docs.append(doc)
        offset = 0
        for i, (text, p) in enumerate(zip(texts, picks, strict=True)):
            end = offset + len(text)
            chunks.append(Chunk(make_chunk_id(doc.doc_id, offset, end, text), doc.doc_id, (doc.title,),
                                text, normalize(text), offset, end, i))
            tokens.append([t for j in p for t in sent_tokens[j]])
            v = real_vecs[[pool[j][1] for j in p]].mean(axis=0) + rng.normal(0, 0.02, real_vecs.shape[1])
            synth_vecs[d + i] = v / np.linalg.norm(v)
            offset = end + 2
    vectors.append(synth_vecs)
    return docs, chunks[:size], np.vstack(vectors)[:size], tokens[:size]


def write_store(settings: Settings, store: str, contents: Contents, workdir: Path) -> tuple[Settings, float]:
    """Write `contents` as the live generation of `store` under `workdir`; settings to serve it."""
    size = len(contents.chunks)
    s = settings.with_overrides(paths={"data_dir": workdir / f"{store}-{size}"},
                                index={"store": store, "uri": str(workdir / f"milvus-{size}.db"),
                                       "collection": "bench"})
    t = time.perf_counter()
    backend = backend_for(s)
    writer = backend.writer()
    writer.write(contents)
    writer.publish()
    took = time.perf_counter() - t
    close = getattr(backend, "close", None)
    if callable(close):
        close()  # Milvus Lite: one process at a time holds its database
    return s, took


def serve_figures(s: Settings, n_queries: int) -> dict:
    """What a fresh serving process measures over the index (eval.bench_serve)."""
    cmd = [sys.executable, "-m", "eval.bench_serve", "--store", s.index.store, "--data-dir",
           str(s.paths.data_dir), "--uri", s.index.uri, "--collection", s.index.collection,
           "--queries", str(n_queries)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_size(settings: Settings, base: LocalStore, size: int, n_queries: int, workdir: Path,
               stores: list[str]) -> None:
    t0 = time.perf_counter()
    docs, chunks, vectors, tokens = synthesize(base, size)
    keep = {c.doc_id for c in chunks}
    docs = [d for d in docs if d.doc_id in keep]
    manifest = replace(base.manifest, documents=len(docs), chunks=len(chunks), files={})
    by_id = {d.doc_id: d for d in docs}
    contents = Contents(manifest, docs, chunks, vectors, tokens,
                        [lexical_text(by_id[c.doc_id], c) for c in chunks])
    print(f"{size:>9,} chunks synthesised in {time.perf_counter() - t0:.0f} s", flush=True)
    for store in stores:
        s, wrote = write_store(settings, store, contents, workdir)
        f = serve_figures(s, n_queries)
        if "error" in f:
            print(f"  {store:<7} written in {wrote:6.0f} s | serving failed: {f['error']}", flush=True)
            continue
        recall = f" (HNSW recall@10 vs exact {f['hnsw_recall@10']})" if "hnsw_recall@10" in f else ""
        print(f"  {store:<7} written in {wrote:6.0f} s | load {f['load_s']:5.2f} s (open {f['open_s']:.3f} s)"
              f" | fused p50 {f['fused_p50']:7.1f} ms p95 {f['fused_p95']:7.1f} ms"
              f" | BM25 p50 {f['bm25_p50']:7.1f} ms p95 {f['bm25_p95']:7.1f} ms"
              f" | serving peak {f['peak_mb']:,} MB | dense {f['dense']}{recall}", flush=True)


def bench_embedding(embedder: Embedder, questions: list[str], n: int) -> None:
    times = []
    for i in range(n):
        t = time.perf_counter()
        embedder.embed_batch([questions[i % len(questions)]], "query")
        times.append((time.perf_counter() - t) * 1000)
    p50, p95 = percentiles(times)
    print(f"query embedding alone: p50 {p50:.1f} ms p95 {p95:.1f} ms (part of every fused figure)")


def bench_langchain(retriever: Retriever, questions: list[str], n_queries: int) -> None:
    import jieba
    from langchain_community.retrievers import BM25Retriever
    from langchain_core.documents import Document as LCDocument

    jieba.setLogLevel(60)
    docs = [LCDocument(page_content=c.text, metadata={"chunk_id": c.chunk_id})
            for c in retriever.store.all_chunks()]
    theirs = []
    for q in questions[:n_queries]:
        t = time.perf_counter()
        bm25 = BM25Retriever.from_documents(docs, preprocess_func=jieba.lcut_for_search, k=10)
        bm25.invoke(q)
        theirs.append((time.perf_counter() - t) * 1000)
    ours = {}
    for mode in ("fused", "bm25"):
        times = []
        for q in questions[:n_queries]:
            t = time.perf_counter()
            retriever.retrieve(q, k=10, mode=mode)
            times.append((time.perf_counter() - t) * 1000)
        ours[mode] = statistics.median(times)
    lc = statistics.median(theirs)
    print(f"\nat {len(docs)} chunks, median of {n_queries} queries:\n"
          f"  LangChain BM25Retriever.from_documents per query (Chatchat): {lc:8.1f} ms\n"
          f"  ours, BM25 only:  {ours['bm25']:6.1f} ms  → {lc / ours['bm25']:,.0f}× faster\n"
          f"  ours, fused (dense + BM25, query embedding included): {ours['fused']:6.1f} ms"
          f"  → {lc / ours['fused']:,.0f}× faster")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_retrieval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated chunk counts (default: 1000,10000,100000)")
    parser.add_argument("--queries", type=int, default=100, help="timed queries per size and mode")
    parser.add_argument("--langchain-queries", type=int, default=5,
                        help="queries for the LangChain comparison at 10k (each rebuilds BM25)")
    parser.add_argument("--stores", default="local,milvus",
                        help="stores to compare side by side (default: local,milvus — Milvus Lite)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    with tempfile.TemporaryDirectory(prefix="pqa-bench-") as tmp:
        settings = load_settings().with_overrides(paths={"data_dir": Path(tmp) / "data"},
                                                  index={"store": "local"})
        embedder = make_embedder(settings.embedding)
        print(f"embedder {embedder.name}, dense index {settings.index.dense} (exact up to "
              f"{settings.index.exact_max:,} chunks, HNSW M={settings.index.hnsw_m} efSearch="
              f"{settings.index.hnsw_ef_search} above), {len(questions)} dev "
              f"questions cycled, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        base = build_sample(settings, embedder)
        bench_embedding(embedder, questions, args.queries)
        workdir = Path(tmp) / "scaled"
        workdir.mkdir()
        stores = [s.strip() for s in args.stores.split(",") if s.strip()]
        for size in sizes:
            bench_size(settings, base, size, args.queries, workdir, stores)
            if size == 10_000 and args.langchain_queries > 0:
                s = settings.with_overrides(paths={"data_dir": workdir / "local-10000"})
                bench_langchain(Retriever(open_index(s, check=False), embedder, settings.retrieval),
                                questions, args.langchain_queries)
        print(f"\npeak RSS over the whole run: {peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
