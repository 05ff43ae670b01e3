"""`policyqa ask` and `policyqa search` through the composition root (fake embedder, temp corpus)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, write_corpus


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    monkeypatch.setenv("POLICYQA_PATHS__CORPUS", str(corpus))
    monkeypatch.setenv("POLICYQA_PATHS__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICYQA_EMBEDDING__BACKEND", "fake")
    assert main(["index"]) == 0
    return corpus


def test_ask_json_has_the_answer_and_citations_with_file_and_offsets(env: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["ask", "首次认定的高新技术企业奖励多少?", "--json", "--persona", "citizen"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["refused"] is False and "30万元" in data["text"]
    c = data["citations"][0]
    source = (env / c["source"]).read_text(encoding="utf-8")
    assert source[c["start"] : c["end"]] == c["quote"]


def test_ask_refuses_plainly_and_lists_the_closest_passages(env: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["ask", "个人申请发明专利每件资助多少钱?", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["refused"] is True
    assert data["text"].startswith("所提供的文件中没有找到")
    assert data["closest"] and all("source" in h for h in data["closest"])


def test_ask_text_output_names_the_document(env: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["ask", "到2025年研發經費投入占GDP的比重達到多少?"]) == 0
    out = capsys.readouterr().out
    assert "2.2%" in out and "[1] 《康巴什區科技創新規劃》" in out


def test_ask_with_an_unreachable_llm_falls_back_with_a_notice(env: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("POLICYQA_LLM__BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on port 9
    monkeypatch.setenv("POLICYQA_LLM__TIMEOUT_S", "2")
    capsys.readouterr()
    assert main(["ask", "首次认定的高新技术企业奖励多少?", "--llm", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["backend"] == "extractive"
    assert any("抽取式" in n for n in data["notices"])


def test_search_json_goes_through_the_index(env: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["search", "黄河流域 地下水", "--json", "--k", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hits"][0]["source"] == "c.txt"
    assert len(data["hits"]) <= 2


def test_ask_without_an_index_says_how_to_build_one(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POLICYQA_PATHS__DATA_DIR", str(tmp_path / "empty"))
    assert main(["ask", "奖励多少?"]) == 2
    assert "policyqa index" in capsys.readouterr().err


def test_ask_and_search_with_corpus_check_the_index_was_built_from_it(env: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["search", "高新技术企业", "--corpus", str(env), "--k", "1"]) == 0
    other = tmp_path / "other"
    other.mkdir()
    assert main(["ask", "首次认定的高新技术企业奖励多少?", "--corpus", str(other)]) == 2
    err = capsys.readouterr().err
    assert "built from" in err and f"policyqa index {other}" in err
