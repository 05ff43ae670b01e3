"""Fault class: documents of one line. Every question is answered or refused, never a crash.

A document reduced to one line (or to a title and one line) gives passages whose only match
with a question can be a title or a metadata label; the answerer then had candidate sentences
that share nothing with the question, and divided by a best score of 0.
"""

from __future__ import annotations

import pytest

from assistant.build import build_assistant
from assistant.types import Answer
from tests.index_helpers import fake_settings, write_corpus

ONE_LINE = {
    "a.txt": "关于支持企业创新的通知\n企业首次认定为高新技术企业的，给予一次性奖励30万元。\n",
    "b.txt": "关于引进研发机构的通知\n对新引进的研发机构给予最高500万元支持。\n",
    "c.txt": "关于科技特派员的通知\n组织科技特派员提供技术服务。\n",
    "d.txt": "到2025年研发投入强度达到2.5%",  # one line, no newline at all
    "e.txt": "第一条 为了支持科技型中小企业发展，对入库企业给予研发费用补助，补助比例为20%。\n",
}
SUFFIXES = ("", "是多少？", "有哪些？", "谁负责？", "什么时候？", "哪几项？")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, settings):
    tmp = tmp_path_factory.mktemp("one-line")
    corpus = write_corpus(tmp / "corpus", ONE_LINE)
    qa = build_assistant(fake_settings(settings, tmp, corpus))
    qa.ensure_index(progress=False)
    return qa


@pytest.mark.parametrize("question", ["来源", "来源是哪里？", "发布时间", "文号和内容是什么？"])
def test_a_question_matching_only_labels_is_answered_or_refused(assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert isinstance(answer, Answer)
    assert answer.refused or answer.citations  # an answer always cites; a refusal says so


def test_every_window_of_every_document_as_a_question(assistant) -> None:
    """Questions cut from the documents' own text, with question words: none may crash."""
    asked = 0
    for text in ONE_LINE.values():
        flat = text.replace("\n", "")
        for start in range(0, len(flat) - 2, 3):
            for suffix in SUFFIXES:
                answer = assistant.ask(flat[start : start + 6] + suffix)
                assert answer.refused or answer.citations
                asked += 1
    assert asked > 100


def test_a_one_line_fact_is_still_answerable(assistant) -> None:
    answer = assistant.ask("首次认定为高新技术企业的奖励多少？")
    assert not answer.refused and "30万元" in answer.text
