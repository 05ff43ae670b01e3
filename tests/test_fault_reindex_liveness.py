"""Fault class: answering during a re-index. An upload or removal must not stop questions.

The re-index used to hold the lock every question takes for the whole build (a 21 KB upload
froze answers for 29.6 s). A slow fake embedder makes the build last; a question asked in the
middle must come back within 2 s (a generous liveness bound), answered from the live index.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.build import build_assistant
from index.embed import FakeEmbedder
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, fake_settings, write_corpus

BUILD_SECONDS = 5.0
NEW = "关于新能源的通知\n\n一、目标\n\n到2030年新能源装机达到1000万千瓦。"


class SlowEmbedder(FakeEmbedder):
    """The fake embedder, with passage batches that take `BUILD_SECONDS` once `slow` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.slow = False
        self.building = threading.Event()

    def embed_batch(self, texts: list[str], kind) -> np.ndarray:  # type: ignore[override]
        if kind == "passage" and self.slow:
            self.building.set()
            time.sleep(BUILD_SECONDS)
        return super().embed_batch(texts, kind)


@pytest.fixture()
def setup(tmp_path: Path, settings):
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    embedder = SlowEmbedder()
    qa = build_assistant(fake_settings(settings, tmp_path, corpus), embedder=embedder)
    qa.ensure_index(progress=False)
    assert "30万元" in qa.ask("首次认定的高新技术企业奖励多少?").text  # loaded and serving
    embedder.slow = True
    upload = tmp_path / "new.txt"
    upload.write_text(NEW, encoding="utf-8")
    return qa, embedder, upload


def _in_background(fn, *args) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(fn(*args)), daemon=True)
    thread.start()
    return thread, out


def test_a_question_during_an_upload_returns_within_2_s(setup) -> None:
    qa, embedder, upload = setup
    thread, reports = _in_background(qa.add_files, [upload])
    assert embedder.building.wait(10), "the build never started embedding"
    started = time.monotonic()
    answer = qa.ask("首次认定的高新技术企业奖励多少?")
    assert time.monotonic() - started < 2.0
    assert thread.is_alive()  # the build was still running while the question was answered
    assert "30万元" in answer.text  # from the live index
    thread.join(30)
    assert reports and reports[0].added == ("uploads/new.txt",)
    assert "1000万千瓦" in qa.ask("新能源装机目标是多少?").text  # the new index after the swap


def test_documents_and_search_stay_available_during_a_rebuild(setup) -> None:
    qa, embedder, _upload = setup
    notice = next(d for d in qa.documents() if d.source == "c.txt")
    thread, _ = _in_background(lambda: qa.reindex(rebuild=True))
    assert embedder.building.wait(10)
    started = time.monotonic()
    assert any(d.doc_id == notice.doc_id for d in qa.documents())
    assert qa.search("黄河流域生态保护").hits
    assert time.monotonic() - started < 2.0
    assert thread.is_alive()
    thread.join(60)


def test_two_reindexes_from_one_process_queue_instead_of_failing(setup) -> None:
    qa, embedder, upload = setup
    embedder.slow = False
    first, a = _in_background(qa.add_files, [upload])
    second, b = _in_background(qa.reindex)
    first.join(30)
    second.join(30)
    assert a and b  # both finished with a report: the second waited for the first
