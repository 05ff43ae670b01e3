"""An answer made at once is shown sentence by sentence; one streamed by an LLM is not slowed."""

from __future__ import annotations

from app.ui.streaming import paced, sentences
from assistant.types import Answer


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_sentences_keep_closing_quotes_and_every_character():
    text = "一是加大。二是“推进。”三是\n好！"
    assert sentences(text) == ["一是加大。", "二是“推进。”", "三是\n", "好！"]
    assert "".join(sentences(text)) == text and sentences("") == []


def test_a_whole_answer_is_paced_between_sentences():
    t = FakeTime()
    final = Answer("q", "x", (), refused=False, script="simplified")
    out = list(paced(["一是加大。二是推进。", "三是落实。", final], 0.2, sleep=t.sleep, clock=t.clock))
    assert out == ["一是加大。", "二是推进。", "三是落实。", final]
    assert t.slept == [0.2, 0.2]


def test_tokens_that_arrive_slowly_are_not_delayed():
    t = FakeTime()

    def tokens():
        for piece in ("一是", "加大。", "二是", "推进。"):
            t.now += 0.5  # the model's own pace
            yield piece

    assert list(paced(tokens(), 0.2, sleep=t.sleep, clock=t.clock)) == ["一是", "加大。", "二是", "推进。"]
    assert t.slept == []
