"""Reading one Milvus generation (see index.stores.milvus_schema for its layout)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from config.errors import IndexMissingError
from config.settings import IndexSettings
from index.dense import choose_kind
from index.filters import Filters
from index.lexical import Tokenizer
from index.manifest import Manifest
from index.normalize import normalize
from index.stores.base import Ranked, Store
from index.stores.local_store import chunk_from_json, doc_from_json
from index.stores.milvus_schema import DOCS_SUFFIX, filter_expr, query_vector
from index.types import Chunk, Document

MANIFEST_BLOB = "manifest.json"
_BATCH = 1000


class _NoLiteTimestampNotice(logging.Filter):
    """Milvus Lite gives iterators no server timestamp; pymilvus warns on every iterator it
    opens (once per document listing), though the client-side one it uses instead is right."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "mvccTs" not in record.getMessage()


logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(_NoLiteTimestampNotice())


class MilvusStore(Store):
    """One generation's two collections, read through a shared MilvusClient."""

    def __init__(self, client: Any, collection: str, settings: IndexSettings) -> None:
        self._client = client
        self.generation = collection
        self._docs = collection + DOCS_SUFFIX
        self._settings = settings
        for name in (collection, self._docs):  # after a restart Milvus serves only loaded ones
            if "NotLoad" in str(client.get_load_state(name).get("state")):
                client.load_collection(name)
        raw = read_blob(client, self._docs, MANIFEST_BLOB)
        if raw is None:
            raise IndexMissingError(f"Milvus collection {collection} has no manifest (an unfinished "
                                    "build); run `policyqa index`")
        self.manifest = Manifest(**json.loads(raw))
        self._tokenize = Tokenizer()
        self._lock = threading.Lock()
        self._documents: list[Document] | None = None
        self._doc_cache: dict[str, Document | None] = {}
        self._kind = choose_kind(self.manifest.chunks, settings)

    def __len__(self) -> int:
        return self.manifest.chunks

    # -- searching ----------------------------------------------------------------------------------

    def search_dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> Ranked:
        params: dict[str, Any] = {"metric_type": "IP"}
        if self._kind == "hnsw":
            params["params"] = {"ef": max(self._settings.hnsw_ef_search, k)}
        found = self._client.search(self.generation, data=[np.asarray(vector, np.float32).tolist()],
                                    anns_field="vector", limit=k, filter=filter_expr(filters),
                                    output_fields=["grp"], search_params=params)
        return _ranked(found[0])

    def search_lexical(self, text: str, k: int, filters: Filters | None = None) -> Ranked:
        if self._settings.lexical == "tokenizer":
            query = query_vector(self._tokenize(text))
            if not query:
                return Ranked.empty()
            found = self._client.search(self.generation, data=[query], anns_field="sparse", limit=k,
                                        filter=filter_expr(filters), output_fields=["grp"],
                                        search_params={"metric_type": "IP"})
            return _ranked([h for h in found[0] if h["distance"] > 0])
        found = self._client.search(self.generation, data=[" ".join(normalize(text).split())],
                                    anns_field="bm25", limit=k, filter=filter_expr(filters),
                                    output_fields=["grp"], search_params={"metric_type": "BM25"})
        # Milvus Lite reports BM25 as a negated distance; servers report the score itself.
        return _ranked([{**h, "distance": abs(h["distance"])} for h in found[0]])

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        by_row = {r["row"]: r["vector"] for r in self._rows(rows, ["vector"])}
        return np.asarray([by_row[int(r)] for r in rows], dtype=np.float32).reshape(len(rows), -1)

    # -- chunks and documents ------------------------------------------------------------------------

    def _rows(self, rows: Sequence[int], fields: list[str]) -> list[dict]:
        wanted = sorted({int(r) for r in rows})
        if not wanted:
            return []
        return list(self._client.query(self.generation, filter=f"row in {wanted}",
                                       output_fields=["row", *fields], limit=len(wanted)))

    def _chunk(self, row: dict) -> Chunk:
        if row["data"]:
            return chunk_from_json(row["data"])
        raw = read_blob(self._client, self._docs, f"chunk:{row['row']}")  # a chunk over 64 KB
        assert raw is not None, f"chunk row {row['row']} is missing"
        return chunk_from_json(raw)

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        by_row = {r["row"]: self._chunk(r) for r in self._rows(rows, ["data"])}
        return [by_row[int(r)] for r in rows]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        found = self._client.query(self.generation, filter=f"doc_id == {json.dumps(doc_id)}",
                                   output_fields=["row", "ordinal", "data"], limit=16384)
        return [self._chunk(r) for r in sorted(found, key=lambda r: (r["ordinal"], r["row"]))]

    def _row_ranges(self, fields: list[str]) -> Iterator[dict]:
        for start in range(0, len(self), _BATCH):
            batch = self._client.query(self.generation, filter=f"row >= {start} and row < {start + _BATCH}",
                                       output_fields=["row", *fields], limit=_BATCH)
            yield from sorted(batch, key=lambda r: r["row"])

    def iter_chunks(self) -> Iterator[tuple[int, Chunk]]:
        for row in self._row_ranges(["data"]):
            yield row["row"], self._chunk(row)

    def rows_of_chunk_ids(self) -> dict[str, int]:
        return {r["chunk_id"]: r["row"] for r in self._row_ranges(["chunk_id"])}

    def chunk(self, chunk_id: str) -> Chunk | None:
        found = self._client.query(self.generation, filter=f"chunk_id == {json.dumps(chunk_id)}",
                                   output_fields=["row", "data"], limit=1)
        return self._chunk(found[0]) if found else None

    def documents(self) -> list[Document]:
        with self._lock:
            if self._documents is None:
                rows = self._iterate(self._docs, 'kind == "doc"', ["name", "part", "ord", "data"])
                texts: dict[tuple[int, str], list[tuple[int, str]]] = {}
                for r in rows:
                    texts.setdefault((r["ord"], r["name"]), []).append((r["part"], r["data"]))
                self._documents = [doc_from_json("".join(d for _, d in sorted(texts[key])))
                                   for key in sorted(texts)]
            return list(self._documents)

    def document(self, doc_id: str) -> Document | None:
        if doc_id not in self._doc_cache:
            found = self._client.query(self._docs, filter=f'kind == "doc" and name == {json.dumps(doc_id)}',
                                       output_fields=["part", "data"], limit=16384)
            text = "".join(r["data"] for r in sorted(found, key=lambda r: r["part"]))
            if len(self._doc_cache) >= 256:
                self._doc_cache.clear()
            self._doc_cache[doc_id] = doc_from_json(text) if found else None
        return self._doc_cache[doc_id]

    def matching(self, filters: Filters) -> list[str]:
        expr = " and ".join(e for e in ('kind == "doc" and part == 0', filter_expr(filters)) if e)
        return [r["name"] for r in self._iterate(self._docs, expr, ["name"])]

    def _iterate(self, collection: str, expr: str, fields: list[str]) -> Iterator[dict]:
        """Every row matching `expr`, in batches (a plain query stops at 16,384 rows)."""
        it = self._client.query_iterator(collection, batch_size=_BATCH, filter=expr, output_fields=fields)
        try:
            while batch := it.next():
                yield from batch
        finally:
            it.close()

    def blob(self, name: str) -> bytes | None:
        raw = read_blob(self._client, self._docs, name)
        return None if raw is None else raw.encode("utf-8")

    def close(self) -> None:
        """Nothing to release: the client is shared, and a retired generation is kept until
        the next build after it (readers look for the live one every reload_check_s)."""


def read_blob(client: Any, docs: str, name: str) -> str | None:
    """A text stored in parts under `name` in a documents collection, or None."""
    found = client.query(docs, filter=f'kind == "blob" and name == {json.dumps(name)}',
                         output_fields=["part", "data"], limit=16384)
    if not found:
        return None
    return "".join(r["data"] for r in sorted(found, key=lambda r: r["part"]))


def _ranked(hits: list[dict]) -> Ranked:
    if not hits:
        return Ranked.empty()
    return Ranked(np.array([h["row"] if "row" in h else h["id"] for h in hits], dtype=np.int64),
                  np.array([h["distance"] for h in hits], dtype=np.float32),
                  np.array([h["entity"]["grp"] for h in hits], dtype=np.int64))
