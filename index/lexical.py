"""Lexical index: BM25 (bm25s) over jieba tokens of normalised text, built once and saved.

Tokenisation: `normalize()` (simplified, half-width), lower case, jieba's search-engine cut
(long words also yield their sub-words, so 高新技术企业 matches 高新技术 and 企业), with
punctuation and spaces dropped, plus the character bigrams of every run of Chinese
characters. The bigrams let a short term match however jieba happened to segment it
(高企, 研发 inside 研发投入…), which matters for policy text full of abbreviations.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from index.normalize import normalize

# Bump when tokenisation changes: the BM25 data on disk depends on it (checked via the manifest).
LEXICAL_VERSION = "jieba-search+bigram-2"

_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
# Question words: frequent in questions and carrying no content. Other function words are
# left to BM25's IDF (a longer stoplist measured worse: 的/为/对 sit inside real phrases).
_STOP = frozenset(("哪些", "哪个", "哪", "什么", "多少", "怎么", "怎样", "如何", "是否", "吗", "呢",
                   "吧", "请问", "有哪些", "哪几", "几"))


@cache
def _jieba() -> Any:
    """One jieba dictionary per process, loaded on first use and never modified (like the
    OpenCC converters in index.normalize): loading takes ~1 s, so instances share it."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" chatter
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


class Tokenizer:
    """Text → BM25 tokens; jieba loads lazily and quietly on the first call."""

    def __call__(self, text: str) -> list[str]:
        """Tokens of `text` (any script) for BM25, in text order."""
        norm = normalize(text).lower()
        tokens = [t for t in _jieba().cut_for_search(norm, HMM=True) if _keep(t)]
        for run in _CJK_RUN.findall(norm):
            tokens.extend(b for i in range(len(run) - 1) if (b := run[i : i + 2]) not in _STOP)
        return tokens


def _keep(token: str) -> bool:
    token = token.strip()
    if not token or token in _STOP:
        return False
    return any(unicodedata.category(c)[0] in "LN" for c in token)


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
