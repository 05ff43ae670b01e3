"""End to end in real headless Chromium: `policyqa serve` over the sample corpus plus a planted
malicious document, driven by Playwright (Debian's /usr/bin/chromium; never `playwright install`).

Screenshots go to artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest

from index.normalize import detect_script
from tests.browser_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Served, serve
from tests.conftest import CORPUS, DEV

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PWN = "window.__pwned=1"
PLANTED = f"""关于蓝莓种植补贴的测试通知<script>{PWN}</script>

发布日期:2024-03-01

一、补贴标准

蓝莓种植每亩补贴99元<script>{PWN}</script>,由旗县农牧局发放<img src=x onerror="{PWN}">。\
申请人须提交土地承包合同${{{PWN}}}。

二、申请方式

种植户向所在苏木乡镇提出申请,材料齐全的,十个工作日内办结<img src=x onerror="{PWN}">。
"""
ANSWER_TIMEOUT_MS = 180_000


def _dev_item(item_id: str) -> dict:
    for line in DEV.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["id"] == item_id:
            return item
    raise AssertionError(f"{item_id} not in {DEV}")


def _squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`policyqa serve` on a free loopback port over a temp corpus (the real embedder, and no
    index yet: the first build runs while the page is served); stopped afterwards."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (run `make browser`)")
    root = tmp_path_factory.mktemp("e2e")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "zz_planted.txt").write_text(PLANTED, encoding="utf-8")
    with serve(root, corpus) as running:
        yield running


@pytest.fixture(scope="module")
def server(served: Served) -> str:
    return served.url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser: object, url: str, width: int = 1280) -> object:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page.goto(url)
    page.wait_for_selector("#pq-question textarea", timeout=60_000)
    return page


def _ask(page: object, question: str) -> object:
    """Ask and wait for the final answer (the streamed text is replaced by the linked answer)."""
    rows = page.locator("#pq-chat .bot-row")  # type: ignore[attr-defined]
    before = rows.count()
    page.fill("#pq-question textarea", question)  # type: ignore[attr-defined]
    page.click("#pq-send")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        """n => { const r = document.querySelectorAll('#pq-chat .bot-row');
                  return r.length > n && !r[r.length - 1].innerText.includes('▍')
                         && r[r.length - 1].innerText.trim().length > 0; }""",
        arg=before, timeout=ANSWER_TIMEOUT_MS)
    return rows.nth(before)


def _pwned(page: object) -> str:
    return page.evaluate("typeof window.__pwned")  # type: ignore[attr-defined]


def test_page_was_up_and_showed_progress_while_the_first_index_built(served):
    # The server answered /status before the index existed, saying it was building.
    assert served.seen_building, "the page only came up once the index was built"
    assert all(s["ready"] is False for s in served.seen_building)
    assert any("正在首次建立文档索引" in s["message"] for s in served.seen_building)


def test_a_page_opened_once_the_index_is_ready_shows_example_questions(browser, server):
    # The app was built before the first index existed; its example questions come from the
    # documents indexed since, asked about their own particulars.
    page = _open(browser, server)
    page.wait_for_function(  # type: ignore[attr-defined]
        """() => { const c = document.querySelector('#pq-chat');
                   return c && /》(的文号|是哪天印发|是哪个部门发布)/.test(c.innerText); }""", timeout=30_000)
    placeholder = page.get_attribute("#pq-question textarea", "placeholder")  # type: ignore[attr-defined]
    assert placeholder.startswith("例如：")
    page.close()  # type: ignore[attr-defined]


def test_question_from_dev_set_cites_gold_paragraph(browser, server):
    item = _dev_item("D010")
    quote = _squeeze(item["evidence"][0]["quote"])
    page = _open(browser, server)
    message = _ask(page, item["question"])
    links = message.locator("a.pq-cite")
    assert links.count() > 0, f"answer has no citation markers: {message.inner_text()}"
    found = False
    for i in range(links.count()):
        link = links.nth(i)
        card_id = link.get_attribute("href").lstrip("#")
        link.click()
        card = page.locator(f"[id='{card_id}']")
        page.wait_for_function("id => document.getElementById(id)?.classList.contains('pq-active')", arg=card_id)
        assert card.evaluate("e => e.open") is True
        if quote in _squeeze(card.locator(".pq-para").inner_text()):
            found = True
            break
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e_chat_citation.png"), full_page=True)
    assert found, f"no source card holds the gold quote {item['evidence'][0]['quote']!r}"
    page.close()


def test_traditional_question_gets_traditional_answer(browser, server):
    item = _dev_item("D021")
    assert item["script"] == "traditional"
    page = _open(browser, server)
    message = _ask(page, item["question"])
    text = message.inner_text()
    assert detect_script(text) == "traditional", text
    page.close()


def test_planted_document_never_runs_script(browser, server):
    page = _open(browser, server)
    message = _ask(page, "蓝莓种植每亩补贴多少钱？")
    page.wait_for_selector("#pq-sources .pq-card")
    cards = page.locator("#pq-sources .pq-turn:not([hidden]) .pq-card")
    texts = " ".join(cards.nth(i).inner_text() for i in range(cards.count()))
    assert f"<script>{PWN}</script>" in texts, f"planted passage not shown: {message.inner_text()}"
    for ctx in page.locator("#pq-sources .pq-context summary").all():
        ctx.click()  # expand the surrounding text too
    assert _pwned(page) == "undefined"

    page.get_by_role("tab", name="文档").click()
    assert "蓝莓" in page.locator("#pq-doc-table").inner_text()
    page.locator("#pq-doc-picker input").click()
    page.get_by_role("option").filter(has_text="蓝莓").first.click()
    page.wait_for_function("() => document.querySelector('#pq-doc-view').innerText.includes('onerror')")
    assert f'<img src=x onerror="{PWN}">' in page.locator("#pq-doc-view").inner_text()
    assert _pwned(page) == "undefined"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e_documents.png"), full_page=True)
    page.close()


def test_phone_width_layout(browser, server):
    page = _open(browser, server, width=390)
    _ask(page, _dev_item("D005")["question"])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e_phone_390.png"), full_page=True)
    assert overflow <= 0, f"page is {overflow}px wider than a 390px screen"
    page.close()
