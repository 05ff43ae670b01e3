"""Retrieval benchmark: build throughput, query latency at scale, load time, peak memory.

    python -m eval.bench_retrieval [--sizes 1000,10000,100000] [--queries 100] [--hnsw]

1. Builds the index of the sample corpus with the configured (real) embedder: chunks/s.
2. Scales the corpus up synthetically to each size: the real chunks, plus chunks made by
   re-mixing randomly drawn real sentences (2–5 per chunk, in random order), grouped 50 to a
   document. Their BM25 tokens are real (each sentence tokenised once). Their vectors are NOT
   embedded — that would take hours here — but perturbed real ones: the mean of the vectors of
   the chunks the sentences came from, plus Gaussian noise, re-normalised. Query vectors are
   real: `retrieve(k=10)` is timed end to end, query embedding included, over the dev questions.
3. At 10k chunks, Langchain-Chatchat's approach side by side: LangChain's
   `BM25Retriever.from_documents(docs, preprocess_func=jieba.lcut_for_search)` built over the
   whole store for every query (as its FAISS knowledge base does), against our saved index.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.retrieve import Retriever
from config import Settings, load_settings
from index.build import build_index, lexical_text
from index.dense import DenseIndex
from index.embed import Embedder, make_embedder
from index.lexical import Tokenizer
from index.normalize import normalize
from index.store import open_index
from index.stores.base import Contents
from index.stores.local_store import LocalStore, write_generation
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


def timed(retriever: Retriever, questions: list[str], n: int, mode: str) -> tuple[float, float]:
    times = []
    for i in range(n):
        t = time.perf_counter()
        retriever.retrieve(questions[i % len(questions)], k=10, mode=mode)  # type: ignore[arg-type]
        times.append((time.perf_counter() - t) * 1000)
    return percentiles(times)


def bench_size(settings: Settings, base: LocalStore, embedder: Embedder, size: int,
               questions: list[str], n_queries: int, workdir: Path, hnsw: bool) -> Retriever:
    t0 = time.perf_counter()
    docs, chunks, vectors, tokens = synthesize(base, size)
    keep = {c.doc_id for c in chunks}
    docs = [d for d in docs if d.doc_id in keep]
    folder = workdir / f"n{size}"
    folder.mkdir()
    manifest = replace(base.manifest, documents=len(docs), chunks=len(chunks), files={})
    write_generation(folder, Contents(manifest, docs, chunks, vectors, tokens, []), settings.index)
    made = time.perf_counter() - t0
    t1 = time.perf_counter()
    store = LocalStore(folder, settings.index)
    load_s = time.perf_counter() - t1
    retriever = Retriever(store, embedder, settings.retrieval)
    retriever.retrieve(questions[0], k=10)  # warm-up (caches, jieba, model threads)
    line = f"{size:>7} chunks: made+written {made:5.1f} s, load {load_s:.2f} s"
    for mode in ("fused", "bm25"):
        p50, p95 = timed(retriever, questions, n_queries, mode)
        line += f" | {mode} p50 {p50:6.1f} ms p95 {p95:6.1f} ms"
    print(f"{line} | peak RSS {peak_mb():,.0f} MB", flush=True)
    if hnsw:
        bench_hnsw(settings, retriever, vectors, questions, n_queries)
    return retriever


def bench_hnsw(settings: Settings, retriever: Retriever, vectors: np.ndarray,
               questions: list[str], n_queries: int) -> None:
    """The same store with an HNSW dense index: build time, latency, recall@50 vs exact."""
    s = settings.index.model_copy(update={"dense": "hnsw"})
    t = time.perf_counter()
    hnsw = DenseIndex.build(vectors, s)
    built = time.perf_counter() - t
    store = retriever.store
    assert isinstance(store, LocalStore)
    exact = store.dense
    qvecs = retriever.embedder.embed_batch(questions, "query")
    recall = {k: statistics.mean(len(set(exact.search(q, k)[1]) & set(hnsw.search(q, k)[1])) / k
                                 for q in qvecs) for k in (10, 50)}
    store._dense = hnsw
    p50, p95 = timed(retriever, questions, n_queries, "fused")
    store._dense = exact
    print(f"{'':>7}  HNSW (M={s.hnsw_m}, efConstruction={s.hnsw_ef_construction}, "
          f"efSearch={s.hnsw_ef_search}): built in {built:.1f} s, recall vs exact "
          f"@10 {recall[10]:.3f} @50 {recall[50]:.3f}"
          f" | fused p50 {p50:6.1f} ms p95 {p95:6.1f} ms | peak RSS {peak_mb():,.0f} MB", flush=True)


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
    parser.add_argument("--no-hnsw", action="store_true",
                        help="skip the HNSW variant at the largest size")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    import json

    questions = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    with tempfile.TemporaryDirectory(prefix="pqa-bench-") as tmp:
        settings = load_settings().with_overrides(paths={"data_dir": Path(tmp) / "data"},
                                                  index={"dense": "flat"})
        embedder = make_embedder(settings.embedding)
        print(f"embedder {embedder.name}, exact dense index (flat), {len(questions)} dev "
              f"questions cycled, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        base = build_sample(settings, embedder)
        bench_embedding(embedder, questions, args.queries)
        workdir = Path(tmp) / "scaled"
        workdir.mkdir()
        at_10k = None
        for size in sizes:
            retriever = bench_size(settings, base, embedder, size, questions, args.queries, workdir,
                                   hnsw=size == max(sizes) and not args.no_hnsw)
            if size == 10_000:
                at_10k = retriever
        if at_10k is not None and args.langchain_queries > 0:
            bench_langchain(at_10k, questions, args.langchain_queries)
        print(f"\npeak RSS over the whole run: {peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
