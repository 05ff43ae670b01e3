"""Conversations kept on the server: reload, switch, new, rename, delete, owners; feedback."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app.ui import feedback
from app.ui.chat import INTERNAL_ERROR, Chat, stopped
from app.ui.conversations import ConversationStore, clean_title
from app.ui.files import Downloads
from app.ui.readiness import Readiness
from app.ui.session import ChatState
from assistant.types import Answer
from tests.fake_assistant import FakeAssistant

Q1 = "首次认定的高新技术企业奖励多少？"
Q2 = "那关键技术攻关呢？"


@pytest.fixture
def fake(settings, tmp_path: Path) -> FakeAssistant:
    return FakeAssistant(settings.with_overrides(paths={"data_dir": tmp_path / "data"}))


@pytest.fixture
def chat(fake: FakeAssistant) -> Chat:
    return Chat(fake, ConversationStore.in_folder(fake.settings.paths.data_dir), Readiness.ready(), Downloads())


def _ask(chat: Chat, state: ChatState, question: str, messages: list | None = None) -> tuple[list, ChatState]:
    *_, last = chat.respond(question, "citizen", None, list(messages or []), state)
    return last[1], last[3]


def test_reload_reopens_the_conversation_with_its_sources(chat: Chat):
    messages, state = _ask(chat, ChatState(owner="b1"), Q1)
    messages, state = _ask(chat, state, Q2, messages)
    chatbot, sources, restored, browser, *_ = chat.load(state.browser_value())  # what a reload sends
    assert restored.conversation == state.conversation and len(restored.turns) == 2
    assert [m["content"] for m in chatbot] == [m["content"] for m in messages]
    assert "pq-src-1-1" in sources and browser == state.browser_value()
    # a follow-up after the reload is resolved against the stored history
    _ask(chat, restored, "还有呢？", chatbot)
    assert [q for q, _ in chat.assistant.calls[-1]["history"]] == [Q1, Q2]


def test_a_browser_without_an_id_gets_a_new_one_and_sees_nothing_else(chat: Chat):
    _messages, theirs = _ask(chat, ChatState(owner="other"), Q1)
    chatbot, _src, state, _browser, choices, *_ = chat.load(None)
    assert state.owner and state.owner != "other" and chatbot == [] and choices["choices"] == []
    # knowing another browser's conversation id is not enough to open it
    _c, _s, opened, *_ = chat.load({"owner": state.owner, "conversation": theirs.conversation})
    assert opened.turns == () and opened.conversation == ""


def test_new_conversation_really_clears_the_history(chat: Chat):
    _messages, state = _ask(chat, ChatState(owner="b1"), Q1)
    chatbot, sources, fresh, browser, choices, *_ = chat.new(state)
    assert chatbot == [] and fresh.turns == () and fresh.conversation == "" and "pq-empty" in sources
    assert browser == {"owner": "b1", "conversation": ""}
    assert [v for _label, v in choices["choices"]] == [state.conversation]  # the old one stays listed
    _ask(chat, fresh, Q2)
    assert chat.assistant.calls[-1]["history"] == []  # nothing of the cleared conversation leaks


def test_switching_rename_and_two_step_delete(chat: Chat):
    _m, first = _ask(chat, ChatState(owner="b1"), Q1)
    _m, second = _ask(chat, ChatState(owner="b1"), Q2)
    opened = chat.open(first.conversation, second)[2]
    assert opened.conversation == first.conversation and opened.turns[0].question == Q1
    choices, note = chat.rename("  高企\n奖励  ", opened)
    labels = {v: label for label, v in choices["choices"]}
    assert "已重命名" in note and labels[first.conversation].startswith("高企 奖励 · ")
    assert "不能为空" in chat.rename("   ", opened)[1]
    armed = chat.delete(opened, False)
    assert armed[-3] is True and chat.store.get(first.conversation, "b1") is not None  # first click only arms
    done = chat.delete(opened, True)
    assert chat.store.get(first.conversation, "b1") is None and done[2].conversation == ""
    assert [c.id for c in chat.store.list_for("b1")] == [second.conversation]


def test_store_keeps_owners_apart(tmp_path: Path):
    store = ConversationStore(tmp_path / "ui.sqlite3")
    conv = store.create("a", "标题")
    store.add_turn(conv, "a", "问", {"text": "答"}, "citizen", None)
    with pytest.raises(KeyError):
        store.add_turn(conv, "b", "问", {"text": "答"}, "citizen", None)
    assert store.turns(conv, "b") == [] and not store.rename(conv, "b", "x") and not store.delete(conv, "b")
    assert [c.turns for c in store.list_for(None)] == [1]  # the admin's view: everyone's
    assert store.secret() == ConversationStore(tmp_path / "ui.sqlite3").secret()
    assert clean_title("a\x00b" + "长" * 100).startswith("ab") and len(clean_title("长" * 100)) == 60


def test_feedback_with_comment_is_stored_with_question_answer_citations_and_settings(chat: Chat):
    _messages, state = _ask(chat, ChatState(owner="b1"), Q1)
    row, fid, note = chat.like(state, 1, False)  # message 1 is the answer
    assert row["visible"] is True and fid and "👎" in note
    assert "说明已记录" in chat.comment("没有说明申请条件", fid, state)[1]
    [fb] = feedback.all_feedback(chat.store)
    answer = state.turns[0].answer
    assert (fb.rating, fb.comment, fb.question, fb.answer) == (-1, "没有说明申请条件", Q1, answer.text)
    assert fb.citations[0]["quote"] == answer.citations[0].quote
    assert fb.settings["persona"] == "citizen" and "scorer" in fb.settings["answer"]
    exported = list(csv.reader(io.StringIO(feedback.to_csv(feedback.all_feedback(chat.store)))))
    assert exported[0][:3] == ["时间", "评价", "说明"] and exported[1][1:4] == ["👎", "没有说明申请条件", Q1]
    # clicking 👍 replaces the rating; clicking it again takes it back
    chat.like(state, 1, True)
    assert [f.rating for f in feedback.all_feedback(chat.store)] == [1]
    chat.like(state, 1, None)
    assert feedback.all_feedback(chat.store) == []


def test_feedback_on_something_that_is_not_an_answer_is_refused(chat: Chat):
    _m, state = _ask(chat, ChatState(owner="b1"), "\ud800坏问题")  # refused before any answering
    _row, fid, note = chat.like(state, 0, True)
    assert fid == 0 and "无法评价" in note
    assert "请先点" in chat.comment("x", 0, state)[1]


def test_a_bad_question_and_a_crash_each_get_one_chinese_line(chat: Chat, monkeypatch):
    messages, _state = _ask(chat, ChatState(owner="b1"), 12345)  # type: ignore[arg-type]
    assert "问题无法识别" in messages[-1]["content"]

    def boom(*_a, **_k):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(chat.assistant, "stream", boom)
    messages, state = _ask(chat, ChatState(owner="b1"), Q1)
    assert INTERNAL_ERROR in messages[-1]["content"].replace("\\", "") and state.turns == ()
    assert "ZeroDivision" not in messages[-1]["content"]


def test_while_the_index_builds_questions_are_told_to_wait(fake: FakeAssistant):
    building = Readiness(building=True)
    chat = Chat(fake, ConversationStore.in_folder(fake.settings.paths.data_dir), building, Downloads())
    messages, state = _ask(chat, ChatState(owner="b1"), Q1)
    assert "正在首次建立文档索引" in messages[-1]["content"] and fake.calls == [] and state.turns == ()


def test_stop_marks_the_cut_off_answer():
    messages = [{"role": "user", "content": "问"}, {"role": "assistant", "content": "一是加大投入。 ▍"}]
    out = stopped(messages)
    assert out[-1]["content"].startswith("一是加大投入。") and "已停止" in out[-1]["content"]
    assert "▍" not in out[-1]["content"] and stopped([]) == []
    # the chat box sends its messages back as lists of content parts
    parts = [{"role": "assistant", "content": [{"type": "text", "text": "二是推进。 ▍"}]}]
    assert stopped(parts)[-1]["content"].startswith("二是推进。\n\n*")


def test_stop_ends_the_streaming_answer_at_its_next_sentence_and_only_that_one(chat: Chat, fake: FakeAssistant):
    many = ["第一句。", "第二句。", "第三句。", "第四句。"]

    def stream(question, **kw):  # type: ignore[no-untyped-def]
        yield from many
        yield Answer(question, "".join(many), (), refused=False, script="simplified", backend="fake")

    fake.stream = stream  # type: ignore[method-assign]
    steps = chat.respond(Q1, "citizen", None, [], ChatState(owner="b1"), session="s1")
    next(steps)  # the question is shown
    next(steps)  # the first sentence
    assert chat.stop("other-session", [{"role": "assistant", "content": "x"}])[-1]["content"] == "x"
    shown = chat.stop("s1", [{"role": "user", "content": Q1}, {"role": "assistant", "content": "第一句。▍"}])
    assert "已停止" in shown[-1]["content"]
    rest = list(steps)
    assert len(rest) == 1 and "已停止" in rest[0][1][-1]["content"]
    assert "第三句" not in rest[0][1][-1]["content"]
    # the answer is over: a later 停止 has nothing to stop and changes nothing
    done = [{"role": "assistant", "content": "完整的回答"}]
    assert chat.stop("s1", done) == done
