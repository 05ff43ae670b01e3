"""Incremental builds: add / change / remove files, atomic swap, interrupted builds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.build import build_index, passage_text
from index.embed import FakeEmbedder, Kind
from index.ingest import ingest_corpus
from index.store import current_folder, open_index
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, fake_settings, write_corpus


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting passage texts and optionally failing on call `fail_on`."""

    def __init__(self, fail_on: int | None = None, exc: type[BaseException] = RuntimeError):
        super().__init__()
        self.passages: list[str] = []
        self.calls = 0
        self.fail_on, self.exc = fail_on, exc

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        self.calls += 1
        if self.fail_on is not None and self.calls >= self.fail_on:
            raise self.exc("simulated failure mid-build")
        if kind == "passage":
            self.passages.extend(texts)
        return super().embed_batch(texts, kind)


def _expected_chunk_ids(settings) -> set[str]:
    return {c.chunk_id for c in ingest_corpus(settings.paths.corpus, settings.chunking).chunks}


def _indexed(settings) -> tuple[set[str], dict[str, np.ndarray]]:
    store = open_index(settings)
    chunks = store.all_chunks()
    vectors = store.dense.vectors(np.arange(len(chunks)))
    store.close()
    return {c.chunk_id for c in chunks}, {c.chunk_id: v for c, v in zip(chunks, vectors, strict=True)}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B})


def test_first_build_reports_every_file_added(settings, tmp_path: Path, corpus: Path) -> None:
    s = fake_settings(settings, tmp_path, corpus)
    emb = CountingEmbedder()
    report = build_index(s, progress=False, embedder=emb)
    assert report.added == ("a.txt", "b.txt") and not (report.updated or report.removed)
    ids, _ = _indexed(s)
    assert ids == _expected_chunk_ids(s)
    assert report.embedded == report.chunks == len(ids) == len(emb.passages)


def test_add_change_remove_leave_exactly_the_right_chunks(settings, tmp_path: Path,
                                                          corpus: Path) -> None:
    s = fake_settings(settings, tmp_path, corpus)
    build_index(s, progress=False, embedder=CountingEmbedder())
    before, before_vecs = _indexed(s)

    # Add a file: only its chunks are embedded; the others keep their vectors.
    write_corpus(corpus, {"c.txt": NOTICE_C})
    emb = CountingEmbedder()
    report = build_index(s, progress=False, embedder=emb)
    after, after_vecs = _indexed(s)
    assert report.added == ("c.txt",) and report.unchanged == ("a.txt", "b.txt")
    assert after == _expected_chunk_ids(s) and before < after
    assert report.embedded == len(after - before) == len(emb.passages)
    assert all(np.array_equal(before_vecs[i], after_vecs[i]) for i in before)

    # Change the end of a file: its unchanged paragraphs are reused, the new one embedded.
    (corpus / "a.txt").write_text(POLICY_A + "\n\n三、强化金融支持\n\n设立科技成果转化引导基金。",
                                  encoding="utf-8")
    emb = CountingEmbedder()
    report = build_index(s, progress=False, embedder=emb)
    changed, changed_vecs = _indexed(s)
    assert report.updated == ("a.txt",) and report.unchanged == ("b.txt", "c.txt")
    assert changed == _expected_chunk_ids(s)
    assert report.embedded == len(changed - after) == len(emb.passages) > 0
    assert any("引导基金" in t for t in emb.passages)
    docs = {d.doc_id: d for d in open_index(s).documents()}
    store = open_index(s)
    for chunk in store.all_chunks():  # every vector is the one its current text gets
        fresh = FakeEmbedder().embed_batch([passage_text(docs[chunk.doc_id], chunk)], "passage")[0]
        assert np.allclose(changed_vecs[chunk.chunk_id], fresh, atol=1e-6)

    # Remove a file: its chunks go, nothing is embedded.
    b_doc = next(d for d in docs.values() if d.source == "b.txt")
    (corpus / "b.txt").unlink()
    emb = CountingEmbedder()
    report = build_index(s, progress=False, embedder=emb)
    final, _ = _indexed(s)
    assert report.removed == ("b.txt",) and report.embedded == 0 == len(emb.passages)
    assert final == _expected_chunk_ids(s) == changed - {c.chunk_id for c in store.chunks_of(b_doc.doc_id)}
    assert open_index(s).chunks_of(b_doc.doc_id) == []


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_interrupted_build_leaves_the_old_index_loadable(settings, tmp_path: Path, corpus: Path,
                                                         exc: type[BaseException]) -> None:
    s = fake_settings(settings, tmp_path, corpus).with_overrides(embedding={"batch_size": 1})
    build_index(s, progress=False, embedder=CountingEmbedder())
    old = open_index(s).manifest
    write_corpus(corpus, {"c.txt": NOTICE_C, "d.txt": NOTICE_C.replace("黄河", "辽河")})
    with pytest.raises(exc):
        build_index(s, progress=False, embedder=CountingEmbedder(fail_on=2, exc=exc))
    store = open_index(s)
    assert store.manifest == old and len(store) == old.chunks
    assert set(store.manifest.files) == {"a.txt", "b.txt"}
    # The half-built generation was removed; only the live one is left.
    assert [p.name for p in s.paths.index_dir.glob("gen-*")] == [current_folder(s.paths.index_dir).name]
    # And the next build completes normally.
    assert build_index(s, progress=False, embedder=CountingEmbedder()).added == ("c.txt", "d.txt")


def test_rebuild_and_embedder_change_reembed_everything(settings, tmp_path: Path,
                                                        corpus: Path) -> None:
    s = fake_settings(settings, tmp_path, corpus)
    first = build_index(s, progress=False, embedder=CountingEmbedder())
    again = build_index(s, progress=False, embedder=CountingEmbedder(), rebuild=True)
    assert again.embedded == first.chunks and again.unchanged == ()

    other = CountingEmbedder()
    other.name = "fake:other"
    switched = build_index(s, progress=False, embedder=other)
    assert switched.embedded == first.chunks and switched.reused == 0
    assert any("re-embedding" in n for n in switched.notices)
    assert open_index(s, check=False).manifest.embedder == "fake:other"


def test_a_second_concurrent_build_fails_clearly(tmp_path, settings) -> None:
    import fcntl

    from config.errors import IndexBusyError

    s = fake_settings(settings, tmp_path, write_corpus(tmp_path / "c", {"a.txt": POLICY_A}))
    s.paths.index_dir.mkdir(parents=True)
    with (s.paths.index_dir / ".build.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as another process's build would
        with pytest.raises(IndexBusyError, match="another build"):
            build_index(s, progress=False)
    assert build_index(s, progress=False).documents == 1  # free again once released
