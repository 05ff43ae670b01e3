"""The test fake passes the UI's conformance suite (so UI tests run on a faithful stand-in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_assistant import FakeAssistant
from tests.ui_contract import AssistantContract


class TestFakeAssistant(AssistantContract):
    @pytest.fixture
    def assistant(self, settings, tmp_path: Path) -> FakeAssistant:
        return FakeAssistant(settings.with_overrides(paths={"data_dir": tmp_path / "data"}))
