"""Fault class: a hostile or broken OpenAI-compatible server. Every bad reply falls back.

Against the local fake server over a real socket: malformed events, an HTML page with status
200, a stream cut or reset mid-way, an error event, a slow drip and a huge reply each end in
the extractive answer, with a notice that says what happened (a cut stream is not "无法连接").
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.build import build_assistant
from assistant.llm import LLMAnswerer
from assistant.types import Answer
from config.settings import LLMSettings
from tests.fake_openai import FakeOpenAI
from tests.handmade import make_hits, sample_plan
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, fake_settings, write_corpus
from tests.test_llm_answer import StubExtractive

REPLY = "首次认定的高新技术企业可获一次性奖励30万元研发经费[1]。" * 3


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _answer(server: FakeOpenAI, **settings: float) -> tuple[Answer, float]:
    values = {"timeout_s": 5.0, "deadline_s": 30.0, "max_output_chars": 4000} | settings
    llm = LLMSettings(base_url=server.base_url, model="fake-model", api_key_env="POLICYQA_TEST_KEY",
                      temperature=0.0, max_retries=0, **values)
    started = time.monotonic()
    answer = LLMAnswerer(llm, None, StubExtractive()).answer(sample_plan("首次认定高企奖励多少？"), make_hits(),
                                                             persona="citizen")
    return answer, time.monotonic() - started


@pytest.mark.parametrize(("fault", "reason"), [
    ("bad_json", "返回的内容无法解析"),
    ("html", "返回的内容无法解析"),
    ("error_event", "返回了错误信息"),
    ("cut", "回复中途中断"),
    ("reset", "回复中途中断"),
])
def test_a_broken_reply_falls_back_with_an_accurate_notice(fault: str, reason: str) -> None:
    with FakeOpenAI([REPLY], fault=fault) as server:
        answer, _ = _answer(server)
    assert answer.backend == "extractive"
    assert answer.notices[0] == f"大模型的回答无法使用（{reason}），以下为抽取式答案。"
    assert "无法连接" not in answer.notices[0]


def test_a_slow_drip_is_stopped_at_the_overall_deadline() -> None:
    with FakeOpenAI([REPLY], drip=1.0, chunk_chars=2) as server:  # ~40 chunks, one a second
        answer, elapsed = _answer(server, deadline_s=2.0)
    assert elapsed < 4.0  # the deadline, not the 40 s the reply would take
    assert answer.backend == "extractive" and "超过总时限2秒" in answer.notices[0]


def test_a_huge_reply_is_cut_off_at_the_size_cap() -> None:
    huge = "补贴" * 1_000_000  # 2,000,000 characters
    with FakeOpenAI([huge], chunk_chars=2000) as server:
        answer, elapsed = _answer(server, max_output_chars=4000)
    assert answer.backend == "extractive" and "回答超过4000字上限" in answer.notices[0]
    assert elapsed < 10.0


def test_streamed_text_stops_at_the_cap_before_the_fallback() -> None:
    huge = "补贴" * 50_000
    with FakeOpenAI([huge], chunk_chars=500) as server:
        llm = LLMSettings(base_url=server.base_url, model="m", api_key_env="POLICYQA_TEST_KEY",
                          timeout_s=5.0, temperature=0.0, max_retries=0, max_output_chars=3000)
        items = list(LLMAnswerer(llm, None, StubExtractive()).stream(sample_plan("奖励多少？"), make_hits(),
                                                                      persona="staff"))
    streamed = "".join(i for i in items if isinstance(i, str))
    assert len(streamed) <= 3000 and isinstance(items[-1], Answer)


def test_a_reply_that_ends_on_the_length_limit_is_not_taken_as_complete() -> None:
    with FakeOpenAI([REPLY], finish="length") as server:
        answer, _ = _answer(server)
    assert answer.backend == "extractive" and "被截断" in answer.notices[0]


def test_the_assistant_answers_through_a_hostile_server(tmp_path: Path, settings) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    with FakeOpenAI([REPLY], fault="html") as server:
        qa = build_assistant(fake_settings(settings, tmp_path, corpus).with_overrides(
            llm={"base_url": server.base_url, "max_retries": 0}))
        qa.ensure_index(progress=False)
        answer = qa.ask("首次认定的高新技术企业奖励多少?", backend="llm")
    assert answer.backend == "extractive" and "30万元" in answer.text
    assert "无法使用" in answer.notices[0]
