"""A bounded load check of the chat UI's answer API, loopback only.

    python -m eval.load_check --url http://127.0.0.1:7860 [--url http://127.0.0.1:7861] --clients 20 --questions 100

N concurrent `gradio_client` clients share the questions of a JSONL file (dev.jsonl by default,
cycled) and call `/ask`; with several `--url`s (replicas serving one index) the clients are
dealt to them in turn. Prints errors, p50/p95/max latency, throughput and how many answers
came back with a stored conversation id; exits 1 on any error. Refuses URLs that are not on
this machine.

With `--admin-upload FILE`, an administrator uploads FILE through the app's 管理 tab once the
load is under way (`--upload-at`, a share of the questions answered), which re-indexes while
the clients keep asking; questions asked during the re-index are then reported beside the
others ("idle"). The server must run with an admin password, given here through the same
environment variable (POLICYQA_ADMIN_PASSWORD by default).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from eval.admin_upload import UploadRun, upload_as_admin

REPO = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = REPO.parent / "shared" / "eval" / "dev.jsonl"
MAX_CLIENTS = 64
MAX_QUESTIONS = 2000
LOOPBACK = ("127.", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Outcome:
    question: str
    seconds: float
    error: str | None = None
    stored: bool = False  # the answer names the conversation the server kept it in
    started: float = 0.0  # perf_counter when the question was sent


def check_loopback(url: str) -> str:
    """The URL, if its host is a loopback address; ValueError otherwise."""
    host = urlparse(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise ValueError(f"--url {url}: only loopback addresses (127.0.0.1, localhost) are allowed")
    return url


def load_questions(path: Path, n: int) -> list[tuple[str, str]]:
    """n (question, persona) pairs from a JSONL file, cycling through it."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not items:
        raise ValueError(f"{path}: no questions")
    return [(items[i % len(items)]["question"], items[i % len(items)].get("persona", "citizen"))
            for i in range(n)]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation."""
    data = sorted(values)
    if not data:
        return float("nan")
    pos = (len(data) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def _worker(url: str, jobs: list[tuple[str, str]], timeout: float,
            done: threading.Semaphore | None = None) -> list[Outcome]:
    from gradio_client import Client

    out: list[Outcome] = []
    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # report, do not crash the whole run
        for _ in jobs:
            if done is not None:
                done.release()
        return [Outcome(q, 0.0, f"connect: {exc}") for q, _ in jobs]
    for question, persona in jobs:
        started = time.perf_counter()
        try:
            result = client.submit(question, persona, api_name="/ask").result(timeout=timeout)
            error = None if isinstance(result, dict) and "answer" in result else f"bad result: {result!r:.200}"
            stored = isinstance(result, dict) and bool(result.get("conversation"))
        except Exception as exc:
            error, stored = f"{type(exc).__name__}: {exc}", False
        out.append(Outcome(question, time.perf_counter() - started, error, stored, started))
        if done is not None:
            done.release()
    return out


def run(url: str | list[str], clients: int, questions: list[tuple[str, str]], timeout: float,
        upload: Callable[[], UploadRun] | None = None, upload_at: float = 0.3
        ) -> tuple[list[Outcome], UploadRun | None]:
    """Split `questions` round-robin over `clients` threads, each with its own client (client i
    talks to URL i mod the number of URLs); run `upload` once `upload_at` of the questions are
    answered, while the rest are asked."""
    urls = [url] if isinstance(url, str) else url
    shares = [questions[i::clients] for i in range(clients)]
    done = threading.Semaphore(0)
    with ThreadPoolExecutor(max_workers=clients + 1) as pool:
        futures = [pool.submit(_worker, urls[i % len(urls)], share, timeout, done)
                   for i, share in enumerate(shares) if share]
        uploaded = None
        if upload is not None:
            for _ in range(int(upload_at * len(questions))):
                done.acquire()
            uploaded = pool.submit(upload).result()
        return [o for f in futures for o in f.result()], uploaded


def _latency_line(label: str, seconds: list[float]) -> str:
    if not seconds:
        return f"{label}: no questions"
    return (f"{label}: p50 {percentile(seconds, 50):.2f}  p95 {percentile(seconds, 95):.2f}  "
            f"max {max(seconds):.2f}  mean {statistics.fmean(seconds):.2f}  (n={len(seconds)})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, action="append",
                   help="the running app, e.g. http://127.0.0.1:7860 (repeat for several replicas)")
    p.add_argument("--clients", type=int, default=20, help=f"concurrent clients (≤ {MAX_CLIENTS})")
    p.add_argument("--questions", type=int, default=100, help=f"questions in total (≤ {MAX_QUESTIONS})")
    p.add_argument("--file", type=Path, default=DEFAULT_QUESTIONS, help="JSONL with question/persona fields")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per question before it counts as an error")
    p.add_argument("--admin-upload", type=Path, action="append", metavar="FILE",
                   help="upload FILE through the 管理 tab during the load (repeat for several files)")
    p.add_argument("--upload-at", type=float, default=0.3,
                   help="start the upload when this share of the questions is answered (default 0.3)")
    p.add_argument("--password-env", default="POLICYQA_ADMIN_PASSWORD",
                   help="variable holding the admin password (as the server's ui.admin_password_env)")
    args = p.parse_args(argv)
    try:
        urls = [check_loopback(u) for u in args.url]
        if not (1 <= args.clients <= MAX_CLIENTS and 1 <= args.questions <= MAX_QUESTIONS):
            raise ValueError(f"--clients must be 1..{MAX_CLIENTS} and --questions 1..{MAX_QUESTIONS}")
        if not 0 <= args.upload_at < 1:
            raise ValueError("--upload-at must be at least 0 and below 1")
        questions = load_questions(args.file, args.questions)
        files = [f.resolve(strict=True) for f in args.admin_upload or []]
    except (ValueError, OSError) as exc:
        print(f"load_check: error: {exc}", file=sys.stderr)
        return 2
    upload = (lambda: upload_as_admin(urls[0], files, args.password_env)) if files else None
    started = time.perf_counter()
    try:
        outcomes, uploaded = run(urls, args.clients, questions, args.timeout, upload, args.upload_at)
    except Exception as exc:  # the admin upload failed (no password, page changed, timeout)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"load_check: error: admin upload failed ({type(exc).__name__}: {first})", file=sys.stderr)
        return 2
    wall = time.perf_counter() - started
    errors = [o for o in outcomes if o.error]
    print(f"{len(outcomes)} questions, {args.clients} clients over {len(urls)} replica(s), {wall:.1f} s wall, "
          f"{len(outcomes) / wall:.2f} questions/s")
    print(f"errors: {len(errors)}; answers stored as conversations: {sum(o.stored for o in outcomes)}")
    for o in errors[:10]:
        print(f"  {o.question[:40]}: {o.error}")
    ok = [o for o in outcomes if not o.error]
    if uploaded is None:
        print(_latency_line("latency s", [o.seconds for o in ok]))
        return 1 if errors else 0
    print(f"admin upload: re-index took {uploaded.seconds:.1f} s; report: {uploaded.report}")
    # A question overlapping the re-index at all counts as asked during it.
    during = [o.seconds for o in ok if o.started < uploaded.finished and o.started + o.seconds > uploaded.started]
    idle = [o.seconds for o in ok if not (o.started < uploaded.finished and o.started + o.seconds > uploaded.started)]
    print(_latency_line("latency s during the re-index", during))
    print(_latency_line("latency s idle (before/after)", idle))
    return 1 if errors or not uploaded.ok else 0


if __name__ == "__main__":
    sys.exit(main())
