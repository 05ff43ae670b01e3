"""Dense vector index: FAISS over unit vectors with our own int64 ids.

Exact inner-product search (`IndexFlatIP`) by default; HNSW (`IndexHNSWFlat`, inner product)
when `index.dense = "hnsw"`, for corpora where exact search gets slow. Both sit inside an
`IndexIDMap2`, so ids are ours (the chunk's row number) and vectors can be read back by id —
which is how an incremental build reuses the vectors of unchanged chunks.
"""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np

from config.errors import BackendError, IndexMismatchError
from config.settings import IndexSettings

_CORES = os.cpu_count() or 1


class DenseIndex:
    """add / search / remove / save / load over L2-normalised float32 vectors."""

    def __init__(self, dim: int, settings: IndexSettings, *, _index: faiss.Index | None = None):
        self.dim = dim
        self.kind = settings.dense
        if _index is not None:
            self._index = _index
        elif settings.dense == "hnsw":
            inner = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = settings.hnsw_ef_construction
            self._index = faiss.IndexIDMap2(inner)
        else:
            self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.ef_search = settings.hnsw_ef_search

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors (n, dim) under int64 `ids` (which must be new)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise IndexMismatchError(
                f"vectors have shape {vectors.shape}, the dense index expects (n, {self.dim})"
            )
        faiss.omp_set_num_threads(_CORES)  # building (HNSW above all) uses every core
        self._index.add_with_ids(vectors, np.ascontiguousarray(ids, dtype=np.int64))

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The `k` nearest ids and scores for one query vector, best first.

        `allowed` (int64 ids) restricts the search to those ids inside FAISS, so a narrow
        filter still returns up to `k` results instead of an over-fetched, emptied list.
        """
        if len(self) == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if q.shape[1] != self.dim:
            raise IndexMismatchError(
                f"query vector has dimension {q.shape[1]} but the index has {self.dim}; "
                "the embedder changed — run `policyqa index --rebuild`"
            )
        # One query is faster on one thread: FAISS's OpenMP barriers cost more than they save
        # (100k flat: 12 ms vs 18 ms on 2 cores, far worse when the machine is busy). The
        # setting is per calling thread, so it is made here, where the search runs.
        faiss.omp_set_num_threads(1)
        params = self._params(allowed)
        k = min(k, len(self))
        scores, ids = self._index.search(q, k, params=params) if params else self._index.search(q, k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def _params(self, allowed: np.ndarray | None) -> faiss.SearchParameters | None:
        sel = None
        if allowed is not None:
            sel = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        if self.kind == "hnsw":
            # faiss's type stubs lag its SWIG API; these calls are documented and tested.
            return faiss.SearchParametersHNSW(sel=sel, efSearch=self.ef_search)  # type: ignore[attr-defined]
        return faiss.SearchParameters(sel=sel) if sel is not None else None  # type: ignore[call-arg]

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of `ids`, shape (len(ids), dim)."""
        if len(ids) == 0:
            return np.zeros((0, self.dim), np.float32)
        return self._index.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> int:
        """Remove `ids`; returns how many were removed. HNSW cannot remove: rebuild instead."""
        if self.kind == "hnsw":
            raise BackendError("an HNSW index cannot remove vectors; run `policyqa index` "
                               "(it rebuilds the dense index from the kept vectors)")
        return int(self._index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64)))  # type: ignore[arg-type]

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, settings: IndexSettings) -> DenseIndex:
        """Read an index written by `save`; `hnsw_ef_search` comes from the current settings."""
        index = faiss.read_index(str(path))
        dense = cls(index.d, settings, _index=index)
        inner = faiss.downcast_index(faiss.downcast_index(index).index)  # type: ignore[attr-defined]
        dense.kind = "hnsw" if isinstance(inner, faiss.IndexHNSW) else "flat"
        return dense
