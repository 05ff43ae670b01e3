"""One conversation walked through in real headless Chromium (Debian's /usr/bin/chromium):
ask, follow up, reload, reopen from the list, 👎 with a comment (found in the admin's CSV),
stop a streaming answer, copy as Markdown, the 检索测试 page, a binary .txt refused in Chinese
with nothing left behind, the ledger at 1366×768, and the phone layout.

`policyqa serve` runs over the sample corpus with the `fake` embedder (the walk is about the
page, not about retrieval quality) and a slow sentence pace, so an answer streams long enough
to be stopped. One screenshot per step goes to artifacts/walk/ (git-ignored).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Served, serve
from tests.conftest import CORPUS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PASSWORD = "walk-test-password"
Q1 = "企业首次被认定为高新技术企业，自治区奖励多少？"
Q2 = "那整体迁入的呢？"
LONG = "内政办发〔2018〕84号中，科技成果转移转化部分的责任单位有哪些？"  # a nine-line answer
COMMENT = "没有说明整体迁入企业的奖励金额"
TIMEOUT_MS = 60_000
SHOTS = ARTIFACTS / "walk"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (run `make browser`)")
    root = tmp_path_factory.mktemp("walk")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    env = {"POLICYQA_ADMIN_PASSWORD": PASSWORD, "POLICYQA_EMBEDDING__BACKEND": "fake",
           "POLICYQA_UI__STREAM_PAUSE_S": "0.8"}
    with serve(root, corpus, env=env, timeout_s=300) as running:
        yield running


@pytest.fixture(scope="module")
def page(served: Served) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                      accept_downloads=True)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url.rstrip("/"))
        pg = context.new_page()
        pg.goto(served.url)
        pg.wait_for_selector("#pq-question textarea", timeout=TIMEOUT_MS)
        yield pg
        context.close()
        browser.close()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _bot_rows(page):
    return page.locator("#pq-chat .message-row.bot-row")


def _ask(page, question: str) -> str:
    """Ask and wait for the final answer; returns its text."""
    before = _bot_rows(page).count()
    page.fill("#pq-question textarea", question)
    page.click("#pq-send")
    page.wait_for_function(
        """n => { const r = document.querySelectorAll('#pq-chat .message-row.bot-row');
                  return r.length > n && !r[r.length - 1].innerText.includes('▍')
                         && r[r.length - 1].innerText.includes('来源'); }""",
        arg=before, timeout=TIMEOUT_MS)
    return _bot_rows(page).nth(before).inner_text()


def _chat_text(page) -> str:
    return page.locator("#pq-chat").inner_text()


def test_01_ask_and_follow_up(page):
    first = _ask(page, Q1)
    assert "来源" in first and page.locator("#pq-sources .pq-card").count() > 0
    # the chat has no floating "对话" label over the messages, and no trash icon beside the copy icons
    assert page.locator("#pq-chat [data-testid=block-label]").count() == 0
    assert not page.locator("#pq-chat .top-panel").is_visible()
    _shot(page, "01_ask")
    _ask(page, Q2)
    assert _bot_rows(page).count() == 2
    _shot(page, "02_follow_up")


def test_02_reload_keeps_the_conversation(page):
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#pq-chat .message-row.bot-row').length == 2",
                           timeout=TIMEOUT_MS)
    text = _chat_text(page)
    assert Q1 in text and Q2 in text
    listed = page.locator("#pq-conv-list label")
    assert listed.count() == 1 and Q1[:8] in listed.first.inner_text()
    _shot(page, "03_after_reload")


def test_03_new_conversation_then_open_it_from_the_list(page):
    page.click("#pq-new")
    page.wait_for_function("() => document.querySelectorAll('#pq-chat .message-row').length == 0")
    page.locator("#pq-conv-list label").first.click()
    page.wait_for_function("() => document.querySelectorAll('#pq-chat .message-row.bot-row').length == 2",
                           timeout=TIMEOUT_MS)
    assert Q2 in _chat_text(page)
    _shot(page, "04_opened_from_list")


def test_04_thumbs_down_with_a_comment(page):
    # Gradio labels the thumbs in the browser's language (zh-CN: 踩) or in English
    page.locator('#pq-chat button[aria-label="Dislike"], #pq-chat button[aria-label="踩"]').last.click()
    page.wait_for_selector("#pq-feedback-comment textarea", state="visible", timeout=TIMEOUT_MS)
    page.fill("#pq-feedback-comment textarea", COMMENT)
    page.click("#pq-feedback-send")
    page.wait_for_function("() => document.querySelector('#pq-feedback-note').innerText.includes('说明已记录')",
                           timeout=TIMEOUT_MS)
    _shot(page, "05_feedback")


def test_05_stop_a_streaming_answer(page):
    before = _bot_rows(page).count()
    page.fill("#pq-question textarea", LONG)
    page.click("#pq-send")
    page.wait_for_function(  # the first sentence is out and the answer is still streaming
        """n => { const r = document.querySelectorAll('#pq-chat .message-row.bot-row');
                  return r.length > n && r[n].innerText.includes('▍') && r[n].innerText.length > 10; }""",
        arg=before, timeout=TIMEOUT_MS)
    page.click("#pq-stop")
    page.wait_for_function(
        "n => document.querySelectorAll('#pq-chat .message-row.bot-row')[n].innerText.includes('已停止')",
        arg=before, timeout=TIMEOUT_MS)
    page.wait_for_timeout(3000)  # long enough for the rest of the answer, had it not been stopped
    cut = _bot_rows(page).nth(before).inner_text()
    assert "已停止" in cut and "来源" not in cut and cut.count("责任单位") < 9 and "'text'" not in cut
    _shot(page, "06_stopped")


def test_06_copy_puts_markdown_with_footnotes_on_the_clipboard(page):
    row = _bot_rows(page).first
    row.hover()
    row.locator("xpath=following-sibling::*[1]").locator("button").first.click()  # the answer's copy icon
    copied = ""
    for _ in range(60):  # the copy lands when the browser gets to it (slow on a busy machine)
        copied = page.evaluate("navigator.clipboard.readText()")
        if "[^1]" in copied:
            break
        page.wait_for_timeout(250)
    assert "[^1]" in copied and "\n[^1]: 《" in copied
    for markup in ("<a", "pq-cite", "href", "\\(", "&#"):
        assert markup not in copied, f"{markup!r} on the clipboard: {copied[:200]}"
    _shot(page, "07_copied")


def _admin(page, sub: str) -> None:
    page.get_by_role("tab", name="管理", exact=True).click()
    if page.locator("#pq-admin-password input").is_visible():
        page.fill("#pq-admin-password input", PASSWORD)
        page.click("#pq-admin-login")
        page.wait_for_function("() => document.cookie.includes('pq_admin=')", timeout=TIMEOUT_MS)
    page.get_by_role("tab", name=sub, exact=True).click()


def test_07_the_comment_is_in_the_admin_export(page):
    _admin(page, "反馈")
    page.wait_for_function("c => document.querySelector('#pq-feedback-list').innerText.includes(c)", arg=COMMENT,
                           timeout=TIMEOUT_MS)
    with page.expect_download() as download:
        page.click("#pq-feedback-csv")
    path = Path(download.value.path())
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert any(r[1] == "👎" and r[2] == COMMENT and r[3] == Q2 for r in rows[1:]), rows
    _shot(page, "08_feedback_admin")


def test_08_retrieval_test_page(page):
    _admin(page, "检索测试")
    page.fill("#pq-rt-query textarea", Q1)
    page.click("#pq-rt-run")
    page.wait_for_selector("#pq-hits tbody tr", timeout=TIMEOUT_MS)
    head = page.locator("#pq-hits thead").inner_text()
    assert "融合分" in head and "向量分" in head and "BM25 分" in head
    assert "拒答分数" in page.locator("#pq-refusal-score").inner_text()
    _shot(page, "09_retrieval_test")


def test_09_binary_txt_is_refused_in_chinese_and_leaves_nothing(page, served, tmp_path):
    _admin(page, "文档管理")
    bad = tmp_path / "坏文件.txt"
    bad.write_bytes(bytes(range(256)) * 16)
    page.locator("#pq-upload input[type=file]").set_input_files(str(bad))
    page.wait_for_function("() => document.querySelector('#pq-upload').innerText.includes('坏文件')",
                           timeout=TIMEOUT_MS)
    page.click("#pq-upload-button")
    page.wait_for_selector("#pq-upload-report", timeout=TIMEOUT_MS)
    report = page.locator("#pq-upload-report").inner_text()
    assert "未接受 坏文件.txt：内容是二进制数据" in report and "已加入" not in report
    uploads = served.data_dir / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []
    # a type the index cannot read is refused before it leaves the browser, also in Chinese
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ\x90\x00")
    page.locator("#pq-upload input[type=file]").set_input_files(str(exe))
    page.wait_for_selector("#pq-upload-precheck", timeout=TIMEOUT_MS)
    assert "不支持 .exe" in page.locator("#pq-upload-precheck").inner_text()
    _shot(page, "10_upload_refused")


def test_10_ledger_is_readable_at_1366(page):
    page.get_by_role("tab", name="承诺与目标").first.click()
    page.wait_for_selector("#pq-ledger-table tbody tr", timeout=TIMEOUT_MS)
    width = page.evaluate("window.innerWidth")
    for header in ("内容", "责任单位", "期限"):
        box = page.locator("#pq-ledger-table th", has_text=header).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (header, box, width)
    assert page.evaluate("document.querySelector('#pq-ledger-table').scrollWidth") <= width
    assert page.get_by_role("tab", name="承诺与目标").count() == 1  # one tab, not one inside another
    page.locator("#pq-ledger-table summary").first.click()
    assert page.locator("#pq-ledger-table .pq-ledger-src mark").first.is_visible()
    _shot(page, "11_ledger_1366")


def test_11_phone_shows_sources_right_after_the_chat(page, served):
    context = page.context
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(served.url)
    phone.wait_for_function("() => document.querySelectorAll('#pq-chat .message-row.bot-row').length >= 2",
                            timeout=TIMEOUT_MS)
    chat = phone.locator("#pq-chat").bounding_box()
    ask = phone.locator("#pq-send").bounding_box()
    sources = phone.locator("#pq-src-col").bounding_box()
    options = phone.locator("#pq-persona").bounding_box()
    conversations = phone.locator("#pq-conv-col").bounding_box()
    assert chat and ask and sources and options and conversations
    assert chat["y"] < ask["y"] < sources["y"] < options["y"] < conversations["y"]
    assert sources["y"] - (ask["y"] + ask["height"]) < 160  # only the stop button and a note between
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    phone.screenshot(path=str(SHOTS / "12_phone.png"), full_page=True)
    phone.close()
