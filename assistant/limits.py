"""What the engine accepts as a question, checked before any work is done.

Every entry point (CLI, UI, the `/ask` API, the eval) reaches `Assistant.stream`, so the checks
live here rather than in a browser's `maxlength`: a question must be text, without lone UTF-16
surrogates (they cannot be encoded, so nothing downstream could print or store them), and is cut
to `answer.max_question_chars` with a notice. A conversation's history is bounded the same way,
because follow-up resolution reads it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.plan import Plan
from config.errors import QueryError
from index.normalize import detect_script, to_script

HISTORY_TURNS = 5  # earlier turns kept; follow-ups only ever look at the last few
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls but tab/newline/CR


@dataclass(frozen=True)
class CheckedQuestion:
    """A usable question and the notices its checking produced (shown with the answer)."""

    text: str
    notices: tuple[str, ...] = ()


def check_question(question: object, max_chars: int) -> CheckedQuestion:
    """The question as the engine will answer it; QueryError with what to do when unusable."""
    text = check_text(question, "问题")
    if not text.strip():
        raise QueryError("the question is empty; type a question（问题为空，请输入问题）")
    text = _CONTROL.sub(" ", text).strip()
    if len(text) <= max_chars:
        return CheckedQuestion(text)
    cut = text[:max_chars]
    notice = f"问题过长（共{len(text)}字），只按前{max_chars}字作答；请把问题写得简短些。"
    return CheckedQuestion(cut, (to_script(notice, detect_script(cut)),))


def check_history(history: object, max_chars: int) -> tuple[tuple[str, str], ...]:
    """The last turns of a conversation as (question, answer) pairs, each cut to `max_chars`."""
    if history is None:
        return ()
    if isinstance(history, str | bytes) or not isinstance(history, Sequence):
        raise QueryError(f"对话历史应为（问题，回答）的列表，收到的是 {type(history).__name__}")
    turns = []
    for turn in list(history)[-HISTORY_TURNS:]:
        if not isinstance(turn, Sequence) or isinstance(turn, str | bytes) or len(turn) != 2:
            raise QueryError("对话历史的每一轮应为（问题，回答）两项")
        question, answer = (check_text(x, "对话历史") for x in turn)
        turns.append((question[:max_chars], answer[:max_chars]))
    return tuple(turns)


def parts_notice(plan: Plan) -> tuple[str, ...]:
    """A notice when a many-part question had parts beyond those retrieved separately."""
    if not plan.dropped_parts:
        return ()
    total = len(plan.parts) + plan.dropped_parts
    notice = f"问题包含{total}个小问，只对前{len(plan.parts)}个分别检索；其余请分开提问。"
    return (to_script(notice, plan.script),)


def check_text(value: object, what: str) -> str:
    """`value` if it is text that can be encoded; QueryError naming `what` otherwise."""
    if not isinstance(value, str):
        raise QueryError(f"{what}必须是文本，收到的是 {type(value).__name__}；请输入一句话")
    bad = _SURROGATE.search(value)
    if bad is not None:
        raise QueryError(f"{what}中有无法识别的字符（位置{bad.start() + 1}，U+{ord(bad.group()):04X}），"
                         "请删除后重新输入")
    return value
