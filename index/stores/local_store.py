"""The local store's generation folder: written once by `write_generation`, read by LocalStore.

    manifest.json     written last: a folder without it is never taken for a finished index
    store.sqlite      documents (with their filter keys) and chunks, one JSON row each
    doc_of_row.npy    document ordinal of each row   } memory-mapped: a million rows cost
    group_of_row.npy  first row with the same text   } 8 MB of shared page cache, no objects
    vectors.npy | dense.hnsw   the dense index (index.dense)
    bm25/             BM25 postings (index.lexical), memory-mapped
    blobs/            extras such as the commitments ledger

Opening reads the manifest and maps the row arrays; the dense index, the BM25 postings and the
document list load on first use, so a replica starts in milliseconds whatever the size.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from config.errors import IndexMismatchError
from config.settings import IndexSettings
from index.dense import DenseIndex
from index.filters import Filters, filter_key
from index.lexical import LexicalIndex, Tokenizer
from index.manifest import FORMAT, Manifest
from index.stores.base import Contents, Ranked, Store
from index.types import Chunk, Document, ProposalInfo

_BATCH = 2000


# Opening a generation's files one thread at a time, process-wide: numpy reads an .npy header
# with `ast.literal_eval`, and CPython 3.11 can fail ("AST constructor recursion depth
# mismatch", a SystemError) when threads run the AST constructor at once — seen with readers
# opening generations while builds run. Opening is rare and short; searching is not locked.
_OPENING = threading.Lock()

class LocalStore(Store):
    """One generation folder, open for reading."""

    def __init__(self, folder: Path, settings: IndexSettings,
                 *, release: Callable[[], None] | None = None) -> None:
        self.folder = folder
        self.generation = folder.name
        self.manifest = Manifest.read(folder / "manifest.json")
        if self.manifest.format != FORMAT:
            raise IndexMismatchError(f"the index in {folder} has format {self.manifest.format}, this "
                                     f"version reads {FORMAT}; run `policyqa index --rebuild`")
        self._settings = settings
        self._db = sqlite3.connect(f"file:{folder / 'store.sqlite'}?mode=ro", uri=True,
                                   check_same_thread=False)
        self._lock = threading.Lock()
        with _OPENING:
            self.doc_of_row: np.ndarray = np.load(folder / "doc_of_row.npy", mmap_mode="r")
            self.group_of_row: np.ndarray = np.load(folder / "group_of_row.npy", mmap_mode="r")
        self._dense: DenseIndex | None = None
        self._lexical: LexicalIndex | None = None
        self._documents: list[Document] | None = None
        self._tokenize = Tokenizer()
        self._doc_cache: dict[str, Document | None] = {}
        self._masks: dict[Filters, np.ndarray] = {}
        # Closes the database and releases the reader lease when close() is called or when the
        # last user drops the store (a replaced generation stays open for questions in flight).
        self._finalizer = weakref.finalize(self, _release, self._db, release)

    def __len__(self) -> int:
        return len(self.doc_of_row)

    # -- lazily loaded parts ----------------------------------------------------------------------

    @property
    def dense(self) -> DenseIndex:
        with self._lock:
            if self._dense is None:
                with _OPENING:
                    self._dense = DenseIndex.load(self.folder, self._settings)
            return self._dense

    @property
    def lexical(self) -> LexicalIndex:
        with self._lock:
            if self._lexical is None:
                with _OPENING:
                    self._lexical = LexicalIndex.load(self.folder / "bm25")
            return self._lexical

    def warm_up(self) -> None:
        """Load the dense and BM25 indexes now rather than on the first question."""
        _ = self.dense, self.lexical

    # -- searching ------------------------------------------------------------------------------

    def search_dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> Ranked:
        allowed = self._allowed(filters)
        scores, rows = self.dense.search(vector, k, allowed)
        return Ranked(rows, scores, self.group_of_row[rows].astype(np.int64))

    def search_lexical(self, text: str, k: int, filters: Filters | None = None) -> Ranked:
        allowed = self._allowed(filters)
        if allowed is not None and not allowed.any():
            return Ranked.empty()
        scores, rows = self.lexical.search(self._tokenize(text), k, allowed)
        return Ranked(rows.astype(np.int64), scores, self.group_of_row[rows].astype(np.int64))

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        """The row mask of a filter (cached: a UI session sends the same filter many times)."""
        if filters is None or not filters.active():
            return None
        with self._lock:
            mask = self._masks.get(filters)
        if mask is None:
            ords = [o for (o,) in self._query(*_filter_sql(filters))]
            mask = np.isin(self.doc_of_row, np.asarray(ords, dtype=np.int32))
            with self._lock:
                if len(self._masks) >= 16:
                    self._masks.clear()
                self._masks[filters] = mask
        return mask

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        return self.dense.vectors(np.asarray(rows, dtype=np.int64))

    def rows_of_documents(self, doc_ids: Iterable[str]) -> np.ndarray:
        """A boolean mask over rows: True where the row's document is in `doc_ids`."""
        wanted = tuple(doc_ids)
        mask = self._allowed(Filters(doc_ids=wanted)) if wanted else None
        return np.zeros(len(self), bool) if mask is None else mask

    # -- chunks and documents ----------------------------------------------------------------------

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        wanted = [int(r) for r in rows]
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        found = dict(self._query(f"SELECT row, data FROM chunks WHERE row IN ({marks})", wanted))
        return [chunk_from_json(found[r]) for r in wanted]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        found = self._query("SELECT data FROM chunks WHERE doc_id = ? ORDER BY ordinal, row", (doc_id,))
        return [chunk_from_json(d) for (d,) in found]

    def chunk(self, chunk_id: str) -> Chunk | None:
        found = self._query("SELECT data FROM chunks WHERE chunk_id = ?", (chunk_id,))
        return chunk_from_json(found[0][0]) if found else None

    def iter_chunks(self) -> Iterator[tuple[int, Chunk]]:
        for start in range(0, len(self), _BATCH):
            batch = self._query("SELECT row, data FROM chunks WHERE row >= ? AND row < ? ORDER BY row",
                                (start, start + _BATCH))
            yield from ((r, chunk_from_json(d)) for r, d in batch)

    def rows_of_chunk_ids(self) -> dict[str, int]:
        return dict(self._query("SELECT chunk_id, row FROM chunks"))

    def documents(self) -> list[Document]:
        with self._lock:
            if self._documents is None:
                rows = self._db.execute("SELECT data FROM documents ORDER BY ord").fetchall()
                self._documents = [doc_from_json(d) for (d,) in rows]
            return list(self._documents)

    def document(self, doc_id: str) -> Document | None:
        if doc_id in self._doc_cache:
            return self._doc_cache[doc_id]
        found = self._query("SELECT data FROM documents WHERE doc_id = ?", (doc_id,))
        doc = doc_from_json(found[0][0]) if found else None
        if len(self._doc_cache) >= 256:
            self._doc_cache.clear()
        self._doc_cache[doc_id] = doc
        return doc

    def matching(self, filters: Filters) -> list[str]:
        sql, params = _filter_sql(filters)
        return [d for (d,) in self._query(sql.replace("SELECT ord", "SELECT doc_id"), params)]

    def blob(self, name: str) -> bytes | None:
        path = self.folder / "blobs" / name
        return path.read_bytes() if path.is_file() else None

    def close(self) -> None:
        self._finalizer()


