"""The real `Assistant` passes the UI's conformance suite, over a tiny corpus and the fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import Assistant, build_assistant
from tests.handmade import PLAN_TEXT, REPLY_TEXT
from tests.index_helpers import POLICY_A, fake_settings, write_corpus
from tests.ui_contract import AssistantContract


class TestRealAssistant(AssistantContract):
    @pytest.fixture
    def assistant(self, settings, tmp_path: Path) -> Assistant:
        corpus = write_corpus(tmp_path / "corpus", {"reply.txt": REPLY_TEXT, "plan.txt": PLAN_TEXT,
                                                    "policy.txt": POLICY_A})
        real = build_assistant(fake_settings(settings, tmp_path, corpus))
        real.ensure_index(progress=False)
        return real
