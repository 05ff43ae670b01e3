"""The Milvus store: generations as collections, the live one behind an alias.

`index.uri` a file path (default `data/milvus.db`) runs Milvus Lite inside this process; an
`http://host:19530` URI talks to a Milvus standalone or distributed server (token from the
variable named by `index.token_env`) — the same code either way.

A build writes a new pair of collections (milvus_schema), flushes them, writes the manifest
row last, and then switches the alias `index.collection` to them: the one atomic step. Readers
open the collection the alias names and keep it; they look at the alias again every
`index.reload_check_s` seconds. A build removes generations other than the live one and the
one it replaced (which readers that have not looked yet may still use).

One build at a time: a file lock in the data folder. With a Milvus server shared by replicas
on several machines, exactly one of them (or one CLI host) builds — the admin path writes
through one place; Milvus itself offers no lock to enforce that across machines.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from config.errors import BackendError, IndexMissingError
from config.settings import Settings
from index.dense import choose_kind
from index.filters import filter_key
from index.lexical import LexicalIndex
from index.stores.base import Backend, Contents, Writer, exclusive_build
from index.stores.local_store import passage_groups, to_json
from index.stores.milvus_schema import (
    DOCS_SUFFIX,
    MAX_KEY,
    NO_YEAR,
    chunk_schema,
    docs_schema,
    parts,
    token_dim,
)
from index.stores.milvus_store import MANIFEST_BLOB, MilvusStore

_INSERT_BATCH = 2000
_MAX_CHUNK_JSON = 60_000  # bytes; a longer chunk's JSON is stored in parts with the documents


class MilvusBackend(Backend):
    """The generations of one index in one Milvus database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.index
        self.data_dir = settings.paths.data_dir
        self.uri = settings.index.milvus_uri(settings.paths.data_dir)
        self.alias = settings.index.collection
        self._client: Any = None

    def describe(self) -> str:
        return f"Milvus {self.uri} (collection {self.alias})"

    @property
    def client(self) -> Any:
        if self._client is None:
            from pymilvus import MilvusClient

            options: dict[str, Any] = {}
            if "://" not in self.uri:
                Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
                # Milvus Lite's embedded gRPC server keeps grpc's default ping policy (one ping per
                # 5 minutes without data), pymilvus pings every 10 s: a connection left idle while
                # a build embeds for minutes is dropped with "too many pings". Ping it rarely.
                options["grpc_options"] = {"grpc.keepalive_time_ms": 600_000,
                                           "grpc.keepalive_permit_without_calls": 0}
            try:
                self._client = MilvusClient(uri=self.uri, token=self.settings.token() or "", timeout=60,
                                            **options)
            except Exception as exc:  # pymilvus raises several kinds; all mean "cannot reach it"
                raise BackendError(f"cannot connect to Milvus at {self.uri} ({exc}); check index.uri "
                                   f"and the token in ${self.settings.token_env}") from None
        return self._client

    def live(self) -> str | None:
        listed = self.client.list_aliases()  # asked first: describing a missing alias logs an error
        if self.alias not in (listed.get("aliases", []) if isinstance(listed, dict) else listed):
            return None
        try:
            return str(self.client.describe_alias(self.alias)["collection_name"])
        except Exception:  # dropped between the two calls
            return None

    def close(self) -> None:
        """Let go of the connection; for Milvus Lite also of its database folder, which one
        process at a time may hold (so another process can open it)."""
        if self._client is None:
            return
        self._client.close()
        self._client = None
        if "://" not in self.uri:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(self.uri)

    def open(self) -> MilvusStore:
        # The generation the alias named may be removed by a build between the two calls:
        # look again (each retry means a newer generation went live).
        for _ in range(5):
            name = self.live()
            if name is None:
                break
            try:
                return MilvusStore(self.client, name, self.settings)
            except IndexMissingError:
                raise
            except Exception:
                time.sleep(0.05)
        raise IndexMissingError(f"no index in {self.describe()}; build it with `policyqa index`")

    def writer(self) -> MilvusWriter:
        return MilvusWriter(self)

    def build_lock(self) -> AbstractContextManager[None]:
        return exclusive_build(self.data_dir / f".milvus-{self.alias}.build.lock", self.describe())

    def generations(self) -> list[str]:
        """This index's chunk collections, oldest first (names sort by build time)."""
        pattern = re.compile(rf"^{re.escape(self.alias)}_g\d{{8}}T\d{{6}}_[0-9a-f]{{6}}$")
        return sorted(n for n in self.client.list_collections() if pattern.match(n))

    def sweep(self) -> list[str]:
        live = self.live()
        gens = self.generations()
        keep = {live}
        if live in gens:  # and the one it replaced, for readers that have not looked again yet
            older = gens[: gens.index(live)]
            keep.update(older[-1:])
        removed = [g for g in gens if g not in keep]
        for name in removed:
            drop_generation(self.client, name)
        return removed


def drop_generation(client: Any, name: str) -> None:
    for collection in (name, name + DOCS_SUFFIX):
        if client.has_collection(collection):
            client.drop_collection(collection)


