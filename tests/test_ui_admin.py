"""Admin: throttled login, uploads only after login, Chinese refusals that leave nothing behind,
the file list with statuses, removal and re-indexing, and the retrieval test page."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import pytest

from app.ui.admin import AdminContext, act_on_source, login, summary_zh, upload_files
from app.ui.app import build_app, launch_options
from app.ui.conversations import ConversationStore
from app.ui.files import Downloads
from app.ui.library import list_sources
from app.ui.retrieval_test import retrieval_report
from app.ui.throttle import LoginThrottle
from app.ui.upload_gate import COOKIE, UploadGate
from index.ingest import Skipped
from tests.fake_assistant import FakeAssistant

PW = "s3cret"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake(settings, tmp_path: Path, monkeypatch) -> FakeAssistant:
    monkeypatch.setenv(settings.ui.admin_password_env, PW)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return FakeAssistant(settings.with_overrides(paths={"data_dir": tmp_path / "data", "corpus": corpus}))


@pytest.fixture
def ctx(fake: FakeAssistant) -> AdminContext:
    store = ConversationStore.in_folder(fake.settings.paths.data_dir)
    return AdminContext(fake, store, Downloads(), UploadGate())


# ---- login throttle ----------------------------------------------------------------------------


def test_failures_grow_the_wait_then_lock_out_and_success_resets():
    clock = Clock()
    throttle = LoginThrottle(free=2, max_delay_s=60, lockout_after=6, lockout_s=900, clock=clock)
    waits = [throttle.failed("1.2.3.4") for _ in range(5)]
    assert waits == [0, 0, 1, 2, 4]  # two free, then doubling
    assert throttle.failed("1.2.3.4") == 900  # the sixth failure locks the client out
    assert throttle.wait_s("1.2.3.4") == 900 and throttle.wait_s("5.6.7.8") == 0  # per client
    clock.now += 901
    assert throttle.wait_s("1.2.3.4") == 0
    throttle.succeeded("1.2.3.4")
    assert throttle.failed("1.2.3.4") == 0  # the record was cleared


def test_login_refuses_even_the_right_password_while_throttled(ctx: AdminContext, caplog):
    clock = Clock()
    ctx.throttle = LoginThrottle(free=1, lockout_after=3, lockout_s=600, clock=clock)
    assert login(ctx, "wrong", "9.9.9.9")[0] is False
    ok, message, token = login(ctx, "wrong", "9.9.9.9")
    assert not ok and "请 1 秒后再试" in message and token == ""
    ok, message, _ = login(ctx, PW, "9.9.9.9")  # within the wait: not even checked
    assert not ok and "尝试次数过多" in message
    clock.now += 1
    assert login(ctx, "wrong", "9.9.9.9")[1].endswith("请 10 分钟后再试。")  # third failure: locked out
    clock.now += 599
    assert login(ctx, PW, "9.9.9.9")[0] is False
    clock.now += 2
    ok, _message, token = login(ctx, PW, "9.9.9.9")
    assert ok and ctx.gate.valid(token)
    assert "admin login failed from 9.9.9.9" in caplog.text and "refused" in caplog.text


# ---- uploads only after login --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post_file(port: int, cookie: str | None) -> int:
    body = (b"--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n"
            b"Content-Type: text/plain\r\n\r\nhello\r\n--x--\r\n")
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    req = urllib.request.Request(f"http://127.0.0.1:{port}/gradio_api/upload", data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_gradio_upload_route_needs_an_admin_token(fake: FakeAssistant, monkeypatch):
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    app = build_app(fake)
    options = launch_options(fake.settings, app, port=_free_port())
    assert options["max_file_size"] == fake.settings.ui.max_upload_mb * 2**20
    app.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        port = options["server_port"]
        assert _post_file(port, None) == 403
        assert _post_file(port, "made-up-token") == 403
        assert _post_file(port, app.upload_gate.issue()) == 200  # type: ignore[attr-defined]
    finally:
        app.close()


def test_token_expires():
    clock = Clock()
    gate = UploadGate(ttl_s=60, clock=clock)
    token = gate.issue()
    assert gate.valid(token) and not gate.valid("") and not gate.valid(None)
    clock.now += 61
    assert not gate.valid(token)


# ---- uploading ----------------------------------------------------------------------------------


def _gradio_temp(tmp_path: Path, name: str, data: bytes) -> str:
    """A file as Gradio hands it over: in its own temp folder, under the browser's name."""
    folder = tmp_path / "gradio" / name.replace(".", "_")
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    return str(folder / name)


