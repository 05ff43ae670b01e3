"""Answering in the chat tab: check the question, stream the answer sentence by sentence,
store the finished turn, and render what the page shows (messages, sources, copies).

The layout and the events are in `app.ui.chat_tab`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import gradio as gr

from app.ui import feedback
from app.ui.base import AssistantPort, Turn, check_question
from app.ui.conversations import ConversationStore
from app.ui.export import answer_markdown, copy_markdown
from app.ui.files import Downloads
from app.ui.readiness import Readiness
from app.ui.render import answer_message, error_message, esc, esc_md, sources_panel, streaming_message
from app.ui.serialize import answer_to_dict, filters_to_dict
from app.ui.session import ChatState, Messages, conversation_choices, messages_of, open_conversation, restore
from app.ui.streaming import paced
from assistant.retrieve import Filters
from assistant.types import Answer
from config.errors import PolicyQAError
from index.types import Document

log = logging.getLogger(__name__)

ANY_YEAR = "不限"
INTERNAL_ERROR = "回答时出现内部错误，请重试或换一种问法。"
STOPPED = "（已停止）"
# chatbot, sources, state, browser value, conversation list, copies, download, comment row, feedback note
VIEW_OUTPUTS = ("chatbot", "sources", "state", "browser", "conversations", "copies", "download",
                "feedback_row", "feedback_note")


def make_filters(doc_ids: Sequence[str] | None, types: Sequence[str] | None,
                 year_from: str | None, year_to: str | None) -> Filters | None:
    """Filters from the UI controls; None when nothing restricts."""
    def year(v: str | None) -> int | None:
        return int(v) if v and v.isdigit() else None

    f = Filters(doc_ids=tuple(doc_ids or ()), doc_types=tuple(types or ()),
                year_from=year(year_from), year_to=year(year_to))
    return f if f.active() else None


def filter_choices(docs: Sequence[Document]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(document choices, document types, years) present in the index."""
    types = sorted({d.doc_type for d in docs if d.doc_type})
    years = sorted({str(d.year) for d in docs if d.year}, reverse=True)
    return [(d.title or d.source, d.doc_id) for d in docs], types, [ANY_YEAR, *years]


def copies_html(copies: Sequence[str]) -> str:
    """The clipboard text of each assistant message, for the page script behind the copy icons."""
    return "".join(f'<pre class="pq-copy" data-i="{i}">{esc(c)}</pre>' for i, c in enumerate(copies))


