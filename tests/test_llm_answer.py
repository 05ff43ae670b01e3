"""The LLM answerer over real HTTP against the fake OpenAI-compatible server (streamed)."""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence

import pytest

from assistant.llm import LLMAnswerer
from assistant.types import Answer, Hit
from config.errors import BackendError
from config.settings import LLMSettings
from index.normalize import detect_script
from tests.fake_openai import FakeOpenAI
from tests.handmade import make_hits, sample_plan

KEY_ENV = "POLICYQA_TEST_LLM_KEY"


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy in the environment must not intercept requests to the fake server.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv(KEY_ENV, raising=False)


def _settings(base_url: str, timeout_s: float = 5.0) -> LLMSettings:
    return LLMSettings(
        base_url=base_url, model="fake-model", api_key_env=KEY_ENV,
        timeout_s=timeout_s, temperature=0.0, max_retries=0,
    )


class StubExtractive:
    """Stands in for the extractive answerer; records how it was called."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def __call__(self, plan, hits: Sequence[Hit]) -> Answer:  # type: ignore[no-untyped-def]
        self.calls.append((plan.question, len(hits)))
        return Answer(plan.question, "抽取式答案[1]。", (), refused=False, script="simplified",
                      backend="extractive", notices=("抽取式自己的提示",))


def _run(server: FakeOpenAI, question: str, hits: list[Hit], **kw) -> tuple[list[str], Answer]:
    settings = _settings(server.base_url, kw.pop("timeout_s", 5.0))
    answerer = LLMAnswerer(settings, None, kw.pop("fallback", None))
    items = list(answerer.stream(sample_plan(question), hits, persona=kw.pop("persona", "citizen"), **kw))
    assert isinstance(items[-1], Answer)
    assert all(isinstance(i, str) for i in items[:-1])
    return [i for i in items[:-1] if isinstance(i, str)], items[-1]


def test_streamed_markers_become_citations_with_exact_offsets() -> None:
    hits = make_hits()
    reply = (
        "首次认定的高新技术企业可获一次性奖励30万元研发经费[1]。"
        "2021—2023年共支持攻关项目31项[2]。"
    )
    with FakeOpenAI([reply]) as server:
        deltas, answer = _run(server, "首次认定高企奖励多少？", hits)
        request, prompt = server.requests[0], server.prompt_text()
    assert len(deltas) > 1 and "".join(deltas) == reply
    assert request["stream"] is True and request["model"] == "fake-model"
    for hit in hits:  # every passage was given, numbered, with its title
        assert hit.chunk.text in prompt and hit.document.title in prompt
    assert "[4] 标题：" in prompt and "鄂康政發〔2023〕8號" in prompt and "简体中文" in prompt
    assert answer.backend == "llm" and not answer.flagged and not answer.notices
    assert answer.text == reply
    first, second = answer.citations
    assert first.quote == "对首次认定的高新技术企业，一次性奖励30万元研发经费。"
    assert second.quote == "2021—2023年，支持关键技术攻关项目31项，支持资金3069万元。"
    for citation, hit in zip(answer.citations, hits, strict=False):
        assert hit.document.text[citation.start : citation.end] == citation.quote
        assert hit.chunk.start <= citation.start < citation.end <= hit.chunk.end
        assert citation.chunk_id == hit.chunk.chunk_id


def test_citations_are_renumbered_in_order_of_first_use() -> None:
    hits = make_hits()
    reply = "支持攻关项目31项[2]。首次认定的高新技术企业奖励30万元[1]，同样见前述[2]。"
    with FakeOpenAI([reply]) as server:
        _, answer = _run(server, "都支持了什么？", hits)
    assert answer.text.startswith("支持攻关项目31项[1]。")
    assert answer.citations[0].chunk_id == hits[1].chunk.chunk_id
    assert answer.citations[1].chunk_id == hits[0].chunk.chunk_id


def test_an_invented_number_is_flagged() -> None:
    reply = "首次认定的高新技术企业一次性奖励50万元研发经费[1]。支持攻关项目31项[2]。"
    with FakeOpenAI([reply]) as server:
        _, answer = _run(server, "首次认定高企奖励多少？", make_hits())
    assert answer.flagged == ("首次认定的高新技术企业一次性奖励50万元研发经费[1]。",)
    assert any("未能在所引段落中核实" in n for n in answer.notices)


def test_a_marker_to_a_passage_not_given_is_removed_and_flagged() -> None:
    hits = make_hits()[:2]
    reply = "首次认定的高新技术企业一次性奖励30万元研发经费[1][3]。企业还可获得贷款贴息[5]。"
    with FakeOpenAI([reply]) as server:
        _, answer = _run(server, "有什么奖励？", hits)
    assert "[3]" not in answer.text and "[5]" not in answer.text
    assert answer.text.startswith("首次认定的高新技术企业一次性奖励30万元研发经费[1]。")
    assert answer.flagged == ("企业还可获得贷款贴息。",)
    assert any("[3][5]" in n for n in answer.notices)
    assert len(answer.citations) == 1


def test_a_timeout_falls_back_to_the_extractive_answer_with_a_notice() -> None:
    fallback = StubExtractive()
    with FakeOpenAI(["不会送达[1]。"], delay=3.0) as server:
        started = time.monotonic()
        _, answer = _run(server, "首次认定高企奖励多少？", make_hits(), timeout_s=0.5,
                         fallback=fallback, persona="staff")
        elapsed = time.monotonic() - started
    assert elapsed < 2.5  # gave up at the timeout instead of waiting for the server
    assert answer.backend == "extractive"
    assert answer.notices == ("大模型服务不可用（超时），以下为抽取式答案。", "抽取式自己的提示")
    assert fallback.calls == [("首次认定高企奖励多少？", 4)]


def test_a_stall_in_mid_stream_also_falls_back() -> None:
    fallback = StubExtractive()
    with FakeOpenAI(["首次认定的高新技术企业奖励30万元[1]。"], delay=3.0, stall_after=2) as server:
        deltas, answer = _run(server, "奖励多少？", make_hits(), timeout_s=0.5, fallback=fallback)
    assert len(deltas) == 2  # what was streamed before the stall; the final Answer replaces it
    assert answer.backend == "extractive" and "超时" in answer.notices[0]


def test_an_http_error_falls_back_and_without_a_fallback_raises() -> None:
    with FakeOpenAI(status=500) as server:
        _, answer = _run(server, "奖励多少？", make_hits(), fallback=StubExtractive())
        assert "HTTP 500" in answer.notices[0]
        with pytest.raises(BackendError, match=r"answer\.backend"):
            _run(server, "奖励多少？", make_hits())


def test_an_unreachable_endpoint_falls_back() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    answerer = LLMAnswerer(_settings(f"http://127.0.0.1:{port}/v1"), None, StubExtractive())
    answer = answerer.answer(sample_plan("奖励多少？"), make_hits(), persona="citizen")
    assert answer.backend == "extractive" and "无法连接" in answer.notices[0]


def test_traditional_question_gets_traditional_answer_with_quotes_as_in_source() -> None:
    reply = (
        "康巴什区到2025年研发投入占地区生产总值比重要达到2.2%以上[3]，"
        "规划称「研发投入稳步提升」[3]。"
    )
    with FakeOpenAI([reply]) as server:
        deltas, answer = _run(server, "康巴什區的研發投入目標是多少？", make_hits())
        prompt = server.prompt_text()
    assert "請用繁體中文作答" in prompt or "请用繁體中文作答" in prompt
    assert answer.script == "traditional" and detect_script(answer.text) == "traditional"
    assert "康巴什區" in answer.text and "「研發投入穩步提升」" in answer.text
    assert detect_script("".join(deltas)) == "traditional"
    assert answer.citations[0].quote.startswith("到2025年")


def test_simplified_question_gets_a_simplified_answer_even_if_the_model_drifts() -> None:
    reply = (
        "首次認定的高新技術企業可獲一次性獎勵30萬元研發經費[1]，"
        "原文為「一次性奖励30万元研发经费」[1]。"
    )
    with FakeOpenAI([reply]) as server:
        _, answer = _run(server, "首次认定高企奖励多少？", make_hits())
    assert answer.script == "simplified"
    assert answer.text.startswith("首次认定的高新技术企业可获一次性奖励30万元研发经费[1]")
    assert not answer.flagged


def test_a_refusal_is_marked_and_shows_the_closest_passages() -> None:
    hits = make_hits()
    with FakeOpenAI(["所提供的文件中没有找到关于个人专利资助的规定。"]) as server:
        _, answer = _run(server, "个人申请专利有资助吗？", hits)
    assert answer.refused and not answer.citations and not answer.flagged
    assert answer.closest == tuple(hits[:3])


def test_the_model_gets_the_plan_with_the_follow_up_resolved() -> None:
    history = [("全省到2025年研发投入强度目标是多少？", "研发投入强度达到1.5%[1]。")]
    plan = sample_plan("那青山区呢？", history)
    with FakeOpenAI(["研发投入占比达到2.2%以上[3]。"]) as server:
        answerer = LLMAnswerer(_settings(server.base_url))
        answer = answerer.answer(plan, make_hits(), persona="citizen", history=history)
        prompt = server.prompt_text()
    assert len(server.requests) == 1  # no separate rewriting request
    assert "青山区到2025年研发投入强度目标是多少？" in prompt  # the standalone question
    assert "要回答：" in prompt and "那青山区呢" not in prompt.split("问：")[-1].split("答：")[0]
    assert "研发投入强度达到1.5%" in prompt and "[1]。" not in prompt.split("正文：")[0]
    assert not answer.refused and "2.2%" in answer.text


def test_a_question_of_several_parts_is_described_part_by_part() -> None:
    from assistant.llm import describe_plan

    plan = sample_plan("首次认定的高新技术企业奖励、上级财政科技资金各是多少?")
    text = describe_plan(plan, make_hits())
    assert "首次认定的高新技术企业奖励是多少" in text and "上级财政科技资金是多少" in text


def test_api_key_is_read_from_the_environment_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAI(["首次认定的高新技术企业奖励30万元[1]。"]) as server:
        answerer = LLMAnswerer(_settings(server.base_url))
        answerer.answer(sample_plan("奖励多少？"), make_hits(), persona="cppcc")
        monkeypatch.setenv(KEY_ENV, "sk-test-123")
        answer = answerer.answer(sample_plan("奖励多少？"), make_hits(), persona="cppcc")
        headers = server.headers
    assert headers[0]["authorization"] == "Bearer not-needed"
    assert headers[1]["authorization"] == "Bearer sk-test-123"
    assert answer.citations and not answer.flagged


def test_answer_equals_the_final_item_of_stream_and_no_hits_is_a_refusal() -> None:
    reply = "首次认定的高新技术企业奖励30万元[1]。"
    with FakeOpenAI([reply]) as server:
        answerer = LLMAnswerer(_settings(server.base_url))
        streamed = list(answerer.stream(sample_plan("奖励多少？"), make_hits(), persona="staff"))[-1]
        collected = answerer.answer(sample_plan("奖励多少？"), make_hits(), persona="staff")
        refusal = answerer.answer(sample_plan("奖励多少？"), [], persona="staff")
        assert len(server.requests) == 2  # no request without passages
    assert streamed == collected
    assert refusal.refused and refusal.text.startswith("所提供的文件中没有找到")
