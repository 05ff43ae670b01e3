"""The chat tab's layout and events (the answering itself is `app.ui.chat.Chat`).

Three columns: the conversation list, the chat, the source cards. On a phone they stack
chat and question box first, then the sources, then who-is-asking and filters, then the
list (see the page CSS). The chat box's own trash icon
and "新对话" do the same thing: start a new conversation, so the hidden history that
follow-ups read is cleared with the messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from app.ui.base import PERSONAS
from app.ui.chat import ANY_YEAR, Chat, make_filters
from app.ui.render import sources_panel
from app.ui.session import ChatState, Messages
from config.errors import PolicyQAError
from index.types import Document

STORAGE_KEY = "policyqa-chat"


@dataclass(frozen=True)
class ChatTab:
    """The components the app wires to (document lists fill the filters; load restores)."""

    browser: gr.BrowserState
    view: list[Any]  # the components of `Chat.view`, in order
    question: gr.Textbox
    examples: Callable[[], tuple[Any, Any]]  # updates of (chatbot, question): examples once indexed
    doc_filter: gr.Dropdown
    type_filter: gr.Dropdown
    year_from: gr.Dropdown
    year_to: gr.Dropdown


def build_chat_tab(chat: Chat) -> ChatTab:
    """Lay out the chat tab and wire its events. Call inside a `gr.Tab`."""
    settings = chat.assistant.settings

    def indexed_examples() -> tuple[str, ...]:
        """Example questions about the documents indexed now; none before the first index (the
        page says so) or when `ui.examples` sets a deployment's own."""
        if settings.ui.examples is not None or not chat.readiness.is_ready:
            return ()
        try:
            return document_examples(chat.assistant.documents())
        except PolicyQAError:
            return ()

    examples = settings.ui.examples if settings.ui.examples is not None else indexed_examples()
    state = gr.State(ChatState())
    browser = gr.BrowserState({"owner": "", "conversation": ""}, storage_key=STORAGE_KEY,
                              secret=chat.store.secret())
    feedback_id = gr.State(0)
    armed = gr.State(False)
    with gr.Row(equal_height=False, elem_id="pq-chat-row"):
        with gr.Column(scale=1, min_width=190, elem_id="pq-conv-col"):
            new = gr.Button("＋ 新对话", size="sm", elem_id="pq-new")
            conversations = gr.Radio(choices=[], label="历史对话", elem_id="pq-conv-list")
            with gr.Accordion("重命名 / 删除当前对话", open=False, elem_id="pq-conv-edit"):
                title = gr.Textbox(show_label=False, placeholder="新的名称", max_lines=1, elem_id="pq-conv-title")
                with gr.Row():
                    rename = gr.Button("重命名", size="sm", elem_id="pq-rename")
                    delete = gr.Button("删除", size="sm", variant="stop", elem_id="pq-delete")
            conv_note = gr.HTML("")
        with gr.Column(scale=3, min_width=320, elem_id="pq-chat-col"):
            chatbot = gr.Chatbot(
                show_label=False, elem_id="pq-chat", height=520, latex_delimiters=[],
                buttons=["copy"], feedback_options=("Like", "Dislike"), autoscroll=True,
                examples=[{"text": q} for q in examples] or None,
                placeholder="请输入关于政策文件的问题。每个回答都标注来源段落，点击 [n] 查看原文。",
            )
            with gr.Row(equal_height=True):
                hint = f"例如：{examples[0]}" if examples else "请输入关于政策文件的问题"
                question = gr.Textbox(placeholder=hint, show_label=False,
                                      lines=1, max_lines=4, scale=5, min_width=180, elem_id="pq-question",
                                      max_length=settings.retrieval.max_query_chars)
                send = gr.Button("提问", variant="primary", scale=1, min_width=64, elem_id="pq-send")
                stop = gr.Button("停止", scale=1, min_width=64, elem_id="pq-stop")
            with gr.Row(visible=False, elem_id="pq-feedback") as feedback_row:
                comment = gr.Textbox(show_label=False, placeholder="可选：说说哪里不对或缺了什么", max_lines=3,
                                     scale=5, elem_id="pq-feedback-comment")
                comment_send = gr.Button("提交说明", size="sm", scale=1, elem_id="pq-feedback-send")
            feedback_note = gr.HTML("", elem_id="pq-feedback-note")
            with gr.Column(elem_id="pq-chat-opts"):
                persona = gr.Radio(choices=list(PERSONAS), value=settings.answer.persona, label="我是",
                                   elem_id="pq-persona")
                with gr.Accordion("筛选范围（文档、类型、年份）", open=False):
                    doc_filter = gr.Dropdown(label="文档", choices=[], multiselect=True)
                    type_filter = gr.Dropdown(label="文档类型", choices=[], multiselect=True)
                    with gr.Row():
                        year_from = gr.Dropdown(label="起始年份", choices=[ANY_YEAR], value=ANY_YEAR, min_width=120)
                        year_to = gr.Dropdown(label="截止年份", choices=[ANY_YEAR], value=ANY_YEAR, min_width=120)
                download = gr.DownloadButton("下载本次回答 (.md)", value=None, interactive=False, size="sm",
                                             elem_id="pq-download")
        with gr.Column(scale=2, min_width=280, elem_id="pq-src-col"):
            sources = gr.HTML(sources_panel([], lambda _d: []), elem_id="pq-sources")
            copies = gr.HTML("", elem_id="pq-copies")

    view = [chatbot, sources, state, browser, conversations, copies, download, feedback_row, feedback_note]
    private: dict[str, Any] = {"api_visibility": "private"}

    def on_ask(q: object, who: str, docs: list[str] | None, types: list[str] | None, y0: str | None,
               y1: str | None, msgs: Messages | None, st: ChatState,
               request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from chat.respond(q, who, make_filters(docs, types, y0, y1), list(msgs or []), st,
                                session=_session(request))

    def on_stop(msgs: Messages | None, request: gr.Request) -> Messages:
        return chat.stop(_session(request), list(msgs or []))

    ask_inputs = [question, persona, doc_filter, type_filter, year_from, year_to, chatbot, state]
    ask_outputs = [question, chatbot, sources, state, browser, conversations, copies, download]
    gr.on([send.click, question.submit], on_ask, ask_inputs, ask_outputs, concurrency_limit=4,
          concurrency_id="answer", show_progress="hidden", **private)
    stop.click(on_stop, [chatbot], [chatbot], queue=False, **private)

    def pick_example(evt: gr.SelectData) -> str:
        value = evt.value
        return str(value.get("text", "")) if isinstance(value, dict) else str(value or "")

    chatbot.example_select(pick_example, None, question, **private).then(
        on_ask, ask_inputs, ask_outputs, concurrency_limit=4, concurrency_id="answer", show_progress="hidden",
        **private)

    new.click(chat.new, [state], view, **private)
    chatbot.clear(chat.new, [state], view, **private)
    conversations.input(chat.open, [conversations, state], view, **private)
    rename.click(chat.rename, [title, state], [conversations, conv_note], **private)
    delete.click(chat.delete, [state, armed], [*view, armed, delete, conv_note], **private)

    def on_like(st: ChatState, evt: gr.LikeData) -> tuple[Any, int, str]:
        return chat.like(st, evt.index, evt.liked)

    chatbot.like(on_like, [state], [feedback_row, feedback_id, feedback_note], **private)
    gr.on([comment_send.click, comment.submit], chat.comment, [comment, feedback_id, state],
          [feedback_row, feedback_note, comment], **private)
    def examples_now() -> tuple[Any, Any]:
        """The chatbot's examples and the question's placeholder from the documents indexed
        now: a page built before the first index had none, and shows them once it is ready."""
        found = indexed_examples()
        if not found:
            return gr.update(), gr.update()
        return gr.update(examples=[{"text": q} for q in found]), gr.update(placeholder=f"例如：{found[0]}")

    return ChatTab(browser, view, question, examples_now, doc_filter, type_filter, year_from, year_to)


def _session(request: gr.Request | None) -> str:
    """The browser session an event comes from (its stop flag's key)."""
    return str(getattr(request, "session_hash", "") or "")


# Questions any indexed document answers from its own particulars (each a field the planner
# reads: 文号, 发布部门, 印发日期), used when `ui.examples` is not set.
_EXAMPLE_FORMS = (("doc_number", "《{}》的文号是多少？"), ("written_date", "《{}》是哪天印发的？"),
                  ("issuer", "《{}》是哪个部门发布的？"))
EXAMPLE_TITLE_MAX = 30  # characters: a longer title makes an example too long to read


def document_examples(documents: Sequence[Document], n: int = 3) -> tuple[str, ...]:
    """Up to `n` example questions about the indexed documents, one per document, each asking
    the first particular the document states of 文号, date and issuer (shorter titles first)."""
    out: list[str] = []
    shown = sorted((d for d in documents if 0 < len(d.title) <= EXAMPLE_TITLE_MAX), key=lambda d: len(d.title))
    for doc in shown:
        form = next((f for field, f in _EXAMPLE_FORMS if getattr(doc, field, None)), None)
        if form is not None:
            out.append(form.format(doc.title))
        if len(out) == n:
            break
    return tuple(out)
