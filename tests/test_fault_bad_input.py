"""Fault class: bad input to the engine API and the CLI. A clear one-line error, never a traceback.

The engine raises QueryError naming what is wrong (a question that is not text, holds a lone
UTF-16 surrogate, a malformed history); the CLI prints every error as one line, files it
cannot read or write included, and keeps a traceback for `--traceback`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from assistant.build import build_assistant
from config.errors import QueryError
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, fake_settings, write_corpus

SURROGATE = "\ud800"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, settings):
    tmp = tmp_path_factory.mktemp("bad-input")
    corpus = write_corpus(tmp / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    qa = build_assistant(fake_settings(settings, tmp, corpus))
    qa.ensure_index(progress=False)
    return qa


@pytest.mark.parametrize(("question", "says"), [
    (123, "必须是文本"), (None, "必须是文本"), (b"\xe5\xa5\x96", "必须是文本"),
    (["奖励多少?"], "必须是文本"), (f"奖励{SURROGATE}多少?", r"位置3，U\+D800"), ("\udcff", "无法识别的字符"),
])
def test_unusable_questions_are_query_errors_that_say_why(assistant, question: object, says: str) -> None:
    with pytest.raises(QueryError, match=says):
        assistant.ask(question)  # type: ignore[arg-type]


@pytest.mark.parametrize("history", ["上一问", [("只有一项",)], [(1, 2)], [("问", f"答{SURROGATE}")], 5])
def test_a_malformed_history_is_a_query_error(assistant, history: object) -> None:
    with pytest.raises(QueryError, match="对话历史"):
        assistant.ask("那康巴什呢？", history=history)  # type: ignore[arg-type]


def test_filters_of_the_wrong_type_are_a_query_error(assistant) -> None:
    with pytest.raises(QueryError, match="Filters"):
        assistant.ask("奖励多少?", filters={"doc_ids": ["x"]})  # type: ignore[arg-type]


def test_control_characters_in_a_question_are_ignored(assistant) -> None:
    answer = assistant.ask("首次认定的\x00高新技术企业\x1b奖励多少?")
    assert "30万元" in answer.text and "\x00" not in answer.question


def test_search_rejects_a_lone_surrogate_too(assistant) -> None:
    with pytest.raises(QueryError, match="检索词"):
        assistant.search(f"奖励{SURROGATE}")


@pytest.fixture()
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "b.txt": PLAN_B})
    monkeypatch.setenv("POLICYQA_PATHS__CORPUS", str(corpus))
    monkeypatch.setenv("POLICYQA_PATHS__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICYQA_EMBEDDING__BACKEND", "fake")
    assert main(["index", "--quiet"]) == 0
    return tmp_path


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err and err.startswith("policyqa: ")
    return err


@pytest.mark.parametrize("argv", [
    ["ask", f"奖励{SURROGATE}多少"], ["search", f"{SURROGATE}"], ["ask", "\udced\udca0\udc80"],
])
def test_the_cli_prints_one_line_for_a_bad_question(cli_env: Path, capsys, argv: list[str]) -> None:
    capsys.readouterr()
    assert main(argv) == 2
    assert "无法识别的字符" in _one_line_error(capsys)


def test_the_cli_prints_one_line_for_a_file_it_cannot_write(cli_env: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["commitments", "--csv", str(cli_env / "missing" / "out.csv")]) == 2
    assert "missing/out.csv" in _one_line_error(capsys)


def test_an_unexpected_error_is_one_line_and_traceback_shows_it(cli_env: Path, capsys, monkeypatch) -> None:
    import app.commands.search as search_cmd

    def broken(args: object, settings: object) -> int:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(search_cmd, "run", broken)
    capsys.readouterr()
    assert main(["search", "奖励"]) == 1
    assert "internal error (ZeroDivisionError" in _one_line_error(capsys)
    with pytest.raises(ZeroDivisionError):
        main(["--traceback", "search", "奖励"])