class MilvusWriter(Writer):
    """A new pair of collections; live only after `publish` switches the alias."""

    def __init__(self, backend: MilvusBackend) -> None:
        self.backend = backend
        self.client = backend.client
        self.name = f"{backend.alias}_g{datetime.now(UTC):%Y%m%dT%H%M%S}_{secrets.token_hex(3)}"

    def write(self, contents: Contents) -> None:
        from pymilvus import MilvusClient

        contents.check()
        client, s = self.client, self.backend.settings
        docs = self.name + DOCS_SUFFIX
        client.create_collection(docs, schema=docs_schema(MilvusClient), index_params=self._docs_index())
        client.create_collection(self.name, schema=chunk_schema(MilvusClient, contents.manifest.dim, s.lexical),
                                 index_params=self._chunk_index(len(contents.chunks)))
        self._insert(docs, self._doc_rows(contents))
        self._insert(self.name, self._chunk_rows(contents))
        client.flush(self.name)
        # The manifest goes last: a generation without one is never taken for a finished index.
        self._insert(docs, _blob_rows(MANIFEST_BLOB, contents.manifest.to_json()))
        client.flush(docs)

    def _docs_index(self) -> Any:
        params = self.client.prepare_index_params()
        params.add_index("v", index_type="FLAT", metric_type="IP")
        return params

    def _chunk_index(self, n: int) -> Any:
        s = self.backend.settings
        params = self.client.prepare_index_params()
        if choose_kind(n, s) == "hnsw":
            params.add_index("vector", index_type="HNSW", metric_type="IP",
                             params={"M": s.hnsw_m, "efConstruction": s.hnsw_ef_construction})
        else:
            params.add_index("vector", index_type="FLAT", metric_type="IP")
        if s.lexical == "tokenizer":
            params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        else:
            params.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        for field in ("doc_id", "type_key", "issuer_key", "year"):
            params.add_index(field, index_type="INVERTED")
        return params

    def _insert(self, collection: str, rows: Iterator[dict]) -> None:
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _INSERT_BATCH:
                self.client.insert(collection, batch)
                batch = []
        if batch:
            self.client.insert(collection, batch)

    def _doc_rows(self, contents: Contents) -> Iterator[dict]:
        for ord_, doc in enumerate(contents.documents):
            keys = _keys(doc.doc_id, doc.doc_type, doc.issuer, doc.year)
            for i, part in enumerate(parts(to_json(doc))):
                yield {"key": f"d:{doc.doc_id}:{i}", "kind": "doc", "name": doc.doc_id, "part": i,
                       "ord": ord_, "data": part, "v": [1.0, 0.0], **keys}
        for name, blob in contents.blobs.items():
            yield from _blob_rows(name, blob.decode("utf-8"))
        for row, chunk in enumerate(contents.chunks):
            data = to_json(chunk)
            if len(data.encode("utf-8")) > _MAX_CHUNK_JSON:
                yield from _blob_rows(f"chunk:{row}", data)

    def _chunk_rows(self, contents: Contents) -> Iterator[dict]:
        docs = {d.doc_id: d for d in contents.documents}
        groups = passage_groups(contents.chunks)
        lexical = self._lexical(contents)
        for row, chunk in enumerate(contents.chunks):
            doc = docs[chunk.doc_id]
            data = to_json(chunk)
            yield {"row": row, "chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id,
                   "ordinal": chunk.ordinal, "grp": int(groups[row]),
                   "data": "" if len(data.encode("utf-8")) > _MAX_CHUNK_JSON else data,
                   "vector": contents.vectors[row].tolist(), **lexical(row),
                   **_keys(doc.doc_id, doc.doc_type, doc.issuer, doc.year)}

    def _lexical(self, contents: Contents) -> Any:
        if self.backend.settings.lexical != "tokenizer":
            return lambda row: {"text": contents.lexical_texts[row][:MAX_KEY * 16]}
        vocab, weights = LexicalIndex.build(contents.tokens).row_weights()
        dims = np.array([token_dim(t) if t else -1 for t in vocab], dtype=np.int64)

        def sparse(row: int) -> dict:
            start, end = weights.indptr[row], weights.indptr[row + 1]
            vec: dict[int, float] = {}
            for j, w in zip(weights.indices[start:end], weights.data[start:end], strict=True):
                if dims[j] >= 0 and w > 0:
                    vec[int(dims[j])] = vec.get(int(dims[j]), 0.0) + float(w)
            return {"sparse": vec or {0: 0.0}}  # Milvus wants at least one entry
        return sparse

    def publish(self) -> str:
        client, alias = self.client, self.backend.alias
        if self.backend.live() is None:
            client.create_alias(self.name, alias)
        else:
            client.alter_alias(self.name, alias)  # the one atomic step
        return self.name

    def discard(self) -> None:
        with contextlib.suppress(Exception):  # the next build's sweep removes what is left
            drop_generation(self.client, self.name)


def _keys(doc_id: str, doc_type: str | None, issuer: str | None, year: int | None) -> dict:
    return {"doc_id": doc_id, "type_key": filter_key(doc_type)[:MAX_KEY],
            "issuer_key": filter_key(issuer)[:MAX_KEY], "year": year if year is not None else NO_YEAR}


def _blob_rows(name: str, text: str) -> Iterator[dict]:
    for i, part in enumerate(parts(text)):
        yield {"key": f"b:{name}:{i}", "kind": "blob", "name": name, "part": i, "ord": -1,
               "data": part, "v": [1.0, 0.0], **_keys("", None, None, None)}
