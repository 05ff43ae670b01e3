"""An admin upload through the running app's own page, as an administrator makes it.

The admin events are private (no API client can call them), so the load check drives the 管理
tab in headless Chromium (Debian's /usr/bin/chromium through Playwright; nothing is
downloaded): log in with the password from the environment, choose the files, press upload,
and wait for the re-index report. The seconds the upload and re-index took are returned.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DONE_TEXT = "索引已更新"


@dataclass(frozen=True)
class UploadRun:
    """When the upload was pressed and when its re-index report appeared (perf_counter s)."""

    started: float
    finished: float
    report: str
    ok: bool

    @property
    def seconds(self) -> float:
        return self.finished - self.started


def upload_as_admin(url: str, files: list[Path], password_env: str, timeout_s: float = 1800) -> UploadRun:
    """Log in on the 管理 tab of the app at `url`, upload `files`, wait for the re-index."""
    from playwright.sync_api import sync_playwright

    password = os.environ.get(password_env)
    if not password:
        raise ValueError(f"set {password_env} to the admin password the server was started with")
    if not CHROMIUM.exists():
        raise ValueError(f"{CHROMIUM} not found; install Debian's chromium (make browser)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(120_000)  # the page is slow to answer while under load
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_role("tab", name="管理").click()
            page.get_by_label("管理员密码").fill(password)
            page.get_by_role("button", name="登录").click()
            upload = page.get_by_role("button", name="上传并更新索引")
            upload.wait_for(state="visible", timeout=30_000)
            page.locator("input[type=file]").first.set_input_files([str(f) for f in files])
            page.wait_for_timeout(2000)  # the file goes to the server before the button is pressed
            started = time.perf_counter()
            upload.click()
            status = page.locator("li", has_text=DONE_TEXT).or_(page.locator("li", has_text="出错"))
            status.first.wait_for(timeout=timeout_s * 1000)
            finished = time.perf_counter()
            report = status.first.inner_text()
            return UploadRun(started, finished, report, DONE_TEXT in report)
        finally:
            browser.close()
