"""Lexical index: BM25 (bm25s) over jieba tokens of normalised text, built once and saved.

Tokenisation is `index.analysis.Analyzer.tokens`: normalised text, jieba's search-engine cut
plus the character bigrams of every Chinese run (a short term matches however jieba segmented
it: 高企, 研发 inside 研发投入…), question words dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from index.analysis import default_analyzer

# Bump when tokenisation changes: the BM25 data on disk depends on it (checked via the manifest).
LEXICAL_VERSION = "jieba-search+bigram+vocabulary-3"


class Tokenizer:
    """Text → BM25 tokens (`index.analysis`: the same analysis as the questions'); jieba loads
    lazily and quietly on the first call."""

    def __call__(self, text: str) -> list[str]:
        """Tokens of `text` (any script) for BM25, in text order."""
        return default_analyzer().tokens(text)


class LexicalIndex:
    """BM25 over pre-tokenised texts; row i of the index is text i given to `build`."""

    def __init__(self, bm25: Any, size: int) -> None:
        self._bm25 = bm25
        self.size = size

    def __len__(self) -> int:
        return self.size

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> LexicalIndex:
        """Index token lists (one per chunk, in row order)."""
        import bm25s

        bm25 = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
        # bm25s cannot index an empty corpus or an empty document; "" stands for "no tokens".
        bm25.index([toks or [""] for toks in token_lists] or [[""]], show_progress=False)
        return cls(bm25, len(token_lists))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """The BM25 score of every row (float32, length `len(self)`); a repeated query token
        counts as often as it is repeated."""
        ids = self._bm25.get_tokens_ids([t for t in query_tokens if t])
        if not ids or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)[: self.size]

    def _csc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s = self._bm25.scores
        return s["data"], s["indices"], s["indptr"]

    def row_weights(self) -> tuple[list[str], Any]:
        """(vocabulary, rows × vocabulary scipy CSR matrix of each token's BM25 weight in each
        row): a chunk's BM25 as a sparse vector whose dot product with the query's token counts
        is exactly `scores` (used by the Milvus store)."""
        import scipy.sparse as sp

        data, indices, indptr = self._csc()
        vocab = sorted(self._bm25.vocab_dict, key=self._bm25.vocab_dict.get)
        csc = sp.csc_matrix((np.asarray(data), np.asarray(indices), np.asarray(indptr)),
                            shape=(self._bm25.scores["num_docs"], len(indptr) - 1))
        return vocab, csc[: self.size].tocsr()

    def search(self, query_tokens: list[str], k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top `k` (scores, rows) with a positive score, best first; `allowed` is a row mask."""
        scores = self.scores(query_tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        positive = int(np.count_nonzero(scores > 0))
        k = min(k, positive)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        top = np.argpartition(-scores, k - 1)[:k]
        # Ties broken by row so results are deterministic.
        order = np.lexsort((top, -scores[top]))
        rows = top[order].astype(np.int64)
        return scores[rows], rows

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)
        (folder / "size.txt").write_text(str(self.size), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        # Memory-mapped: a million chunks' postings stay on disk (and in the page cache that
        # every process serving the same generation shares) instead of in each process.
        bm25 = bm25s.BM25.load(str(folder), load_corpus=False, mmap=True, show_progress=False)
        size = int((folder / "size.txt").read_text(encoding="utf-8"))
        return cls(bm25, size)
