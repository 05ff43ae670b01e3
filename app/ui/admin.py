"""The 管理 tab (built only when an admin password is set in the environment).

Login is throttled per client address (`app.ui.throttle`) and, on success, issues the token
that lets this browser upload files at all (`app.ui.upload_gate`). Every handler checks the
session's login state on the server, so hiding the panel is not the only guard; the events
are private (not callable through the API client). Inside: 文档管理 (upload; every file with
its status, removable or re-indexable), 检索测试, 反馈 and 对话记录.
"""

from __future__ import annotations

import hmac
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from app.ui.admin_review import build_review
from app.ui.base import AssistantPort
from app.ui.conversations import ConversationStore
from app.ui.files import Downloads
from app.ui.library import (
    SourceFile,
    list_sources,
    reindex_source,
    remove_source,
    skipped_reasons,
    source_choices,
    sources_table,
)
from app.ui.render import esc
from app.ui.retrieval_test import build_retrieval_test
from app.ui.throttle import LoginThrottle, wait_message
from app.ui.upload_gate import SET_COOKIE_JS, UploadGate
from app.ui.uploads import Rejected, stage_uploads
from config.errors import PolicyQAError
from index.load import SUPPORTED
from index.sources import UPLOAD_PREFIX

NOT_LOGGED_IN = "请先登录管理员账户。"


@dataclass
class AdminContext:
    """What the admin pages share across sessions: the last build's skip reasons, the login
    throttle and the upload gate."""

    assistant: AssistantPort
    store: ConversationStore
    downloads: Downloads
    gate: UploadGate
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    skipped: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def note_report(self, report: Any) -> None:
        if report is not None and hasattr(report, "skipped"):
            with self._lock:
                self.skipped = skipped_reasons(report)

    def sources(self) -> list[SourceFile]:
        try:
            documents = self.assistant.documents()
        except PolicyQAError:
            documents = []
        return list_sources(self.assistant.settings, documents, self.skipped)


@dataclass(frozen=True)
class AdminTab:
    authed: gr.State
    changed: list[Any]  # events after which the app refreshes its document lists
    filters: list[gr.Dropdown]  # the retrieval test's filters (doc, type, year from, year to)


def password_ok(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; no password set means nobody can log in."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def client_of(request: gr.Request | None) -> str:
    """The client's address (all clients behind one proxy share it)."""
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "unknown")


def login(ctx: AdminContext, password: str | None, client: str) -> tuple[bool, str, str]:
    """(logged in, message, upload token) for one attempt, throttled per client."""
    wait = ctx.throttle.wait_s(client)
    if wait > 0:
        ctx.throttle.refused(client, wait)
        return False, wait_message(wait), ""
    if password_ok(password, ctx.assistant.settings.ui.admin_password()):
        ctx.throttle.succeeded(client)
        return True, "", ctx.gate.issue()
    delay = ctx.throttle.failed(client)
    return False, "密码不正确。" + (wait_message(delay) if delay > 0 else ""), ""


def _progress_cb(progress: gr.Progress | None, desc: str) -> Any:
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        progress((done, max(total, 1)), desc=desc)
    return report