def _release(db: sqlite3.Connection, release: Callable[[], None] | None) -> None:
    db.close()
    if release is not None:
        release()


def _filter_sql(filters: Filters) -> tuple[str, list[object]]:
    """SELECT ord FROM documents WHERE … for a filter (the engine applies it, not Python)."""
    where: list[str] = []
    params: list[object] = []
    for column, asked, values in (("doc_id", filters.doc_ids, filters.doc_ids),
                                  ("type_key", filters.doc_types, filters.type_keys()),
                                  ("issuer_key", filters.issuers, filters.issuer_keys())):
        if asked:  # values that all normalise to nothing match no document
            where.append(f"{column} IN ({','.join('?' * len(values))})" if values else "0")
            params.extend(values)
    if filters.year_from is not None:
        where.append("year >= ?")
        params.append(filters.year_from)
    if filters.year_to is not None:
        where.append("year <= ?")
        params.append(filters.year_to)
    return "SELECT ord FROM documents WHERE " + (" AND ".join(where) or "1"), params


def write_generation(folder: Path, contents: Contents, settings: IndexSettings) -> None:
    """Write a complete generation into `folder` (which must exist and be empty)."""
    docs, chunks = contents.documents, contents.chunks
    doc_ord = {d.doc_id: i for i, d in enumerate(docs)}
    db = sqlite3.connect(folder / "store.sqlite")
    try:
        db.executescript(
            "CREATE TABLE documents (doc_id TEXT PRIMARY KEY, ord INTEGER UNIQUE, type_key TEXT,"
            " issuer_key TEXT, year INTEGER, data TEXT);"
            "CREATE TABLE chunks (row INTEGER PRIMARY KEY, chunk_id TEXT, doc_id TEXT,"
            " ordinal INTEGER, data TEXT);"
        )
        db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                       ((d.doc_id, i, filter_key(d.doc_type), filter_key(d.issuer), d.year, to_json(d))
                        for i, d in enumerate(docs)))
        db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?, ?)",
                       ((r, c.chunk_id, c.doc_id, c.ordinal, to_json(c)) for r, c in enumerate(chunks)))
        db.execute("CREATE INDEX chunks_doc ON chunks (doc_id, ordinal)")
        db.execute("CREATE INDEX chunks_id ON chunks (chunk_id)")
        db.commit()
    finally:
        db.close()
    np.save(folder / "doc_of_row.npy", np.array([doc_ord[c.doc_id] for c in chunks], dtype=np.int32))
    np.save(folder / "group_of_row.npy", passage_groups(chunks))
    DenseIndex.build(contents.vectors, settings).save(folder)
    (folder / "bm25").mkdir()
    LexicalIndex.build(contents.tokens).save(folder / "bm25")
    (folder / "blobs").mkdir()
    for name, data in contents.blobs.items():
        (folder / "blobs" / name).write_bytes(data)
    (folder / "manifest.json").write_text(contents.manifest.to_json(), encoding="utf-8")


def passage_groups(chunks: Sequence[Chunk]) -> np.ndarray:
    """For each row, the first row whose normalised text is the same but for spacing."""
    first: dict[str, int] = {}
    return np.array([first.setdefault("".join(c.text_norm.split()), r) for r, c in enumerate(chunks)],
                    dtype=np.int32)


def to_json(obj: Document | Chunk) -> str:
    return json.dumps(asdict(obj), ensure_ascii=False, separators=(",", ":"))


def doc_from_json(data: str) -> Document:
    raw = json.loads(data)
    if raw.get("proposal") is not None:
        raw["proposal"] = ProposalInfo(**raw["proposal"])
    raw["outline"] = tuple(tuple(entry) for entry in raw.get("outline", ()))
    return Document(**raw)


def chunk_from_json(data: str) -> Chunk:
    raw = json.loads(data)
    raw["heading_path"] = tuple(raw["heading_path"])
    raw["kinds"] = tuple(raw["kinds"])
    return Chunk(**raw)
