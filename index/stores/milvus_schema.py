"""What a generation looks like in Milvus: two collections, their fields, and filter expressions.

    <name>_g<stamp>        chunks: row (primary key), chunk_id, doc_id, ordinal, grp (passage
                           group), the filter keys (doc_id, type_key, issuer_key, year), data
                           (the chunk as JSON), vector, and the lexical field(s)
    <name>_g<stamp>_docs   documents, blobs and the manifest, as JSON split into parts

The alias <name> points at the live chunks collection; its documents are the collection of the
same name + "_docs". The manifest row is written last: a generation without one is unfinished.

Lexical retrieval, by `index.lexical`:
- "tokenizer": `sparse`, each chunk's BM25 weights from our own tokenizer and BM25 (the local
  store's, exactly: row_weights of index.lexical), matched by inner product with the query's
  token counts — the same scores as the local store.
- "milvus_bm25": `text` analysed by Milvus's jieba tokenizer and its built-in BM25 function.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from index.filters import Filters

DOCS_SUFFIX = "_docs"
MAX_PART = 16_000  # characters per VARCHAR part: ≤ 64 KB in UTF-8 whatever the characters
MAX_KEY = 1024
NO_YEAR = 0  # a document without a year (excluded by any year filter)


def token_dim(token: str) -> int:
    """The sparse-vector dimension of a token: a stable 32-bit hash (Milvus takes [0, 2³²−1))."""
    return zlib.crc32(token.encode("utf-8")) % 0xFFFFFFFF


def query_vector(tokens: Iterable[str]) -> dict[int, float]:
    """A query's token counts as a sparse vector (a repeated token counts as often, as in BM25)."""
    counts: Counter[int] = Counter(token_dim(t) for t in tokens if t)
    return {d: float(c) for d, c in counts.items()}


def parts(text: str) -> list[str]:
    """`text` cut into VARCHAR-sized parts (at least one)."""
    return [text[i : i + MAX_PART] for i in range(0, len(text), MAX_PART)] or [""]


def _strings(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def filter_expr(filters: Filters | None) -> str:
    """A Milvus boolean expression over the filter keys ("" when nothing is filtered)."""
    if filters is None or not filters.active():
        return ""
    where = []
    for field, asked, values in (("doc_id", filters.doc_ids, filters.doc_ids),
                                 ("type_key", filters.doc_types, filters.type_keys()),
                                 ("issuer_key", filters.issuers, filters.issuer_keys())):
        if asked:  # values that all normalise to nothing match no document
            where.append(f"{field} in {_strings(values)}" if values else f"year < {NO_YEAR}")
    if filters.year_from is not None or filters.year_to is not None:
        where.append(f"year > {NO_YEAR}")
    if filters.year_from is not None:
        where.append(f"year >= {int(filters.year_from)}")
    if filters.year_to is not None:
        where.append(f"year <= {int(filters.year_to)}")
    return " and ".join(where)


def chunk_schema(client_cls: Any, dim: int, lexical: str) -> object:
    """The chunks collection's schema (pymilvus objects; `client_cls` is MilvusClient)."""
    from pymilvus import DataType, Function, FunctionType

    schema = client_cls.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("chunk_id", DataType.VARCHAR, max_length=64)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=64)
    schema.add_field("ordinal", DataType.INT64)
    schema.add_field("grp", DataType.INT64)
    schema.add_field("type_key", DataType.VARCHAR, max_length=MAX_KEY * 4)
    schema.add_field("issuer_key", DataType.VARCHAR, max_length=MAX_KEY * 4)
    schema.add_field("year", DataType.INT64)
    schema.add_field("data", DataType.VARCHAR, max_length=65535)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    if lexical == "tokenizer":
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    else:
        schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                         analyzer_params={"tokenizer": "jieba"})
        schema.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                     input_field_names=["text"], output_field_names=["bm25"]))
    return schema


def docs_schema(client_cls: Any) -> object:
    """The documents collection's schema. Milvus wants a vector field in every collection:
    `v` is a constant placeholder, never searched."""
    from pymilvus import DataType

    schema = client_cls.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=256)
    schema.add_field("kind", DataType.VARCHAR, max_length=16)  # doc | blob
    schema.add_field("name", DataType.VARCHAR, max_length=256)  # doc_id or blob name
    schema.add_field("part", DataType.INT64)
    schema.add_field("ord", DataType.INT64)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=64)
    schema.add_field("type_key", DataType.VARCHAR, max_length=MAX_KEY * 4)
    schema.add_field("issuer_key", DataType.VARCHAR, max_length=MAX_KEY * 4)
    schema.add_field("year", DataType.INT64)
    schema.add_field("data", DataType.VARCHAR, max_length=65535)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    return schema
