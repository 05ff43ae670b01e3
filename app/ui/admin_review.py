"""What the admin reviews: feedback on answers (with a CSV export) and every conversation."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import Any

import gradio as gr

from app.ui.conversations import Conversation, ConversationStore
from app.ui.feedback import RATING_LABEL, Feedback, all_feedback, to_csv
from app.ui.files import Downloads

SHORT = 80


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _short(text: str, n: int = SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def feedback_table(rows: Sequence[Feedback]) -> str:
    if not rows:
        return '<p class="pq-empty">还没有反馈。</p>'
    e = html.escape
    body = "".join(
        f"<tr><td>{_when(f.created)}</td><td>{RATING_LABEL.get(f.rating, f.rating)}</td><td>{e(f.comment) or '—'}</td>"
        f"<td>{e(_short(f.question))}</td><td><details><summary>{e(_short(f.answer, 40))}</summary>"
        f"{e(f.answer)}</details></td><td>{len(f.citations)}</td></tr>"
        for f in rows)
    return ('<div class="pq-table-wrap"><table class="pq-docs" id="pq-feedback-table"><thead><tr><th>时间</th>'
            '<th>评价</th><th>说明</th><th>问题</th><th>回答</th><th>引用数</th></tr></thead><tbody>'
            + body + "</tbody></table></div>")


def feedback_view(store: ConversationStore, downloads: Downloads, only_down: bool) -> tuple[str, str]:
    """(table HTML, path of the CSV export) of the feedback, newest first."""
    rows = all_feedback(store, rating=-1 if only_down else None)
    text = to_csv(rows)
    path = downloads.folder(text) / "feedback.csv"
    if not path.exists():
        path.write_text(text, encoding="utf-8-sig")  # the BOM lets Excel read the Chinese
    return feedback_table(rows), str(path)


def conversations_table(rows: Sequence[Conversation]) -> str:
    if not rows:
        return '<p class="pq-empty">还没有保存的对话。</p>'
    e = html.escape
    body = "".join(
        f"<tr><td>{e(c.title)}</td><td>{c.turns}</td><td>{_when(c.updated)}</td>"
        f"<td>{'API' if c.owner == 'api' else '浏览器 ' + e(c.owner[:6])}</td></tr>" for c in rows)
    return ('<div class="pq-table-wrap"><table class="pq-docs" id="pq-all-conversations"><thead><tr><th>标题</th>'
            '<th>轮数</th><th>最近更新</th><th>来自</th></tr></thead><tbody>' + body + "</tbody></table></div>")


def conversation_transcript(store: ConversationStore, conv_id: str | None) -> str:
    """One conversation's questions and answers, read-only (admin view of any owner's)."""
    if not conv_id:
        return ""
    e = html.escape
    turns = store.turns(conv_id, None)
    if not turns:
        return '<p class="pq-empty">这个对话没有内容或已被删除。</p>'
    return "".join(
        f'<div class="pq-card"><div class="pq-title">问：{e(t.question)}</div>'
        f'<div class="pq-para">{e(str(t.answer.get("text", "")))}</div>'
        f'<div class="pq-meta">{_when(t.created)} · {e(t.persona)} · 引用 {len(t.answer.get("citations", []))} 处'
        f"</div></div>" for t in turns)


def build_review(store: ConversationStore, downloads: Downloads, authed: gr.State) -> tuple[Any, Any]:
    """The 反馈 and 对话记录 pages (inside the admin panel). Returns their refresh events' (fn,
    outputs) so the app can run them after login."""
    with gr.Tab("反馈", id="feedback"):
        only_down = gr.Checkbox(label="只看 👎", value=False)
        fb_refresh = gr.Button("刷新", size="sm")
        fb_table = gr.HTML('<p class="pq-empty">登录后显示。</p>', elem_id="pq-feedback-list")
        fb_csv = gr.DownloadButton("导出 CSV", size="sm", elem_id="pq-feedback-csv")
    with gr.Tab("对话记录", id="conversations"):
        cv_refresh = gr.Button("刷新", size="sm")
        cv_table = gr.HTML('<p class="pq-empty">登录后显示。</p>')
        cv_pick = gr.Dropdown(label="查看对话", choices=[], value=None)
        cv_view = gr.HTML("")

    def show_feedback(down: bool, ok: bool) -> tuple[str, Any]:
        if not ok:
            raise gr.Error("请先登录管理员账户。")
        table, path = feedback_view(store, downloads, down)
        return table, gr.update(value=path)

    def show_conversations(ok: bool) -> tuple[str, Any]:
        if not ok:
            raise gr.Error("请先登录管理员账户。")
        rows = store.list_for(None)
        return conversations_table(rows), gr.update(choices=[(f"{c.title}（{c.turns} 轮）", c.id) for c in rows],
                                                    value=None)

    def show_one(conv_id: str | None, ok: bool) -> str:
        if not ok:
            raise gr.Error("请先登录管理员账户。")
        return conversation_transcript(store, conv_id)

    private: dict[str, Any] = {"api_visibility": "private"}
    gr.on([fb_refresh.click, only_down.change], show_feedback, [only_down, authed], [fb_table, fb_csv], **private)
    cv_refresh.click(show_conversations, [authed], [cv_table, cv_pick], **private)
    cv_pick.change(show_one, [cv_pick, authed], cv_view, **private)
    return ((show_feedback, [only_down, authed], [fb_table, fb_csv]),
            (show_conversations, [authed], [cv_table, cv_pick]))
