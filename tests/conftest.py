"""Shared fixtures. Unit tests never touch the network; the sample corpus lies in ../shared."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DEV = SHARED / "eval" / "dev.jsonl"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """In CI (CI=true) a skipped test is a failure: a missing browser or package must not pass
    silently there, while a developer without Chromium can still run the rest locally."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI", "").lower() == "true" and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI: {report.longrepr}"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Block connections to anything but loopback, so a unit test can never reach the network."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"sample corpus missing at {CORPUS}; clone the repo next to ../shared")
    return CORPUS


@pytest.fixture(scope="session")
def settings():
    from config import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def ingested(corpus_dir: Path, settings):
    from index.ingest import ingest_corpus

    return ingest_corpus(corpus_dir, settings.chunking)
