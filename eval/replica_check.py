"""Two replicas, one index: an upload through one replica's admin tab, seen by the other.

    POLICYQA_ADMIN_PASSWORD=… python -m eval.replica_check --admin-url http://127.0.0.1:7861 \
        --other-url http://127.0.0.1:7862 [--file F --question Q --expect TEXT]

Drives the admin replica's 管理 tab in Debian's headless Chromium (Playwright: log in, upload
in 文档管理, wait for "已加入并索引"), then asks the *other* replica through `/ask` until its answer quotes
the uploaded text. Prints how long the upload took and how long after it the other replica
answered from it (it was never restarted). Loopback URLs only; exits 1 when it never does.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from eval.load_check import check_loopback

DEFAULT_TEXT = ("关于支持氢能产业发展的通知\n\n一、支持措施\n\n"
                "对新建加氢站给予一次性建设补贴每座500万元。\n")


def upload(admin_url: str, password: str, path: Path, timeout_s: float) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(admin_url)
            page.get_by_role("tab", name="管理", exact=True).click()
            page.fill("#pq-admin-password input", password)
            page.click("#pq-admin-login")
            page.wait_for_function("() => document.cookie.includes('pq_admin=')", timeout=timeout_s * 1000)
            page.get_by_role("tab", name="文档管理", exact=True).click()
            page.locator("#pq-upload input[type=file]").set_input_files(str(path))
            page.wait_for_function(f"() => document.querySelector('#pq-upload').innerText.includes({path.name!r})",
                                   timeout=timeout_s * 1000)
            page.click("#pq-upload-button")
            page.wait_for_function("() => (document.querySelector('#pq-upload-report') || {innerText: ''})"
                                   ".innerText.includes('已加入')", timeout=timeout_s * 1000)
        finally:
            browser.close()


def answered_from(url: str, question: str, expect: str) -> bool:
    from gradio_client import Client

    result = Client(url, verbose=False).predict(question, "citizen", api_name="/ask")
    return expect in str(result)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--admin-url", required=True)
    p.add_argument("--other-url", required=True)
    p.add_argument("--file", type=Path, help="file to upload (default: a short made-up notice)")
    p.add_argument("--question", default="新建加氢站补贴多少？")
    p.add_argument("--expect", default="500万元", help="text the other replica's answer must contain")
    p.add_argument("--timeout", type=float, default=600.0)
    args = p.parse_args(argv)
    password = os.environ.get("POLICYQA_ADMIN_PASSWORD")
    if not password:
        print("replica_check: set POLICYQA_ADMIN_PASSWORD to the admin replica's password", file=sys.stderr)
        return 2
    admin, other = check_loopback(args.admin_url), check_loopback(args.other_url)
    if answered_from(other, args.question, args.expect):
        print(f"replica_check: {other} already answers with {args.expect!r}; use another file", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="pqa-replica-") as tmp:
        path = args.file or Path(tmp) / "hydrogen_notice.txt"
        if args.file is None:
            path.write_text(DEFAULT_TEXT, encoding="utf-8")
        t = time.perf_counter()
        upload(admin, password, path, args.timeout)
        uploaded = time.perf_counter() - t
    print(f"uploaded {path.name} through {admin}'s admin tab; index updated in {uploaded:.1f} s")
    t = time.perf_counter()
    while time.perf_counter() - t < 60:
        if answered_from(other, args.question, args.expect):
            print(f"{other} (not restarted) answered from it {time.perf_counter() - t:.1f} s later")
            return 0
        time.sleep(0.5)
    print(f"{other} did not answer from the uploaded file within 60 s")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
