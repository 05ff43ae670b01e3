"""The store interface: where an index generation lives, how it is read and how it is replaced.

An index is a series of immutable *generations*. A build writes a complete new generation
beside the live one (vectors of unchanged chunks are reused, so only new text is embedded),
then makes it live in one atomic step; readers keep the generation they opened until they
look again, and an old generation is removed only when no reader still uses it.

Row r of a generation is its r-th chunk: the key both retrievers return. `group` of a row is
the first row with the same passage text, so fusion can count a duplicated passage once.
Two implementations: `local` (files: SQLite, memory-mapped arrays, FAISS, BM25) and `milvus`
(Milvus Lite embedded, or a Milvus server). Both pass tests/test_store_contract.py.
"""

from __future__ import annotations

import fcntl
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from config.errors import IndexBusyError, IndexMismatchError
from index.filters import Filters
from index.manifest import Manifest
from index.types import Chunk, Document

LEDGER_BLOB = "ledger.json"


@dataclass(frozen=True)
class Ranked:
    """One retriever's answer: rows best first, their scores and their passage groups."""

    rows: np.ndarray  # int64
    scores: np.ndarray  # float32
    groups: np.ndarray  # int64

    @classmethod
    def empty(cls) -> Ranked:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(0, np.int64))


@dataclass(frozen=True)
class Contents:
    """Everything one generation holds; `chunks[r]` is row r, `vectors[r]` its vector."""

    manifest: Manifest
    documents: list[Document]
    chunks: list[Chunk]
    vectors: np.ndarray  # (n, dim) float32, L2-normalised
    tokens: list[list[str]]  # BM25 tokens of each chunk (our tokenizer)
    lexical_texts: list[str]  # the text each chunk's BM25 entry is made from
    blobs: dict[str, bytes] = field(default_factory=dict)  # e.g. the commitments ledger

    def check(self) -> None:
        """Raise IndexMismatchError unless every chunk has a vector of the manifest's size,
        its tokens and its lexical text (writers call this before writing anything)."""
        n, dim = len(self.chunks), self.manifest.dim
        if self.vectors.shape != (n, dim) or len(self.tokens) != n or len(self.lexical_texts) != n:
            raise IndexMismatchError(
                f"index contents do not line up: {n} chunks, vectors {self.vectors.shape} "
                f"(expected ({n}, {dim})), {len(self.tokens)} token lists, "
                f"{len(self.lexical_texts)} lexical texts")


class Store(ABC):
    """One generation, open for reading. Safe to share between threads."""

    manifest: Manifest
    generation: str  # the generation's name (compared with `Backend.live()` to spot a newer one)

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def search_dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> Ranked:
        """The `k` rows nearest to a unit query vector (inner product), filtered in the engine."""

    @abstractmethod
    def search_lexical(self, text: str, k: int, filters: Filters | None = None) -> Ranked:
        """The `k` best BM25 rows with a positive score for a (normalised) query text."""

    @abstractmethod
    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The stored vectors of `rows`, shape (len(rows), dim)."""

    @abstractmethod
    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        """Chunks by row, in the order given."""

    @abstractmethod
    def chunks_of(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in reading order."""

    @abstractmethod
    def iter_chunks(self) -> Iterator[tuple[int, Chunk]]:
        """Every (row, chunk), in row order, without holding them all at once."""

    @abstractmethod
    def documents(self) -> list[Document]:
        """Every document, in corpus order."""

    @abstractmethod
    def document(self, doc_id: str) -> Document | None: ...

    @abstractmethod
    def matching(self, filters: Filters) -> list[str]:
        """Ids of the documents that pass `filters`."""

    @abstractmethod
    def blob(self, name: str) -> bytes | None:
        """A named extra stored with the generation (e.g. LEDGER_BLOB), or None."""

    @abstractmethod
    def close(self) -> None:
        """Release the generation (its reader lease); later calls may fail."""

    # -- built on the methods above ------------------------------------------------------------

    def all_chunks(self) -> list[Chunk]:
        return [c for _, c in self.iter_chunks()]

    def chunk(self, chunk_id: str) -> Chunk | None:
        return next((c for _, c in self.iter_chunks() if c.chunk_id == chunk_id), None)

    def rows_of_chunk_ids(self) -> dict[str, int]:
        """chunk_id → row, for every chunk (an incremental build reuses vectors by it)."""
        return {c.chunk_id: r for r, c in self.iter_chunks()}


class Writer(ABC):
    """A new generation being written. Nothing of it is visible until `publish`."""

    @abstractmethod
    def write(self, contents: Contents) -> None:
        """Write the whole generation (may take long; an exception leaves nothing live)."""

    @abstractmethod
    def publish(self) -> str:
        """Make the written generation live in one atomic step; returns its name."""

    @abstractmethod
    def discard(self) -> None:
        """Remove whatever `write` left (after an error or an interruption)."""


class Backend(ABC):
    """Where the generations of one index live."""

    @abstractmethod
    def live(self) -> str | None:
        """The live generation's name, or None when no index was built. Cheap: readers poll it."""

    @abstractmethod
    def open(self) -> Store:
        """Open the live generation for reading (IndexMissingError when there is none)."""

    @abstractmethod
    def writer(self) -> Writer:
        """Start a new generation."""

    @abstractmethod
    def build_lock(self) -> AbstractContextManager[None]:
        """Held for a whole build: a second build fails at once with IndexBusyError."""

    @abstractmethod
    def sweep(self) -> list[str]:
        """Remove retired generations that no reader uses; returns their names."""

    @abstractmethod
    def describe(self) -> str:
        """Where the index lives, for messages ("data/index", "milvus http://…")."""


@contextmanager
def exclusive_build(lock_file: Path, what: str) -> Iterator[None]:
    """Hold `lock_file` exclusively (flock) for one build of `what`; IndexBusyError at once
    when another build holds it. Any process on the host sees the lock; a killed build drops it."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(f"another build of {what} is running; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
