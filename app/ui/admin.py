"""The Admin tab (built only when an admin password is set in the environment).

Every handler checks the session's login state on the server, so hiding the panel is not the
only guard; the events are private (not callable through the API client).
"""

from __future__ import annotations

import hmac
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from app.ui.base import AssistantPort
from app.ui.render import esc
from app.ui.uploads import stage_uploads
from config.errors import PolicyQAError
from index.load import SUPPORTED


@dataclass(frozen=True)
class AdminTab:
    authed: gr.State
    uploaded: Any  # the upload event (the app chains a refresh of document lists to it)
    removed: Any
    remove_picker: gr.Dropdown
    status: gr.HTML


def password_ok(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; no password set means nobody can log in."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _progress_cb(progress: gr.Progress, desc: str) -> Any:
    def report(done: int, total: int) -> None:
        progress((done, max(total, 1)), desc=desc)
    return report


def upload_files(assistant: AssistantPort, files: Sequence[str] | None, authed: bool,
                 progress: gr.Progress | None = None) -> str:
    """Validate, stage and add uploaded files, then re-index. Returns an HTML report."""
    if not authed:
        raise gr.Error("请先登录管理员账户。")
    if not files:
        return '<p class="pq-warn">请选择要上传的文件。</p>'
    max_bytes = assistant.settings.ui.max_upload_mb * 1024 * 1024
    staged = stage_uploads([(Path(f), Path(f).name) for f in files], max_bytes)
    lines = [f"<li>未接受 {esc(r.name)}：{esc(r.reason)}</li>" for r in staged.rejected]
    try:
        if staged.files:
            cb = _progress_cb(progress, "更新索引") if progress is not None else None
            report = assistant.add_files(list(staged.files), on_progress=cb)
            lines.insert(0, f"<li>已加入：{esc('、'.join(p.name for p in staged.files))}</li>")
            lines.append(f"<li>索引已更新：{esc(_summary(report))}</li>")
    except PolicyQAError as exc:
        lines.append(f"<li>出错：{esc(exc)}</li>")
    finally:
        if staged.folder is not None:
            shutil.rmtree(staged.folder, ignore_errors=True)
    return f"<ul>{''.join(lines)}</ul>"


def remove_doc(assistant: AssistantPort, doc_id: str | None, confirm: bool, authed: bool,
               progress: gr.Progress | None = None) -> str:
    """Take a document out of the index (after an explicit confirmation)."""
    if not authed:
        raise gr.Error("请先登录管理员账户。")
    if not doc_id:
        return '<p class="pq-warn">请选择要移除的文档。</p>'
    if not confirm:
        return '<p class="pq-warn">请勾选“确认移除”后再操作。</p>'
    doc = assistant.document(doc_id)
    title = doc.title if doc else doc_id
    try:
        cb = _progress_cb(progress, "更新索引") if progress is not None else None
        report = assistant.remove_document(doc_id, on_progress=cb)
    except PolicyQAError as exc:
        return f"<p class='pq-warn'>出错：{esc(exc)}</p>"
    return f"<p>已移除《{esc(title)}》。索引已更新：{esc(_summary(report))}</p>"


def _summary(report: object) -> str:
    summary = getattr(report, "summary", None)
    return str(summary()) if callable(summary) else ""


def build_admin_tab(assistant: AssistantPort) -> AdminTab:
    """Login box, then upload and remove controls. Call inside a `gr.Tab`."""
    authed = gr.State(False)
    with gr.Column(visible=True) as login_box:
        password = gr.Textbox(label="管理员密码", type="password", max_lines=1)
        login = gr.Button("登录", variant="primary")
        login_msg = gr.HTML("")
    with gr.Column(visible=False) as panel:
        mb = assistant.settings.ui.max_upload_mb
        gr.Markdown(f"上传政策文件（{' '.join(SUPPORTED)}，单个不超过 {mb} MB），"
                    "上传后自动解析并增量更新索引。")
        files = gr.File(label="选择文件", file_count="multiple", file_types=list(SUPPORTED),
                        type="filepath")
        upload_button = gr.Button("上传并更新索引", variant="primary")
        gr.Markdown("---\n从索引中移除文档（语料目录中的原文件不会被删除）。")
        remove_picker = gr.Dropdown(label="要移除的文档", choices=[], value=None)
        confirm = gr.Checkbox(label="确认移除", value=False)
        remove_button = gr.Button("移除文档", variant="stop")
        status = gr.HTML("")

    def do_login(pw: str, _authed: bool) -> tuple[bool, Any, Any, str]:
        if password_ok(pw, assistant.settings.ui.admin_password()):
            return True, gr.update(visible=False), gr.update(visible=True), ""
        return False, gr.update(), gr.update(visible=False), '<p class="pq-warn">密码不正确。</p>'

    login.click(do_login, [password, authed], [authed, login_box, panel, login_msg],
                api_visibility="private")
    password.submit(do_login, [password, authed], [authed, login_box, panel, login_msg],
                    api_visibility="private")

    def on_upload(fs: list[str] | None, ok: bool, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return upload_files(assistant, fs, ok, progress)

    def on_remove(doc_id: str | None, sure: bool, ok: bool,
                  progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return remove_doc(assistant, doc_id, sure, ok, progress)

    uploaded = upload_button.click(on_upload, [files, authed], status, api_visibility="private",
                        concurrency_id="index-write", concurrency_limit=1)
    removed = remove_button.click(on_remove, [remove_picker, confirm, authed], status, api_visibility="private",
                        concurrency_id="index-write", concurrency_limit=1)
    return AdminTab(authed, uploaded, removed, remove_picker, status)
