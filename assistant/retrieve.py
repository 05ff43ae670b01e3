"""Hybrid retrieval: dense + BM25, weighted reciprocal-rank fusion, optional rerank.

Each retriever returns its `retrieval.candidates` best chunks from the store (local or
Milvus: the same fusion runs over either); identical passages (the same text at several
places, e.g. a page captured twice) are collapsed to one before fusion, so they never appear
twice and their evidence adds up instead of splitting. Fused score of a passage =
Σ weight_r / (rrf_k + rank_r). Filters restrict both retrievers inside the store's engine,
*before* ranking.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np

from assistant.limits import check_text
from assistant.rerank import Reranker, make_reranker
from assistant.types import Hit
from config.errors import IndexMismatchError, QueryError
from config.settings import RetrievalSettings
from index.analysis import expand
from index.embed import Embedder
from index.filters import Filters
from index.normalize import normalize
from index.stores.base import Ranked, Store

__all__ = ["MODES", "Filters", "Mode", "Retrieval", "Retriever", "hit_metadata"]

log = logging.getLogger(__name__)
Mode = Literal["fused", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("fused", "dense", "bm25")


@dataclass(frozen=True)
class Retrieval:
    """Hits plus what the caller should show alongside them (e.g. a truncated query)."""

    hits: list[Hit]
    query: str  # the query as actually used
    notices: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _Candidate:
    row: int
    ranks: dict[str, int] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    fused: float = 0.0


class Retriever:
    """retrieve(query, k, filters, mode) -> list[Hit] over one open store."""

    def __init__(self, store: Store, embedder: Embedder, settings: RetrievalSettings,
                 *, reranker: Reranker | None = None) -> None:
        if embedder.name != store.manifest.embedder:
            raise IndexMismatchError(
                f"the index was built with embedder {store.manifest.embedder}, not "
                f"{embedder.name}; run `policyqa index --rebuild`"
            )
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker if reranker is not None else make_reranker(settings)

    def prepare(self, query: str) -> tuple[str, tuple[str, ...]]:
        """The usable query and notices: QueryError when empty, truncated when too long."""
        text = check_text(query if query is not None else "", "检索词").strip()
        if not text:
            raise QueryError("the query is empty; type a question or some keywords")
        limit = self.settings.max_query_chars
        if len(text) > limit:
            notice = (f"问题过长（{len(text)} 字），只使用了前 {limit} 字检索。"
                      f" (query truncated from {len(text)} to {limit} characters)")
            log.warning(notice)
            return text[:limit], (notice,)
        return text, ()

    def retrieve(self, query: str, k: int | None = None, filters: Filters | None = None,
                 mode: Mode = "fused") -> list[Hit]:
        """The `k` best chunks for `query` (notices are logged; use `search` to get them)."""
        return self.search(query, k, filters, mode).hits

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: Mode = "fused") -> Retrieval:
        """Like `retrieve`, also returning the query used and any notices."""
        if mode not in MODES:
            raise QueryError(f"unknown retrieval mode '{mode}'; valid: {', '.join(MODES)}")
        text, notices = self.prepare(query)
        k = k or self.settings.k
        active = filters if filters is not None and filters.active() else None
        if active is not None and not self.store.matching(active):
            return Retrieval([], text, (*notices, "no document matches the filters"))
        depth = max(self.settings.candidates, k)
        qvec = None
        lists: dict[str, Ranked] = {}
        lexical: Future[Ranked] | None = None
        if mode in ("fused", "bm25"):
            # Abbreviations people type (高企, 规上) get their written forms added. In fused mode
            # BM25 runs beside the query embedding (whose C engine releases the GIL): at a
            # million chunks the two take about as long as each other.
            lexical = _pool().submit(self.store.search_lexical, expand(text), depth, active)
        if mode in ("fused", "dense"):
            qvec = self.embedder.embed_batch([" ".join(normalize(text).split())], "query")[0]
            lists["dense"] = self.store.search_dense(qvec, depth, active)
        if lexical is not None:
            lists["bm25"] = lexical.result()
        weights = {"dense": self.settings.dense_weight, "bm25": self.settings.bm25_weight}
        ranked = self._fuse(lists, weights if mode == "fused" else {mode: 1.0})
        top = ranked[: depth if self.reranker else k]
        hits = self._hits(top, qvec)
        if self.reranker is not None and hits:
            hits = self._rerank(text, hits)
        return Retrieval(hits[:k], text, notices)

    def _fuse(self, lists: dict[str, Ranked], weights: dict[str, float]) -> list[_Candidate]:
        """Weighted RRF over passages (rows collapsed by identical text)."""
        by_group: dict[int, _Candidate] = {}
        for name, ranked in lists.items():
            seen: set[int] = set()
            for row, score, group in zip(ranked.rows.tolist(), ranked.scores.tolist(),
                                         ranked.groups.tolist(), strict=True):
                if group in seen:
                    continue  # a copy of a passage already ranked higher in this list
                seen.add(group)
                cand = by_group.setdefault(group, _Candidate(row))
                cand.ranks[name] = len(seen)
                cand.scores.setdefault(name, score)
                cand.fused += weights.get(name, 0.0) / (self.settings.rrf_k + len(seen))
        return sorted(by_group.values(),
                      key=lambda c: (-c.fused, min(c.ranks.values()), c.row))

    def _hits(self, top: list[_Candidate], qvec: np.ndarray | None) -> list[Hit]:
        rows = [c.row for c in top]
        chunks = self.store.chunks_at(rows)
        dense = self.store.vectors(rows) @ qvec if qvec is not None and rows else None
        hits = []
        for i, (cand, chunk) in enumerate(zip(top, chunks, strict=True)):
            scores = {"fused": cand.fused}
            if dense is not None:
                scores["dense"] = float(dense[i])
            if "bm25" in cand.scores:  # a BM25 score where BM25 ranked the passage
                scores["bm25"] = float(cand.scores["bm25"])
            document = self.store.document(chunk.doc_id)
            assert document is not None, f"chunk {chunk.chunk_id} has no document"
            hits.append(Hit(chunk=chunk, document=document, rank=i + 1, fused_score=cand.fused,
                            scores=scores, ranks=dict(cand.ranks)))
        return hits

    def _rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        assert self.reranker is not None
        scores = self.reranker.score(query, [h.chunk.text for h in hits])
        order = np.argsort(-scores, kind="stable")
        return [Hit(chunk=hits[j].chunk, document=hits[j].document, rank=i + 1,
                    fused_score=float(scores[j]),
                    scores={**hits[j].scores, "rerank": float(scores[j])},
                    ranks={**hits[j].ranks, "fused": hits[j].rank})
                for i, j in enumerate(order.tolist())]

    def as_retriever(self, k: int | None = None, filters: Filters | None = None,
                     mode: Mode = "fused") -> Any:
        """A LangChain `BaseRetriever` over this index (Documents carry ids and offsets)."""
        return _langchain_class()(retriever=self, k=k or self.settings.k, filters=filters,
                                  mode=mode)


@cache
def _pool() -> ThreadPoolExecutor:
    """Threads for the BM25 half of a search (one per search in flight)."""
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="bm25")


def hit_metadata(hit: Hit) -> dict[str, Any]:
    """Plain-data description of a hit (for LangChain Documents and `--json` output)."""
    c, d = hit.chunk, hit.document
    return {
        "chunk_id": c.chunk_id, "doc_id": c.doc_id, "source": d.source, "title": d.title,
        "doc_number": d.doc_number, "date": d.date, "doc_type": d.doc_type, "issuer": d.issuer,
        "heading_path": list(c.heading_path), "start": c.start, "end": c.end,
        "rank": hit.rank, "fused_score": hit.fused_score, "scores": dict(hit.scores),
        "ranks": dict(hit.ranks),
    }


@cache
def _langchain_class() -> type:
    # Imported on first use: langchain_core is slow to import and most callers never need it.
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document as LCDocument
    from langchain_core.retrievers import BaseRetriever

    class PolicyQARetriever(BaseRetriever):
        """LangChain view of a policyqa Retriever."""

        retriever: Any
        k: int = 10
        filters: Any = None
        mode: str = "fused"

        def _get_relevant_documents(
            self, query: str, *, run_manager: CallbackManagerForRetrieverRun
        ) -> list[LCDocument]:
            hits = self.retriever.retrieve(query, self.k, self.filters, self.mode)
            return [LCDocument(page_content=h.chunk.text, metadata=hit_metadata(h), id=h.chunk.chunk_id)
                    for h in hits]

    return PolicyQARetriever
