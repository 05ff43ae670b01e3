"""The chat tab: streamed answers, clickable [n] markers, source cards, filters, export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from app.ui.base import PERSONAS, AssistantPort, Turn, document_text
from app.ui.files import Downloads
from app.ui.render import (
    answer_markdown,
    answer_message,
    error_message,
    esc_md,
    sources_panel,
    streaming_message,
)
from assistant.retrieve import Filters
from assistant.types import Answer
from config.errors import PolicyQAError
from index.types import Document

# Shown under the input box; they fit the sample corpus (clicking one fills the box).
EXAMPLES = (
    "企业首次被认定为高新技术企业，自治区奖励多少？",
    "到2025年，全区研发投入强度的目标是多少？",
    "内政办发〔2018〕84号中，科技成果转移转化部分的责任单位有哪些？",
    "康巴什區到2025年全社會研發投入佔GDP比重的目標是多少？",
    "0581号提案的答复由哪个处室承办？",
)
ANY_YEAR = "不限"
Messages = list[dict[str, Any]]


@dataclass(frozen=True)
class ChatTab:
    question: gr.Textbox
    doc_filter: gr.Dropdown
    type_filter: gr.Dropdown
    year_from: gr.Dropdown
    year_to: gr.Dropdown


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


def respond(assistant: AssistantPort, question: str, persona: str, filters: Filters | None,
            messages: Messages, turns: list[Turn], downloads: Downloads) -> Iterator[tuple[Any, ...]]:
    """Stream one answer: yields (question box, messages, sources, turns, markdown, file)."""
    question = (question or "").strip()
    if not question:
        yield gr.update(), messages, gr.update(), turns, gr.update(), gr.update()
        return
    doc_text = lambda doc_id: document_text(assistant, doc_id)  # noqa: E731
    history = [(t.question, t.answer.text) for t in turns]
    messages = [*messages, {"role": "user", "content": esc_md(question)},
                {"role": "assistant", "content": "▍"}]
    yield "", messages, gr.update(), turns, gr.update(), gr.update()
    streamed = ""
    answer: Answer | None = None
    try:
        for item in assistant.stream(question, persona=persona, history=history, filters=filters):
            if isinstance(item, Answer):
                answer = item
            else:
                streamed += item
                messages = [*messages[:-1], {"role": "assistant", "content": streaming_message(streamed)}]
                yield gr.update(), messages, gr.update(), turns, gr.update(), gr.update()
    except PolicyQAError as exc:
        messages = [*messages[:-1], {"role": "assistant", "content": error_message(str(exc))}]
        yield gr.update(), messages, gr.update(), turns, gr.update(), gr.update()
        return
    if answer is None:
        messages = [*messages[:-1], {"role": "assistant", "content": error_message("没有得到回答，请重试。")}]
        yield gr.update(), messages, gr.update(), turns, gr.update(), gr.update()
        return
    turns = [*turns, Turn(question, answer)]
    messages = [*messages[:-1], {"role": "assistant", "content": answer_message(answer, len(turns) - 1)}]
    markdown = answer_markdown(answer)
    yield (gr.update(), messages, sources_panel(turns, doc_text), turns, markdown,
           gr.update(value=str(downloads.write_text("answer.md", markdown)), interactive=True))


def build_chat_tab(assistant: AssistantPort, downloads: Downloads) -> ChatTab:
    """The chat tab's components and events. Call inside a `gr.Tab`."""
    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chatbot = gr.Chatbot(
                label="对话", elem_id="pq-chat", height=520, latex_delimiters=[],
                buttons=["copy"], feedback_options=None, autoscroll=True,
                placeholder="请输入关于政策文件的问题。每个回答都标注来源段落，点击 [n] 查看原文。",
            )
            with gr.Row(equal_height=True):
                question = gr.Textbox(placeholder="例如：企业首次认定高企，自治区奖励多少？", show_label=False,
                                      lines=1, max_lines=4, scale=5, min_width=200, elem_id="pq-question",
                                      max_length=assistant.settings.retrieval.max_query_chars)
                send = gr.Button("提问", variant="primary", scale=1, min_width=72, elem_id="pq-send")
            persona = gr.Radio(choices=list(PERSONAS), value=assistant.settings.answer.persona,
                               label="我是", elem_id="pq-persona")
            with gr.Accordion("筛选范围（文档、类型、年份）", open=False):
                doc_filter = gr.Dropdown(label="文档", choices=[], multiselect=True)
                type_filter = gr.Dropdown(label="文档类型", choices=[], multiselect=True)
                with gr.Row():
                    year_from = gr.Dropdown(label="起始年份", choices=[ANY_YEAR], value=ANY_YEAR, min_width=120)
                    year_to = gr.Dropdown(label="截止年份", choices=[ANY_YEAR], value=ANY_YEAR, min_width=120)
            gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="示例问题")
            clear = gr.Button("开始新对话", size="sm")
        with gr.Column(scale=2, min_width=300):
            sources = gr.HTML(sources_panel([], lambda _d: ""), elem_id="pq-sources",
                              js_on_load=None)
            with gr.Accordion("复制或下载本次回答（Markdown，含引用）", open=False):
                markdown = gr.Textbox(label="Markdown", lines=6, max_lines=16, buttons=["copy"],
                                      interactive=False, elem_id="pq-markdown")
                download = gr.DownloadButton("下载 .md", value=None, interactive=False, size="sm")

    def on_ask(q: str, who: str, docs: list[str] | None, types: list[str] | None, y0: str | None,
               y1: str | None, msgs: Messages, ts: list[Turn]) -> Iterator[tuple[Any, ...]]:
        yield from respond(assistant, q, who, make_filters(docs, types, y0, y1), msgs or [], ts or [],
                           downloads)

    inputs = [question, persona, doc_filter, type_filter, year_from, year_to, chatbot, turns]
    outputs = [question, chatbot, sources, turns, markdown, download]
    gr.on([send.click, question.submit], on_ask, inputs, outputs, api_visibility="private",
          concurrency_limit=4, concurrency_id="answer", show_progress="hidden")

    def on_clear() -> tuple[Any, ...]:
        return [], sources_panel([], lambda _d: ""), [], "", gr.update(value=None, interactive=False)

    clear.click(on_clear, None, [chatbot, sources, turns, markdown, download], api_visibility="private")
    return ChatTab(question, doc_filter, type_filter, year_from, year_to)
