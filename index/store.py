"""The index on disk: documents, chunks, dense vectors, BM25 data and a manifest.

Layout of `settings.paths.index_dir`:

    CURRENT            name of the live generation folder (replaced atomically)
    gen-<stamp>/       manifest.json, store.sqlite, rows.npz, dense.faiss, bm25/

A build writes a new generation folder beside the live one and then replaces CURRENT with
`os.replace`, so readers see either the old index or the new one, never a half-built one.
Row r of the chunk table is id r in the dense index and row r of the BM25 index.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from config.errors import IndexMissingError
from config.settings import IndexSettings, Settings
from index.dense import DenseIndex
from index.lexical import LexicalIndex
from index.manifest import Manifest, check_manifest
from index.types import Chunk, Document, ProposalInfo

CURRENT = "CURRENT"
BUILD_HINT = "build it with `policyqa index` (or `policyqa index DIR` for another corpus folder)"


class IndexStore:
    """A loaded index: chunk and document store, dense and lexical indexes, manifest."""

    def __init__(self, folder: Path, manifest: Manifest, dense: DenseIndex,
                 lexical: LexicalIndex) -> None:
        self.folder = folder
        self.manifest = manifest
        self.dense = dense
        self.lexical = lexical
        self._db = sqlite3.connect(f"file:{folder / 'store.sqlite'}?mode=ro", uri=True,
                                   check_same_thread=False)
        self._lock = threading.Lock()
        with np.load(folder / "rows.npz") as rows:
            self.doc_of_row: np.ndarray = rows["doc_of_row"]  # document ordinal of each row
            self.group_of_row: np.ndarray = rows["group_of_row"]  # first row with the same text
        self._documents = [_doc_from_json(d) for (d,) in
                           self._query("SELECT data FROM documents ORDER BY ord")]
        self._doc_ord = {d.doc_id: i for i, d in enumerate(self._documents)}

    def __len__(self) -> int:
        return len(self.doc_of_row)

    def close(self) -> None:
        self._db.close()

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def documents(self) -> list[Document]:
        """Every indexed document, in corpus order."""
        return list(self._documents)

    def document(self, doc_id: str) -> Document | None:
        i = self._doc_ord.get(doc_id)
        return None if i is None else self._documents[i]

    def document_of_row(self, row: int) -> Document:
        return self._documents[int(self.doc_of_row[row])]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in reading order."""
        found = self._query("SELECT data FROM chunks WHERE doc_id = ? ORDER BY ordinal, row",
                            (doc_id,))
        return [_chunk_from_json(d) for (d,) in found]

    def chunk(self, chunk_id: str) -> Chunk | None:
        found = self._query("SELECT data FROM chunks WHERE chunk_id = ?", (chunk_id,))
        return _chunk_from_json(found[0][0]) if found else None

    def chunks_at(self, rows: Iterable[int]) -> list[Chunk]:
        """Chunks by row number, in the order given."""
        wanted = [int(r) for r in rows]
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        found = dict(self._query(f"SELECT row, data FROM chunks WHERE row IN ({marks})", wanted))
        return [_chunk_from_json(found[r]) for r in wanted]

    def rows_of_chunk_ids(self) -> dict[str, int]:
        """chunk_id → row, for every chunk (used by incremental builds)."""
        return dict(self._query("SELECT chunk_id, row FROM chunks"))

    def all_chunks(self) -> list[Chunk]:
        return [_chunk_from_json(d) for (d,) in self._query("SELECT data FROM chunks ORDER BY row")]

    def rows_of_documents(self, doc_ids: Iterable[str]) -> np.ndarray:
        """A boolean mask over rows: True where the row's document is in `doc_ids`."""
        ords = [self._doc_ord[d] for d in doc_ids if d in self._doc_ord]
        return np.isin(self.doc_of_row, np.asarray(ords, dtype=self.doc_of_row.dtype))