class StopFlags:
    """One stop flag per browser session. 停止 sets it and the answer being streamed stops at
    its next sentence: a cooperative stop, because cancelling a running Gradio event can leave
    the chat showing 错误 when the cancellation races the stream."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flags: dict[str, threading.Event] = {}

    def begin(self, session: str) -> threading.Event:
        """A cleared flag for a new answer of `session`."""
        with self._lock:
            flag = self._flags[session] = threading.Event()
            return flag

    def stop(self, session: str) -> bool:
        """Stop the answer `session` is streaming; False when none is."""
        with self._lock:
            flag = self._flags.pop(session, None)
        if flag is not None:
            flag.set()
        return flag is not None

    def end(self, session: str, flag: threading.Event) -> None:
        """The answer `flag` belonged to is over (a later stop has nothing to stop)."""
        with self._lock:
            if self._flags.get(session) is flag:
                del self._flags[session]


@dataclass(frozen=True)
class Chat:
    """Everything answering needs, bound once per app."""

    assistant: AssistantPort
    store: ConversationStore
    readiness: Readiness
    downloads: Downloads
    stops: StopFlags = field(default_factory=StopFlags)

    def chunks_of(self, doc_id: str) -> Any:
        """The document's chunks for "展开上下文" (none while there is no index)."""
        try:
            return self.assistant.chunks_of(doc_id)
        except PolicyQAError:
            return []

    def respond(self, question: object, persona: str, filters: Filters | None, messages: Messages,
                state: ChatState, session: str = "") -> Iterator[tuple[Any, ...]]:
        """Stream one answer. Yields (question box, messages, sources, state, browser value,
        conversation list, copies, download). `stop(session)` ends it at the next sentence."""
        keep = gr.update()
        try:
            text = check_question(question)
        except PolicyQAError as exc:
            yield self._note(messages, state, None, str(exc))
            return
        if not text:
            yield keep, messages, keep, state, keep, keep, keep, keep
            return
        if not self.readiness.is_ready:
            yield self._note(messages, state, text, self.readiness.message())
            return
        messages = [*messages, {"role": "user", "content": esc_md(text)}, {"role": "assistant", "content": "▍"}]
        state = replace(state, msg_turns=(*state.msg_turns, -1, -1), copies=(*state.copies, ""))
        stop = self.stops.begin(session)
        try:
            yield from self._stream(text, persona, filters, messages, state, stop)
        finally:
            self.stops.end(session, stop)

    def _stream(self, text: str, persona: str, filters: Filters | None, messages: Messages, state: ChatState,
                stop: threading.Event) -> Iterator[tuple[Any, ...]]:
        keep = gr.update()
        yield "", messages, keep, state, keep, keep, keep, keep
        streamed = ""
        answer: Answer | None = None
        try:
            items = self.assistant.stream(text, persona=persona, history=state.history(), filters=filters)
            for item in paced(items, self.assistant.settings.ui.stream_pause_s):
                if stop.is_set():
                    yield keep, stopped(messages), keep, state, keep, keep, keep, keep
                    return
                if isinstance(item, Answer):
                    answer = item
                    continue
                streamed += item
                messages = [*messages[:-1], {"role": "assistant", "content": streaming_message(streamed)}]
                yield keep, messages, keep, keep, keep, keep, keep, keep
        except PolicyQAError as exc:
            answer, error = None, str(exc)
        except Exception:  # the user gets one line; the log gets the traceback
            log.exception("answering %r failed", text)
            answer, error = None, INTERNAL_ERROR
        else:
            error = "没有得到回答，请重试。"
        if answer is None:
            messages = [*messages[:-1], {"role": "assistant", "content": error_message(error)}]
            yield keep, messages, keep, state, keep, keep, keep, keep
            return
        yield self._finish(text, persona, filters, answer, messages, state)

    def stop(self, session: str, messages: Messages) -> Messages:
        """停止: the answer of `session` being streamed stops; the chat says so at once."""
        return stopped(messages) if self.stops.stop(session) else messages

    # -- showing and managing conversations -----------------------------------------------------

    def view(self, state: ChatState) -> tuple[Any, ...]:
        """What the page shows for `state`, in `VIEW_OUTPUTS` order."""
        last = state.turns[-1].answer if state.turns else None
        download = (gr.update(value=str(self.downloads.write_text("answer.md", answer_markdown(last))),
                              interactive=True) if last else gr.update(value=None, interactive=False))
        return (messages_of(state.turns), sources_panel(state.turns, self.chunks_of), state,
                state.browser_value(),
                gr.update(choices=conversation_choices(self.store, state.owner), value=state.conversation or None),
                copies_html(state.copies), download, gr.update(visible=False), "")

    def load(self, browser: Any) -> tuple[Any, ...]:
        """On page (re)load: the browser's conversation, reopened from the store."""
        return self.view(restore(self.store, self.assistant, browser))

    def new(self, state: ChatState) -> tuple[Any, ...]:
        """A fresh conversation: messages, sources and the history follow-ups read all cleared."""
        return self.view(ChatState(owner=state.owner))

    def open(self, conv_id: str | None, state: ChatState) -> tuple[Any, ...]:
        return self.view(open_conversation(self.store, self.assistant, state.owner, conv_id or ""))

    def rename(self, title: str, state: ChatState) -> tuple[Any, str]:
        """(conversation list, note)."""
        if not state.conversation:
            return gr.update(), '<p class="pq-warn">请先提问或从列表中选择一个对话。</p>'
        if not self.store.rename(state.conversation, state.owner, title or ""):
            return gr.update(), '<p class="pq-warn">名称不能为空。</p>'
        return (gr.update(choices=conversation_choices(self.store, state.owner), value=state.conversation),
                '<p class="pq-ok">已重命名。</p>')

    def delete(self, state: ChatState, armed: bool) -> tuple[Any, ...]:
        """First click arms, second deletes. Returns VIEW_OUTPUTS + (armed, delete button, note)."""
        keep = gr.update()
        if not state.conversation:
            return (*(keep,) * len(VIEW_OUTPUTS), False, keep, '<p class="pq-warn">当前没有已保存的对话。</p>')
        if not armed:
            return (*(keep,) * len(VIEW_OUTPUTS), True, gr.update(value="确认删除？"),
                    '<p class="pq-warn">再点一次“确认删除？”即删除当前对话。</p>')
        self.store.delete(state.conversation, state.owner)
        return (*self.new(state), False, gr.update(value="删除"), '<p class="pq-ok">已删除。</p>')

    # -- feedback -------------------------------------------------------------------------------

    def like(self, state: ChatState, index: Any, liked: Any) -> tuple[Any, int, str]:
        """Record 👍/👎 on a message; returns (comment row, feedback id, note)."""
        message = index[0] if isinstance(index, (list, tuple)) else index
        turn = state.turn_of_message(message if isinstance(message, int) else -1)
        if turn < 0 or not state.conversation:
            return gr.update(visible=False), 0, '<p class="pq-warn">这条消息不是已保存的回答，无法评价。</p>'
        if liked not in (True, False):  # the thumb was clicked again: the rating is taken back
            feedback.withdraw(self.store, owner=state.owner, conversation=state.conversation, ordinal=turn)
            return gr.update(visible=False), 0, '<p class="pq-ok">已撤回评价。</p>'
        t = state.turns[turn]
        fid = feedback.record(self.store, owner=state.owner, conversation=state.conversation, ordinal=turn,
                              rating=1 if liked else -1, question=t.question, answer=t.answer,
                              settings=self.answer_settings(t))
        return gr.update(visible=True), fid, f'<p class="pq-ok">已记录{"👍" if liked else "👎"}，可以补充说明。</p>'

    def comment(self, text: str, feedback_id: int, state: ChatState) -> tuple[Any, str, str]:
        """Attach a comment to the last rating; returns (comment row, note, comment box)."""
        if not feedback_id or not feedback.comment(self.store, feedback_id, state.owner, text or ""):
            return gr.update(visible=False), '<p class="pq-warn">请先点 👍 或 👎 再补充说明。</p>', text
        return gr.update(visible=False), '<p class="pq-ok">谢谢，说明已记录。</p>', ""

    def answer_settings(self, turn: Turn) -> dict[str, Any]:
        """The settings an answer was made under, kept with its feedback."""
        s = self.assistant.settings
        return {"persona": turn.persona, "filters": filters_to_dict(turn.filters), "backend": turn.answer.backend,
                "question_as_answered": turn.answer.question,
                "embedding": {"backend": s.embedding.backend, "model": s.embedding.model},
                "retrieval": s.retrieval.model_dump(), "answer": s.answer.model_dump()}

    def _note(self, messages: Messages, state: ChatState, question: str | None, note: str) -> tuple[Any, ...]:
        """Show `note` as the reply (no turn is made), e.g. a refused question or a busy index."""
        shown = [{"role": "user", "content": esc_md(question)}] if question else []
        messages = [*messages, *shown, {"role": "assistant", "content": error_message(note)}]
        state = replace(state, msg_turns=(*state.msg_turns, *(-1 for _ in shown), -1), copies=(*state.copies, note))
        keep = gr.update()
        return ("" if question else keep), messages, keep, state, keep, keep, copies_html(state.copies), keep

    def _finish(self, question: str, persona: str, filters: Filters | None, answer: Answer,
                messages: Messages, state: ChatState) -> tuple[Any, ...]:
        turn = Turn(question, answer, persona, filters)
        conv = self._save(state, turn)
        turns = (*state.turns, turn)
        i = len(turns) - 1
        messages = [*messages[:-1], {"role": "assistant", "content": answer_message(answer, i)}]
        state = replace(state, conversation=conv, turns=turns, msg_turns=(*state.msg_turns[:-2], i, i),
                        copies=(*state.copies[:-1], copy_markdown(answer)))
        path = self.downloads.write_text("answer.md", answer_markdown(answer))
        choices = gr.update(choices=conversation_choices(self.store, state.owner), value=conv or None)
        return (gr.update(), messages, sources_panel(turns, self.chunks_of), state, state.browser_value(),
                choices, copies_html(state.copies), gr.update(value=str(path), interactive=True))

    def _save(self, state: ChatState, turn: Turn) -> str:
        """Store the turn (a new conversation on the first one); "" when the store failed."""
        data = answer_to_dict(turn.answer)
        filters = filters_to_dict(turn.filters)
        try:
            conv = state.conversation or self.store.create(state.owner, turn.question)
            try:
                self.store.add_turn(conv, state.owner, turn.question, data, turn.persona, filters)
            except KeyError:  # deleted in another tab meanwhile: start a new one
                conv = self.store.create(state.owner, turn.question)
                self.store.add_turn(conv, state.owner, turn.question, data, turn.persona, filters)
            return conv
        except sqlite3.Error:
            log.exception("could not store a conversation turn")
            return state.conversation


def message_text(content: Any) -> str:
    """A chat message's text, whether given as a string or as Gradio's list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return "".join(message_text(part) for part in content if not isinstance(part, dict)
                       or part.get("type", "text") == "text")
    return ""


def stopped(messages: Messages) -> Messages:
    """The chat after a stop: the cut-off answer says so."""
    if not messages or messages[-1].get("role") != "assistant":
        return messages
    content = message_text(messages[-1].get("content", "")).rstrip().removesuffix("▍").rstrip()
    return [*messages[:-1], {"role": "assistant", "content": f"{content}\n\n*{esc_md(STOPPED)}*"}]