def test_refused_uploads_say_why_in_chinese_and_leave_nothing(ctx: AdminContext, tmp_path: Path):
    files = [_gradio_temp(tmp_path, "二进制.txt", bytes(range(256)) * 8),
             _gradio_temp(tmp_path, "run.exe", b"MZ\x90\x00"),
             _gradio_temp(tmp_path, "empty.md", b""),
             _gradio_temp(tmp_path, "通知.txt", "关于蓝莓补贴的通知\n\n蓝莓每亩补贴99元。".encode())]
    report = upload_files(ctx, files, authed=True)
    assert "二进制.txt：内容是二进制数据" in report and "run.exe：不支持 .exe" in report
    assert "empty.md：文件是空的" in report and "已加入并索引：通知.txt" in report
    assert sorted(p.name for p in ctx.assistant.settings.paths.upload_dir.iterdir()) == ["通知.txt"]
    assert not any(Path(f).exists() for f in files)  # Gradio's temp copies are gone too
    with pytest.raises(gr.Error):
        upload_files(ctx, files, authed=False)


@dataclass
class _Report:
    skipped: tuple
    added: tuple = ()
    documents: int = 3
    chunks: int = 5


def test_a_file_the_build_skips_is_taken_out_again(ctx: AdminContext, tmp_path: Path, monkeypatch):
    def add_files(paths, *, on_progress=None):
        for p in paths:
            (ctx.assistant.settings.paths.upload_dir / Path(p).name).write_bytes(Path(p).read_bytes())
        return _Report(skipped=(Skipped("uploads/长行.txt", "line too long for the chunk limit"),))

    ctx.assistant.settings.paths.upload_dir.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(ctx.assistant, "add_files", add_files)
    report = upload_files(ctx, [_gradio_temp(tmp_path, "长行.txt", "一行".encode() * 10)], authed=True)
    assert "未接受 长行.txt：超过处理限制" in report and "已加入" not in report
    assert list(ctx.assistant.settings.paths.upload_dir.iterdir()) == []


# ---- the file list -----------------------------------------------------------------------------


def test_file_list_shows_status_and_files_can_be_removed_or_reindexed(ctx: AdminContext, tmp_path: Path):
    settings = ctx.assistant.settings
    (settings.paths.corpus / "坏文件.txt").write_bytes(b"\x00\x01\x02" * 100)
    (settings.paths.corpus / "图片.png").write_bytes(b"\x89PNG")
    ctx.assistant.add_files([Path(_gradio_temp(tmp_path, "新.txt", "新通知\n\n内容一。".encode()))])
    by_source = {s.source: s for s in ctx.sources()}
    assert by_source["uploads/新.txt"].status == "indexed"
    assert by_source["坏文件.txt"].status == "skipped" and "二进制" in by_source["坏文件.txt"].reason
    assert by_source["图片.png"].reason == "不支持的文件类型"

    assert "请勾选" in act_on_source(ctx, "uploads/新.txt", "remove", False, True)
    assert "已移出索引" in act_on_source(ctx, "uploads/新.txt", "remove", True, True)
    assert not (settings.paths.upload_dir / "新.txt").exists()
    assert "已排除该文件" in act_on_source(ctx, "坏文件.txt", "remove", True, True)
    assert {s.source: s.status for s in ctx.sources()}["坏文件.txt"] == "excluded"
    assert "仍未索引" in act_on_source(ctx, "坏文件.txt", "reindex", True, True)
    assert {s.source: s.status for s in ctx.sources()}["坏文件.txt"] == "skipped"  # back on the list
    assert "选择一个文件" in act_on_source(ctx, "nope.txt", "reindex", True, True)
    with pytest.raises(gr.Error):
        act_on_source(ctx, "坏文件.txt", "remove", True, False)


def test_last_builds_reasons_are_shown(ctx: AdminContext):
    (ctx.assistant.settings.paths.corpus / "a.txt").write_text("正常的文本", encoding="utf-8")
    ctx.note_report(_Report(skipped=(Skipped("a.txt", "looks like a binary file"),)))
    items = list_sources(ctx.assistant.settings, ctx.assistant.documents(), ctx.skipped)
    assert [(i.source, i.reason[:8]) for i in items] == [("a.txt", "内容是二进制数据")]
    assert summary_zh(_Report(skipped=(), added=("a",))).startswith("新增 1、更新 0")


# ---- the retrieval test page ----------------------------------------------------------------------


def test_retrieval_report_shows_every_score_and_the_refusal_score(fake: FakeAssistant):
    page = retrieval_report(fake, "首次认定的高新技术企业奖励多少？", None, 3, "fused")
    threshold = fake.settings.answer.refusal_threshold
    assert f"（阈值 {threshold:.2f}）" in page and "会尝试作答" in page
    assert page.count("<tr>") == 4 and "融合分" in page and "向量分" in page and "BM25 分" in page
    assert "（第 1）" in page and "<script" not in page
    low = retrieval_report(fake, "火星移民签证", None, 3, "bm25")
    assert "低于阈值，会拒答" in low and "<td>—</td>" in low  # bm25 only: no dense score
    assert "请输入" in retrieval_report(fake, "  ", None, 3, "fused")
    assert "问题无法识别" in retrieval_report(fake, "\ud800", None, 3, "fused")
