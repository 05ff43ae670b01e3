"""The command line: help text, one-line errors, config show, ingest output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import COMMANDS, main


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_help_lists_every_command() -> None:
    out = run_cli("--help").stdout
    for name in COMMANDS:
        assert name in out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_has_help(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: policyqa" in capsys.readouterr().out


def test_config_show_masks_secrets(monkeypatch, capsys) -> None:
    monkeypatch.setenv("POLICYQA_LLM_API_KEY", "sk-secret-value")
    assert main(["config", "show", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["llm"]["api_key"] == "****** (set)"
    assert data["retrieval"]["k"] == 10


def test_errors_are_one_line_and_nonzero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[nope]\n", encoding="utf-8")
    proc = run_cli("--config", str(bad), "config", "show")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("policyqa: error:") and "Traceback" not in proc.stderr


def test_ingest_json_reports_documents_and_skips(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.txt").write_text("关于测试的通知\n\n发布日期:2024-05-06\n\n一、要求\n\n认真落实。", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    assert main(["ingest", "--corpus", str(tmp_path), "--json", "--tree"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"][0]["title"] == "关于测试的通知"
    assert data["documents"][0]["published_date"] == "2024-05-06"
    assert data["documents"][0]["outline"] == [{"depth": 1, "heading": "一、要求"}]
    assert data["skipped"] == [{"file": "b.txt", "reason": "empty file"}]


def test_ingest_of_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    proc = run_cli("ingest", "--corpus", str(tmp_path / "missing"))
    assert proc.returncode == 2
    assert "corpus folder not found" in proc.stderr
