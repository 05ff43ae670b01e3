"""Starting `policyqa serve` for the browser tests: a free loopback port, a temp data folder, the
server's own `/status` endpoint polled until the index can answer, and a clean stop."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def status(url: str) -> dict | None:
    """The server's /status answer ({"ready", "message", ...}), or None when it is not up."""
    base = f"{url}gradio_api/call/status"
    try:
        req = urllib.request.Request(base, data=b'{"data": []}', headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            event_id = json.loads(resp.read())["event_id"]
        with urllib.request.urlopen(f"{base}/{event_id}", timeout=10) as resp:
            lines = resp.read().decode("utf-8").splitlines()
    except OSError:
        return None
    data = [json.loads(line[6:]) for line in lines if line.startswith("data: ")]
    return data[-1][0] if data and isinstance(data[-1], list) else None


@dataclass
class Served:
    url: str
    data_dir: Path
    log: Path
    seen_building: list[dict] = field(default_factory=list)  # /status answers before it was ready


@contextmanager
def serve(root: Path, corpus: Path, *, env: dict[str, str] | None = None, timeout_s: float = 900) -> Iterator[Served]:
    """`policyqa serve` over `corpus` with data in `root/data`; yields once it can answer."""
    port = free_port()
    full_env = {**os.environ, "POLICYQA_PATHS__DATA_DIR": str(root / "data"), "GRADIO_ANALYTICS_ENABLED": "False",
                **(env or {})}
    if "POLICYQA_ADMIN_PASSWORD" not in (env or {}):
        full_env.pop("POLICYQA_ADMIN_PASSWORD", None)
    log_path = root / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--corpus", str(corpus), "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )
    served = Served(f"http://127.0.0.1:{port}/", root / "data", log_path)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            answer = status(served.url)
            if answer is not None and answer.get("ready"):
                break
            if answer is not None:
                served.seen_building.append(answer)
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready within {timeout_s} s")
            time.sleep(1)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
