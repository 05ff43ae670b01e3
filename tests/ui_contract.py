"""The one conformance suite for `app.ui.base.AssistantPort` (STYLE 16).

`AssistantContract` is a mixin of tests; every implementation the UI runs on inherits it and
provides an `assistant` fixture over a corpus holding the hand-made proposal reply
(`tests.handmade.REPLY_TEXT`): the real `Assistant` (tests/test_ui_contract_real.py) and the
test fake (tests/test_ui_contract_fake.py). So the fake cannot drift from the engine, and a UI
test that passes on the fake exercises an interface the real assistant really has.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest

from app.ui.app import build_app
from app.ui.base import AssistantPort
from assistant.retrieve import Filters, Retrieval
from assistant.types import Answer
from config.errors import PolicyQAError, QueryError
from index.commitments.types import Commitment

QUESTION = "首次认定的高新技术企业奖励多少？"
NONSENSE = "火星移民签证怎么办理"


class AssistantContract:
    """Tests every assistant behind the UI must pass. Subclasses define the `assistant` fixture."""

    def test_satisfies_the_port(self, assistant: AssistantPort) -> None:
        assert isinstance(assistant, AssistantPort)

    def test_stream_yields_text_then_exactly_one_final_answer(self, assistant: AssistantPort) -> None:
        items = list(assistant.stream(QUESTION, persona="citizen"))
        answers = [i for i in items if isinstance(i, Answer)]
        assert len(answers) == 1 and items[-1] is answers[0]
        assert all(isinstance(i, str) for i in items[:-1]) and items[:-1]
        final = answers[0]
        assert not final.refused and final.citations and "30万元" in final.text
        assert final.question == QUESTION and final.script == "simplified"

    def test_ask_gives_the_streams_answer(self, assistant: AssistantPort) -> None:
        streamed = next(i for i in assistant.stream(QUESTION) if isinstance(i, Answer))
        asked = assistant.ask(QUESTION)
        assert asked.text == streamed.text and asked.citations == streamed.citations

    def test_citations_quote_the_indexed_text(self, assistant: AssistantPort) -> None:
        for c in assistant.ask(QUESTION).citations:
            doc = assistant.document(c.doc_id)
            assert doc is not None and doc.text[c.start:c.end] == c.quote
            assert c.chunk_id in {ch.chunk_id for ch in assistant.chunks_of(c.doc_id)}

    def test_unanswerable_is_refused_with_closest_passages(self, assistant: AssistantPort) -> None:
        answer = assistant.ask(NONSENSE)
        assert answer.refused and not answer.citations

    def test_follow_up_takes_history_and_persona(self, assistant: AssistantPort) -> None:
        first = assistant.ask(QUESTION, persona="staff")
        follow = assistant.ask("那关键技术攻关呢？", persona="cppcc", history=[(QUESTION, first.text)])
        assert isinstance(follow, Answer)

    def test_unknown_persona_is_a_policyqa_error(self, assistant: AssistantPort) -> None:
        with pytest.raises(PolicyQAError):
            assistant.ask(QUESTION, persona="nobody")

    def test_search_gives_each_retrievers_score_and_rank(self, assistant: AssistantPort) -> None:
        found = assistant.search(QUESTION, k=2)
        assert isinstance(found, Retrieval) and 1 <= len(found.hits) <= 2
        assert [h.rank for h in found.hits] == list(range(1, len(found.hits) + 1))
        for hit in found.hits:
            assert {"fused", "dense", "bm25"} <= set(hit.scores)
            assert set(hit.ranks) <= {"dense", "bm25"} and hit.ranks
        assert "30万元" in found.hits[0].chunk.text
        fused = [h.scores["fused"] for h in found.hits]
        assert fused == sorted(fused, reverse=True)

    def test_search_by_one_retriever_scores_only_it(self, assistant: AssistantPort) -> None:
        hits = assistant.search(QUESTION, k=3, mode="bm25").hits
        assert hits and all("bm25" in h.scores and "dense" not in h.scores for h in hits)

    def test_search_filters_apply_and_bad_input_is_refused(self, assistant: AssistantPort) -> None:
        reply = next(d for d in assistant.documents() if "0581" in d.title)
        hits = assistant.search(QUESTION, k=10, filters=Filters(doc_ids=(reply.doc_id,))).hits
        assert hits and {h.document.doc_id for h in hits} == {reply.doc_id}
        with pytest.raises(QueryError):
            assistant.search("   ")
        with pytest.raises(QueryError):
            assistant.search(QUESTION, mode="nosuchmode")  # type: ignore[arg-type]

    def test_refusal_score_separates_an_answerable_question(self, assistant: AssistantPort) -> None:
        good = assistant.refusal_score(QUESTION, assistant.search(QUESTION).hits)
        bad = assistant.refusal_score(NONSENSE, assistant.search(NONSENSE).hits)
        assert 0.0 <= bad < good <= 1.0
        assert assistant.refusal_score(QUESTION, []) == 0.0

    def test_documents_and_their_chunks(self, assistant: AssistantPort) -> None:
        docs = assistant.documents()
        assert len(docs) >= 2
        for doc in docs:
            assert assistant.document(doc.doc_id) == doc
            chunks = assistant.chunks_of(doc.doc_id)
            assert chunks and all(doc.text[c.start:c.end] == c.text for c in chunks)
        assert assistant.document("no-such-document") is None

    def test_ledger_rows_come_from_indexed_documents(self, assistant: AssistantPort) -> None:
        rows = assistant.ledger()
        docs = {d.doc_id: d for d in assistant.documents()}
        assert rows and all(isinstance(r, Commitment) for r in rows)
        for r in rows:
            assert r.doc_id in docs and docs[r.doc_id].text[r.start:r.end] == r.text

    def test_index_lifecycle(self, assistant: AssistantPort) -> None:
        assert assistant.has_index()
        assert assistant.ensure_index(progress=False) is None  # there is one: nothing to build
        assistant.warm_up()
        calls: list[tuple[int, int]] = []
        assistant.reindex(on_progress=lambda done, total: calls.append((done, total)))
        assert assistant.ask(QUESTION).citations  # still answers after a re-index

    def test_add_then_remove_a_file(self, assistant: AssistantPort, tmp_path: Path) -> None:
        new = tmp_path / "新增通知.txt"
        new.write_text("关于蓝莓种植补贴的通知\n\n一、补贴标准\n\n蓝莓种植每亩补贴99元。", encoding="utf-8")
        assistant.add_files([new])
        assert (assistant.settings.paths.upload_dir / new.name).is_file()
        added = [d for d in assistant.documents() if d.source.endswith(new.name)]
        assert len(added) == 1
        assistant.remove_document(added[0].doc_id)
        assert not any(d.source.endswith(new.name) for d in assistant.documents())

    def test_every_tab_mounts_on_it(self, assistant: AssistantPort, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(assistant.settings.ui.admin_password_env, "s3cret")
        app = build_app(assistant)
        labels = [b.label for b in app.blocks.values() if isinstance(b, gr.Tab)]
        for tab in ("问答", "文档", "承诺与目标", "管理", "检索测试", "反馈", "对话记录"):
            assert labels.count(tab) == 1, f"tab {tab}: {labels}"
