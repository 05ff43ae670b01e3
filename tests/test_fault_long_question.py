"""Fault class: oversized questions. The engine cuts them before any work, and says so.

The browser's `maxlength` is no limit for an API caller: a 100,000-character `/ask` used to run
a retrieval for each of its hundreds of "？"-parts over the whole text.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.build import build_assistant
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, fake_settings, write_corpus

UNIT = "首次认定的高新技术企业奖励多少？研发经费投入比重达到多少？"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, settings):
    tmp = tmp_path_factory.mktemp("long-question")
    corpus = write_corpus(tmp / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    qa = build_assistant(fake_settings(settings, tmp, corpus))
    qa.ensure_index(progress=False)
    qa.ask("首次认定的高新技术企业奖励多少？")  # load the index and jieba outside the timing
    return qa


def _long(n: int) -> str:
    return (UNIT * (n // len(UNIT) + 1))[:n]


def test_a_100000_character_question_is_answered_within_5_s_with_a_notice(assistant) -> None:
    started = time.monotonic()
    answer = assistant.ask(_long(100_000))
    assert time.monotonic() - started < 5.0  # a generous liveness bound, not a speed target
    limit = assistant.settings.answer.max_question_chars
    assert answer.question == _long(limit)
    assert any(f"只按前{limit}字作答" in n and "100000" in n for n in answer.notices)
    assert answer.refused or answer.citations


def test_a_question_of_many_parts_gets_a_bounded_number_of_retrievals(assistant, monkeypatch) -> None:
    calls: list[str] = []
    real = type(assistant).search

    def counting(self, query, *args, **kwargs):
        calls.append(query)
        return real(self, query, *args, **kwargs)

    monkeypatch.setattr(type(assistant), "search", counting)
    answer = assistant.ask(_long(900))  # under the length limit, but ~30 parts
    parts = assistant.settings.answer.max_question_parts
    assert 1 < len(calls) <= 1 + parts
    assert any(f"只对前{parts}个分别检索" in n for n in answer.notices)


def test_the_limits_are_settings(tmp_path: Path, settings) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A})
    small = fake_settings(settings, tmp_path, corpus).with_overrides(answer={"max_question_chars": 20})
    qa = build_assistant(small)
    qa.ensure_index(progress=False)
    answer = qa.ask("首次认定的高新技术企业奖励多少？" * 3)
    assert len(answer.question) == 20 and "只按前20字作答" in answer.notices[0]


def test_a_short_question_gets_no_notice(assistant) -> None:
    answer = assistant.ask("首次认定的高新技术企业奖励多少？")
    assert not answer.notices and "30万元" in answer.text


def test_a_traditional_question_gets_a_traditional_notice(assistant) -> None:
    answer = assistant.ask("到2025年研發經費投入占GDP的比重達到多少？" * 100)
    assert "問題過長" in answer.notices[0]