def upload_files(ctx: AdminContext, files: Sequence[str] | None, authed: bool,
                 progress: gr.Progress | None = None) -> str:
    """Check, stage and add uploaded files, then re-index. Returns an HTML report in Chinese.

    Nothing refused is left behind: not in the uploads folder (a file the build then skips is
    deleted again), not in staging, not in Gradio's temp folder.
    """
    if not authed:
        raise gr.Error(NOT_LOGGED_IN)
    if not files:
        return '<p class="pq-warn">请选择要上传的文件。</p>'
    assistant = ctx.assistant
    max_bytes = assistant.settings.ui.max_upload_mb * 1024 * 1024
    staged = stage_uploads([(Path(f), Path(f).name) for f in files], max_bytes)
    rejected = list(staged.rejected)
    accepted: list[str] = []
    lines: list[str] = []
    try:
        if staged.files:
            report = assistant.add_files(list(staged.files), on_progress=_progress_cb(progress, "更新索引"))
            ctx.note_report(report)
            reasons = skipped_reasons(report)
            for path in staged.files:
                source = UPLOAD_PREFIX + path.name
                if source in reasons:  # the build could not use it after all: take it out again
                    (assistant.settings.paths.upload_dir / path.name).unlink(missing_ok=True)
                    rejected.append(Rejected(path.name, reasons[source]))
                else:
                    accepted.append(path.name)
            lines.append(f"<li>索引已更新：{esc(summary_zh(report))}</li>")
    except PolicyQAError as exc:
        lines.append(f"<li class='pq-warn'>出错：{esc(exc)}</li>")
    finally:
        if staged.folder is not None:
            shutil.rmtree(staged.folder, ignore_errors=True)
        for f in files:
            Path(f).unlink(missing_ok=True)  # Gradio's temp copy
    head = [f"<li class='pq-ok'>已加入并索引：{esc('、'.join(accepted))}</li>"] if accepted else []
    refused = [f"<li class='pq-warn'>未接受 {esc(r.name)}：{esc(r.reason)}</li>" for r in rejected]
    return f"<ul id='pq-upload-report'>{''.join(head + refused + lines)}</ul>"


def summary_zh(report: object) -> str:
    """A build report in one Chinese line."""
    def n(name: str) -> int:
        return len(getattr(report, name, ()) or ())
    return (f"新增 {n('added')}、更新 {n('updated')}、移除 {n('removed')}、未变 {n('unchanged')}、"
            f"跳过 {n('skipped')} 个文件；共 {getattr(report, 'documents', '?')} 份文档、"
            f"{getattr(report, 'chunks', '?')} 个段落")


def act_on_source(ctx: AdminContext, source: str | None, action: str, confirm: bool, authed: bool,
                  progress: gr.Progress | None = None) -> str:
    """Remove or re-index one file of the list. Returns a Chinese status line."""
    if not authed:
        raise gr.Error(NOT_LOGGED_IN)
    item = next((s for s in ctx.sources() if s.source == source), None)
    if item is None:
        return '<p class="pq-warn">请先在列表中选择一个文件。</p>'
    cb = _progress_cb(progress, "更新索引")
    try:
        if action == "remove":
            if not confirm:
                return '<p class="pq-warn">请勾选“确认移除”后再操作。</p>'
            report = remove_source(ctx.assistant, item, on_progress=cb)
            ctx.note_report(report)
            if item.doc_id is not None:
                done = "已移出索引"
            else:
                done = "已删除上传的文件" if item.uploaded else "已排除该文件，今后建索引时不再读取"
            after = f"索引已更新：{summary_zh(report)}" if report is not None else ""
            return f"<p class='pq-ok'>{done}：{esc(item.source)}。{esc(after)}</p>"
        report = reindex_source(ctx.assistant, item, on_progress=cb)
        ctx.note_report(report)
        now = next((s for s in ctx.sources() if s.source == item.source), None)
        state = "已索引" if now is not None and now.status == "indexed" else f"仍未索引：{now.reason if now else ''}"
        return f"<p>{esc(item.source)}：{esc(state)}。索引已更新：{esc(summary_zh(report))}</p>"
    except PolicyQAError as exc:
        return f"<p class='pq-warn'>出错：{esc(exc)}</p>"


