"""The first index build runs beside the page: progress is shown, questions wait, errors are said."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.ui.app import build_app
from app.ui.readiness import Readiness
from config.errors import IngestError
from tests.fake_assistant import FakeAssistant


class SlowFirstBuild(FakeAssistant):
    """A fake whose first build reports progress and then waits for the test to release it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()
        self.reported = threading.Event()
        self.fail = False

    def ensure_index(self, *, progress: bool = True, on_progress=None):
        if on_progress:
            on_progress(40, 160)
        self.reported.set()
        self.release.wait(10)
        if self.fail:
            raise IngestError("corpus folder not found: /nowhere")
        return None


@pytest.fixture
def slow(settings, tmp_path: Path) -> SlowFirstBuild:
    return SlowFirstBuild(settings.with_overrides(paths={"data_dir": tmp_path / "data"}))


def test_progress_then_ready(slow: SlowFirstBuild):
    warmed = threading.Event()
    state = Readiness.build(slow, then=warmed.set)
    assert slow.reported.wait(5)
    assert not state.is_ready and "已处理 40/160 个段落（25%" in state.message()
    app = build_app(slow, readiness=state)  # the page can be built (and served) meanwhile
    assert app is not None
    slow.release.set()
    assert state.wait(5) and state.is_ready and state.message() == "" and warmed.wait(5)


def test_a_failed_build_is_reported_not_raised(slow: SlowFirstBuild):
    slow.fail = True
    slow.release.set()
    state = Readiness.build(slow)
    assert state.wait(5) and not state.is_ready
    assert "建立索引失败" in state.message() and "/nowhere" in state.message()
