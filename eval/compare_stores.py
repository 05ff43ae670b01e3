"""Retrieval figures per store on one corpus: local, Milvus with our tokenizer's BM25, Milvus's own.

    python -m eval.compare_stores --corpus DIR --questions FILE [--questions FILE…] [--bm25-only]

Builds the corpus once with the local store (real embedder), then writes the very same
generation (documents, chunks, vectors, tokens) into Milvus Lite twice — `index.lexical =
"tokenizer"` (sparse vectors of our BM25) and `"milvus_bm25"` (Milvus's jieba analyser and BM25
function) — and retrieves every answerable question in each mode (bm25, dense, fused) from each.
A retrieved chunk is relevant when it overlaps a gold quote's place in its file (eval.metrics).
Prints hit@5, MRR@10 and recall@5 per configuration and mode; this is how the Milvus store's
lexical default was chosen (README, "Deployment"). `--bm25-only` skips the embedding model
(the fake embedder stands in; only BM25 is measured), for corpora too large to embed quickly.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from assistant.retrieve import Retriever
from config import Settings, load_settings
from eval.dataset import Evidence, locate
from eval.metrics import Span, hit_at_k, mean, recall_at_k, reciprocal_rank
from index.build import build_index
from index.embed import make_embedder
from index.store import open_index
from index.stores import backend_for
from index.stores.base import Contents
from index.stores.local_store import LocalStore

CONFIGS = (("local", "local", "tokenizer"), ("milvus (our BM25)", "milvus", "tokenizer"),
           ("milvus (Milvus BM25, jieba)", "milvus", "milvus_bm25"))
MODES = ("bm25", "dense", "fused")


def local_contents(store: LocalStore) -> Contents:
    """The live local generation as writable contents (the same rows for every store)."""
    from index.build import lexical_text
    from index.lexical import Tokenizer

    chunks = store.all_chunks()
    docs = {d.doc_id: d for d in store.documents()}
    texts = [lexical_text(docs[c.doc_id], c) for c in chunks]
    tokenize = Tokenizer()
    return Contents(store.manifest, store.documents(), chunks, store.vectors(list(range(len(chunks)))),
                    [tokenize(t) for t in texts], texts)


def questions_with_evidence(paths: Sequence[Path], store: LocalStore) -> list[tuple[str, list[Evidence]]]:
    """(question, evidence located in the indexed documents' text) for answerable questions."""
    by_source = {d.source: d for d in store.documents()}
    by_name = {Path(d.source).name: d for d in store.documents()}
    out = []
    lines = [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("answerable", True):
            continue
        evidence = []
        for ev in row.get("evidence", []):
            doc = by_source.get(ev["file"]) or by_name.get(Path(ev["file"]).name)
            spans = tuple(locate(doc.text, ev["quote"])) if doc else ()
            if doc and spans:
                evidence.append(Evidence(doc.source, ev["quote"], spans))
        if evidence:
            out.append((row["question"], evidence))
    return out


def figures(retriever: Retriever, items: Sequence[tuple[str, list[Evidence]]], mode: str, k: int) -> dict:
    hit, mrr, rec = [], [], []
    for question, evidence in items:
        hits = retriever.retrieve(question, k=k, mode=mode)  # type: ignore[arg-type]
        ranked = [Span(h.document.source, h.chunk.start, h.chunk.end) for h in hits]
        hit.append(hit_at_k(ranked, evidence, 5))
        mrr.append(reciprocal_rank(ranked, evidence, 10))
        rec.append(recall_at_k(ranked, evidence, 5))
    return {"hit@5": mean(hit), "mrr@10": mean(mrr), "recall@5": mean(rec)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--questions", type=Path, required=True, action="append")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--bm25-only", action="store_true", help="measure BM25 only, without the embedding model")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pqa-stores-") as tmp:
        base: Settings = load_settings().with_overrides(
            paths={"corpus": args.corpus.resolve(), "data_dir": Path(tmp) / "local"},
            embedding={"backend": "fake"} if args.bm25_only else {})
        embedder = make_embedder(base.embedding)
        report = build_index(base, progress=False, embedder=embedder)
        local = open_index(base)
        assert isinstance(local, LocalStore)
        items = questions_with_evidence(args.questions, local)
        print(f"{args.corpus}: {report.documents} documents, {report.chunks} chunks; "
              f"{len(items)} answerable questions with located evidence")
        contents = local_contents(local)
        for label, store, lexical in CONFIGS:
            s = base if store == "local" else base.with_overrides(
                paths={"data_dir": Path(tmp) / f"{store}-{lexical}"}, index={"store": store, "lexical": lexical})
            if store != "local":
                writer = backend_for(s).writer()
                writer.write(contents)
                writer.publish()
            retriever = Retriever(open_index(s, check=False), embedder, s.retrieval)
            row = {m: figures(retriever, items, m, args.k) for m in (("bm25",) if args.bm25_only else MODES)}
            print(f"  {label:<30}" + " | ".join(
                f"{m} hit@5 {f['hit@5']:.3f} mrr@10 {f['mrr@10']:.3f} recall@5 {f['recall@5']:.3f}"
                for m, f in row.items()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