def write_store(folder: Path, manifest: Manifest, documents: list[Document], chunks: list[Chunk],
                dense: DenseIndex, token_lists: list[list[str]]) -> None:
    """Write a complete index into `folder` (which must exist and be empty).

    `chunks[r]` is row r: its vector is id r in `dense` and its tokens are `token_lists[r]`.
    """
    doc_ord = {d.doc_id: i for i, d in enumerate(documents)}
    db = sqlite3.connect(folder / "store.sqlite")
    try:
        db.executescript(
            "CREATE TABLE documents (doc_id TEXT PRIMARY KEY, ord INTEGER, data TEXT);"
            "CREATE TABLE chunks (row INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE, doc_id TEXT,"
            " ordinal INTEGER, data TEXT);"
        )
        db.executemany("INSERT INTO documents VALUES (?, ?, ?)",
                       ((d.doc_id, i, _to_json(d)) for i, d in enumerate(documents)))
        db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?, ?)",
                       ((r, c.chunk_id, c.doc_id, c.ordinal, _to_json(c))
                        for r, c in enumerate(chunks)))
        db.execute("CREATE INDEX chunks_doc ON chunks (doc_id, ordinal)")
        db.commit()
    finally:
        db.close()
    first_row: dict[str, int] = {}
    group = np.array([first_row.setdefault(_text_key(c), r) for r, c in enumerate(chunks)],
                     dtype=np.int32)
    np.savez(folder / "rows.npz", doc_of_row=np.array([doc_ord[c.doc_id] for c in chunks],
                                                      dtype=np.int32), group_of_row=group)
    dense.save(folder / "dense.faiss")
    (folder / "bm25").mkdir()
    LexicalIndex.build(token_lists).save(folder / "bm25")
    # The manifest goes last: a folder without one is never taken for a finished index.
    (folder / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")


def _text_key(chunk: Chunk) -> str:
    # Chunks whose normalised text is identical but for spacing are the same passage.
    return "".join(chunk.text_norm.split())


def current_folder(index_dir: Path) -> Path | None:
    """The live generation folder, or None when no index has been built."""
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        return None
    folder = index_dir / pointer.read_text(encoding="utf-8").strip()
    return folder if (folder / "manifest.json").is_file() else None


def open_index(settings: Settings, *, check: bool = True) -> IndexStore:
    """Load the live index; raise IndexMissingError / IndexMismatchError with what to do."""
    index_dir = settings.paths.index_dir
    folder = current_folder(index_dir)
    if folder is None:
        raise IndexMissingError(f"no index in {index_dir}; {BUILD_HINT}")
    if check:
        check_manifest(Manifest.read(folder / "manifest.json"), settings, folder)
    return load_folder(folder, settings.index)


def indexed_corpus(settings: Settings) -> str | None:
    """The corpus folder the live index was built from (None when there is no index)."""
    folder = current_folder(settings.paths.index_dir)
    return None if folder is None else Manifest.read(folder / "manifest.json").corpus


def load_folder(folder: Path, index_settings: IndexSettings) -> IndexStore:
    """Load the index written by `write_store` into `folder` (no settings check)."""
    manifest = Manifest.read(folder / "manifest.json")
    dense = DenseIndex.load(folder / "dense.faiss", index_settings)
    lexical = LexicalIndex.load(folder / "bm25")
    return IndexStore(folder, manifest, dense, lexical)


def _to_json(obj: Document | Chunk) -> str:
    return json.dumps(asdict(obj), ensure_ascii=False, separators=(",", ":"))


def _doc_from_json(data: str) -> Document:
    raw = json.loads(data)
    if raw.get("proposal") is not None:
        raw["proposal"] = ProposalInfo(**raw["proposal"])
    raw["outline"] = tuple(tuple(entry) for entry in raw.get("outline", ()))
    return Document(**raw)


def _chunk_from_json(data: str) -> Chunk:
    raw = json.loads(data)
    raw["heading_path"] = tuple(raw["heading_path"])
    raw["kinds"] = tuple(raw["kinds"])
    return Chunk(**raw)
