"""Dense vector index over one generation's rows: exact while small, HNSW when large.

Row r holds chunk r's L2-normalised float32 vector; an index is written once and never
changed (a build writes a new generation). Exact search (`kind = "flat"`, FAISS IndexFlatIP)
up to `index.exact_max` rows (`dense = "auto"`), FAISS's HNSW (inner product) above it or with
`dense = "hnsw"`. Either is read with its vector storage memory-mapped (`IO_FLAG_MMAP_IFC`):
loading costs nothing but the HNSW graph, and the pages are shared by every process serving
the same generation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from config.errors import IndexMismatchError
from config.settings import IndexSettings

Kind = Literal["flat", "hnsw"]
FILE = "dense.faiss"
# A filter that leaves at most this share of rows is searched exactly over those rows: HNSW
# with a narrow filter walks most of its graph to find k allowed neighbours.
_EXACT_SHARE = 0.05


def choose_kind(n: int, settings: IndexSettings) -> Kind:
    """The index kind for `n` rows under the settings (`auto`: exact up to `exact_max`)."""
    if settings.dense == "auto":
        return "flat" if n <= settings.exact_max else "hnsw"
    return settings.dense


class DenseIndex:
    """search / vectors over rows 0..n-1; `build`, `save` and `load` make and read one."""

    def __init__(self, index: faiss.Index, ef_search: int = 64) -> None:
        self._index = index
        self.kind: Kind = "hnsw" if isinstance(index, faiss.IndexHNSW) else "flat"
        self._matrix = _storage_view(index)  # (n, dim) float32, no copy
        self.ef_search = ef_search
        self.dim = int(index.d)

    def __len__(self) -> int:
        return int(self._matrix.shape[0])

    @classmethod
    def build(cls, vectors: np.ndarray, settings: IndexSettings) -> DenseIndex:
        """An index over `vectors` (row r = vector r), of the kind the settings choose."""
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2:
            raise IndexMismatchError(f"vectors have shape {matrix.shape}, expected (n, dim)")
        index: faiss.Index
        if choose_kind(len(matrix), settings) == "flat":
            index = faiss.IndexFlatIP(matrix.shape[1])
        else:
            index = faiss.IndexHNSWFlat(matrix.shape[1], settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = settings.hnsw_ef_construction
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # building uses every core
        index.add(matrix)
        return cls(index, settings.hnsw_ef_search)

    def save(self, folder: Path) -> None:
        faiss.write_index(self._index, str(folder / FILE))

    @classmethod
    def load(cls, folder: Path, settings: IndexSettings) -> DenseIndex:
        """Open what `save` wrote, memory-mapped; `hnsw_ef_search` comes from the settings."""
        return cls(faiss.read_index(str(folder / FILE), faiss.IO_FLAG_MMAP_IFC), settings.hnsw_ef_search)

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The `k` best (scores, rows) for one query vector; `allowed` is a boolean row mask."""
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dim:
            raise IndexMismatchError(
                f"query vector has dimension {q.shape[0]} but the index has {self.dim}; "
                "the embedder changed — run `policyqa index --rebuild`"
            )
        n_allowed = len(self) if allowed is None else int(np.count_nonzero(allowed))
        if k <= 0 or n_allowed == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        if self.kind == "hnsw" and allowed is not None and n_allowed <= _EXACT_SHARE * len(self):
            rows = np.flatnonzero(allowed)
            scores, at = _top(self._matrix[rows] @ q, min(k, n_allowed))
            return scores, rows[at]
        # One query is faster on one thread: OpenMP's barriers cost more than they save. The
        # setting is per calling thread, so it is made where the search runs.
        faiss.omp_set_num_threads(1)
        bitmap = None if allowed is None else np.packbits(allowed, bitorder="little")
        sel = None if bitmap is None else faiss.IDSelectorBitmap(len(self), faiss.swig_ptr(bitmap))
        # faiss's type stubs lag its SWIG API; these calls are documented and tested.
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(self.ef_search, k))  # type: ignore[attr-defined]
        else:
            params = faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]
        scores, rows = self._index.search(q.reshape(1, -1), min(k, n_allowed), params=params)
        keep = rows[0] >= 0
        return scores[0][keep], rows[0][keep].astype(np.int64)

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of `rows`, shape (len(rows), dim)."""
        return np.asarray(self._matrix[np.asarray(rows, dtype=np.int64)], dtype=np.float32)


def _storage_view(index: faiss.Index) -> np.ndarray:
    """FAISS's own vector storage (of a flat index, or of an HNSW index) as numpy, no copy."""
    index = faiss.downcast_index(index)  # type: ignore[attr-defined]
    flat = faiss.downcast_index(index.storage) if isinstance(index, faiss.IndexHNSW) else index  # type: ignore[attr-defined]
    n, d = int(flat.ntotal), int(flat.d)
    if n == 0:
        return np.zeros((0, d), np.float32)
    return faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d)  # type: ignore[attr-defined]


def _top(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k highest finite scores and their positions, best first, ties by position."""
    k = min(k, int(np.count_nonzero(np.isfinite(scores))))
    if k <= 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    top = np.argpartition(-scores, k - 1)[:k]
    order = np.lexsort((top, -scores[top]))
    rows = top[order].astype(np.int64)
    return scores[rows].astype(np.float32), rows
