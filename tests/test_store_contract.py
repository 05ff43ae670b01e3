"""Both index stores pass the same contract (tests/store_contract.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from assistant.build import build_assistant
from config.settings import Settings
from index.build import build_index
from index.embed import FakeEmbedder
from index.store import open_index
from index.stores.local import LocalBackend
from tests.index_helpers import fake_settings
from tests.store_contract import StoreContract


class TestLocalStore(StoreContract):
    racing_builds = 8

    def settings_for(self, base: Settings, tmp_path: Path, corpus: Path) -> Settings:
        return fake_settings(base, tmp_path, corpus).with_overrides(index={"store": "local"})

    def test_retired_generations_go_with_their_last_reader(self, settings: Settings, tmp_path: Path,
                                                           corpus: Path) -> None:
        s = self.settings_for(settings, tmp_path, corpus)
        build_index(s, progress=False)
        reader = open_index(s)
        (corpus / "a.txt").write_text("关于修订的通知\n\n一、总则\n\n本通知自发布之日起施行。", encoding="utf-8")
        build_index(s, progress=False)
        backend = LocalBackend(s.paths.index_dir, s.index)
        gens = sorted(p.name for p in s.paths.index_dir.glob("gen-*"))
        assert len(gens) == 2 and reader.generation in gens  # held by the reader: kept
        assert reader.chunks_of(reader.documents()[0].doc_id)  # and still readable
        reader.close()
        # The last reader removes it in the background (a sweep run here at the same moment
        # would find that sweep holding the lease and leave the folder to it): wait for it.
        deadline = time.monotonic() + 10
        while len(list(s.paths.index_dir.glob("gen-*"))) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [p.name for p in s.paths.index_dir.glob("gen-*")] == [backend.live()]


    def test_a_cli_rebuild_is_seen_by_a_running_server(self, settings: Settings, tmp_path: Path,
                                                       corpus: Path) -> None:
        s = self.settings_for(settings, tmp_path, corpus).with_overrides(index={"reload_check_s": 0.5})
        build_index(s, progress=False)
        server = build_assistant(s, embedder=FakeEmbedder())
        assert server.retrieve("新能源装机")[0].document.source != "d.txt"
        (corpus / "d.txt").write_text("关于新能源的通知\n\n到2030年新能源装机达到1000万千瓦。", encoding="utf-8")
        env = {**os.environ, "POLICYQA_PATHS__CORPUS": str(corpus),
               "POLICYQA_PATHS__DATA_DIR": str(s.paths.data_dir), "POLICYQA_EMBEDDING__BACKEND": "fake"}
        done = subprocess.run([sys.executable, "-m", "app.cli", "index", "--quiet"], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 5  # "within seconds": reload_check_s plus a search
        while server.retrieve("新能源装机")[0].document.source != "d.txt":
            assert time.monotonic() < deadline, "the running server never saw the rebuilt index"
            time.sleep(0.1)


class TestMilvusLiteStore(StoreContract):
    racing_builds = 2  # a Milvus Lite build of three files takes a few seconds

    def settings_for(self, base: Settings, tmp_path: Path, corpus: Path) -> Settings:
        return fake_settings(base, tmp_path, corpus).with_overrides(
            index={"store": "milvus", "uri": str(tmp_path / "milvus.db")})