def build_admin_tab(ctx: AdminContext) -> AdminTab:
    """Login box, then the admin pages. Call inside a `gr.Tab`."""
    authed = gr.State(False)
    with gr.Column(visible=True) as login_box:
        password = gr.Textbox(label="管理员密码", type="password", max_lines=1, elem_id="pq-admin-password")
        login_button = gr.Button("登录", variant="primary", elem_id="pq-admin-login")
        login_msg = gr.HTML("")
        token = gr.Textbox(visible="hidden", elem_id="pq-admin-token")
    with gr.Column(visible=False) as panel, gr.Tabs():
        with gr.Tab("文档管理", id="library"):
            changed, refresh_library = _library_page(ctx, authed)
        with gr.Tab("检索测试", id="retrieval"):
            filters = build_retrieval_test(ctx.assistant, authed)
        review = build_review(ctx.store, ctx.downloads, authed)

    def do_login(pw: str, request: gr.Request) -> tuple[Any, ...]:
        ok, message, issued = login(ctx, pw, client_of(request))
        if ok:
            return True, gr.update(visible=False), gr.update(visible=True), "", issued, ""
        return False, gr.update(), gr.update(visible=False), f'<p class="pq-warn">{esc(message)}</p>', "", ""

    logged = gr.on([login_button.click, password.submit], do_login, [password],
                   [authed, login_box, panel, login_msg, token, password], api_visibility="private")
    after = logged.then(None, [token], None, js=SET_COOKIE_JS, api_visibility="private")
    after = after.then(*refresh_library, api_visibility="private")
    for fn, inputs, outputs in review:
        after = after.then(fn, inputs, outputs, api_visibility="private")
    return AdminTab(authed, changed, filters)


def _library_page(ctx: AdminContext, authed: gr.State) -> tuple[list[Any], tuple[Any, list, list]]:
    mb = ctx.assistant.settings.ui.max_upload_mb
    gr.Markdown(f"上传政策文件（{' '.join(SUPPORTED)}，单个不超过 {mb} MB），上传后自动解析并增量更新索引。"
                "无法读取的文件不会被保存，并说明原因。")
    files = gr.File(label="选择文件", file_count="multiple", type="filepath", elem_id="pq-upload")
    upload_button = gr.Button("上传并更新索引", variant="primary", elem_id="pq-upload-button")
    upload_status = gr.HTML("", elem_id="pq-upload-status")
    gr.Markdown("---\n**全部文件**（语料目录与上传目录）。选择一个文件可移出索引或重新索引；"
                "语料目录中的原文件不会被删除，上传的文件移除时一并删除。")
    table = gr.HTML('<p class="pq-empty">登录后显示。</p>', elem_id="pq-library-table")
    with gr.Row(equal_height=True):
        picker = gr.Dropdown(label="文件", choices=[], value=None, scale=4, elem_id="pq-library-picker")
        confirm = gr.Checkbox(label="确认移除", value=False, scale=1)
        remove_button = gr.Button("移除", variant="stop", scale=1)
        reindex_button = gr.Button("重新索引", scale=1)
    action_status = gr.HTML("", elem_id="pq-library-status")

    def show(ok: bool) -> tuple[str, Any, str]:
        if not ok:
            raise gr.Error(NOT_LOGGED_IN)
        items = ctx.sources()
        return sources_table(items), gr.update(choices=source_choices(items), value=None), ""

    def on_upload(fs: list[str] | None, ok: bool, progress: gr.Progress = gr.Progress()) -> tuple[str, None]:  # noqa: B008
        return upload_files(ctx, fs, ok, progress), None

    def on_remove(src: str | None, sure: bool, ok: bool, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return act_on_source(ctx, src, "remove", sure, ok, progress)

    def on_reindex(src: str | None, ok: bool, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return act_on_source(ctx, src, "reindex", True, ok, progress)

    write: dict[str, Any] = {"api_visibility": "private", "concurrency_id": "index-write", "concurrency_limit": 1}
    uploaded = upload_button.click(on_upload, [files, authed], [upload_status, files], **write)
    removed = remove_button.click(on_remove, [picker, confirm, authed], action_status, **write)
    reindexed = reindex_button.click(on_reindex, [picker, authed], action_status, **write)
    refresh = (show, [authed], [table, picker, action_status])
    for event in (uploaded, removed, reindexed):
        event.then(lambda ok: show(ok)[:2], [authed], [table, picker], api_visibility="private")
    return [uploaded, removed, reindexed], refresh
