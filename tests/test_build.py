"""The composition root over a small corpus with the fake embedder: ask, stream, filters, admin."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import build_assistant
from assistant.retrieve import Filters
from assistant.types import Answer
from config.errors import BackendError, IndexMissingError, QueryError
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, fake_settings, write_corpus


@pytest.fixture()
def assistant(tmp_path: Path, settings):
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    qa = build_assistant(fake_settings(settings, tmp_path, corpus))
    qa.ensure_index(progress=False)
    return qa


def test_building_is_cheap_and_a_missing_index_says_how_to_build(tmp_path: Path, settings) -> None:
    qa = build_assistant(fake_settings(settings, tmp_path, tmp_path))
    assert not qa.has_index()
    with pytest.raises(IndexMissingError, match="policyqa index"):
        qa.documents()


def test_ask_answers_with_a_citation_into_the_source(assistant) -> None:
    answer = assistant.ask("首次认定的高新技术企业奖励多少?")
    assert not answer.refused
    assert "30万元" in answer.text
    c = answer.citations[0]
    doc = assistant.document(c.doc_id)
    assert doc is not None and doc.text[c.start : c.end] == c.quote


def test_stream_yields_text_then_the_same_answer(assistant) -> None:
    items = list(assistant.stream("首次认定的高新技术企业奖励多少?", persona="citizen"))
    assert isinstance(items[-1], Answer)
    assert all(isinstance(i, str) for i in items[:-1]) and items[:-1]


def test_traditional_question_gets_a_traditional_answer(assistant) -> None:
    answer = assistant.ask("到2025年研發經費投入占GDP的比重達到多少?")
    assert answer.script == "traditional"
    assert "2.2%" in answer.text


def test_filters_restrict_the_documents_used(assistant) -> None:
    notice = next(d for d in assistant.documents() if d.source == "c.txt")
    answer = assistant.ask("首次认定的高新技术企业奖励多少?", filters=Filters(doc_ids=(notice.doc_id,)))
    assert all(c.doc_id == notice.doc_id for c in answer.citations)
    assert "30万元" not in answer.text


def test_bad_persona_backend_and_empty_question_are_clear_errors(assistant) -> None:
    with pytest.raises(QueryError, match="persona"):
        assistant.ask("奖励多少?", persona="mayor")
    with pytest.raises(BackendError, match="valid: extractive, llm"):
        assistant.ask("奖励多少?", backend="gpt")
    with pytest.raises(QueryError, match="empty"):
        assistant.ask("   ")


def test_remove_and_add_documents(assistant, tmp_path: Path) -> None:
    notice = next(d for d in assistant.documents() if d.source == "c.txt")
    report = assistant.remove_document(notice.doc_id)
    assert report.removed == ("c.txt",)
    assert all(d.source != "c.txt" for d in assistant.documents())
    upload = tmp_path / "new.txt"
    upload.write_text("关于新能源的通知\n\n一、目标\n\n到2030年新能源装机达到1000万千瓦。", encoding="utf-8")
    report = assistant.add_files([upload])
    assert report.added == ("uploads/new.txt",)
    assert "1000万千瓦" in assistant.ask("新能源装机目标是多少?").text


def test_parts_keep_the_question_scores_and_a_short_part_looks_in_the_named_document(
        tmp_path: Path, settings) -> None:
    rules = ("某市长者饭堂服务管理办法\n\n第一条 为规范长者饭堂服务，制定本办法。\n\n"
             "第二条 长者饭堂由区民政部门设置。" + "长者饭堂应当保持环境整洁，公示菜谱和价格，接受社会监督。" * 12
             + "\n\n第三条 本办法自2024年4月1日起施行。")
    other = ("某省施行细则\n\n一、什么时候施行\n\n细则什么时候施行由全省施行安排。\n\n二、施行步骤\n\n"
             "分三步施行，施行期为三年，施行单位为各市。")
    corpus = write_corpus(tmp_path / "corpus", {"rules.txt": rules, "other.txt": other, "a.txt": POLICY_A})
    qa = build_assistant(fake_settings(settings, tmp_path, corpus).with_overrides(retrieval={"k": 2}))
    qa.ensure_index(progress=False)
    calls: list[tuple[str, Filters | None]] = []
    retrieve = qa.retrieve
    def spy(query: str, **kw):
        calls.append((query, kw.get("filters")))
        return retrieve(query, **kw)
    qa.retrieve = spy  # type: ignore[method-assign]
    plan, hits = qa.prepare("某市长者饭堂服务管理办法由谁设置？什么时候施行？")
    assert len(plan.parts) == 2 and plan.parts[1].documents == plan.documents
    # "什么时候施行" alone finds the other document's 施行 passages, so it is asked again within
    # the document the question names.
    assert ("什么时候施行", Filters(doc_ids=plan.documents)) in calls
    own = {h.chunk.chunk_id: h.scores for h in qa.search(plan.standalone).hits}
    assert own and all(h.scores == own[h.chunk.chunk_id] for h in hits if h.chunk.chunk_id in own)
