"""Prompt templates: declared variables, rendering, and clear errors."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.settings import AnswerSettings
from prompts import available, load_prompt, load_prompt_set, personas_of


def _templates() -> list[tuple[str, str | None]]:
    return [(name, p) for name in available() for p in (personas_of(name) or [None])]


@pytest.mark.parametrize(("name", "persona"), _templates())
def test_every_template_renders_with_its_declared_variables(name: str, persona: str | None) -> None:
    template = load_prompt(name, persona)
    values = {v: f"<<{v}-value>>" for v in template.variables}
    rendered = template.render(**values)
    both = rendered.system + rendered.user
    for value in values.values():
        assert value in both
    assert "{" not in both.replace("{{", "")  # no placeholder left unfilled


@pytest.mark.parametrize(("name", "persona"), _templates())
def test_every_template_fails_on_a_missing_variable(name: str, persona: str | None) -> None:
    template = load_prompt(name, persona)
    values = {v: "x" for v in template.variables[1:]}
    with pytest.raises(ConfigError, match=f"{name}.toml.*'{template.variables[0]}'"):
        template.render(**values)


def test_an_undeclared_value_is_rejected() -> None:
    template = load_prompt("answer", "citizen")
    values = {v: "x" for v in template.variables}
    with pytest.raises(ConfigError, match="'extra' is not declared"):
        template.render(**values, extra="e")


def test_answer_personas_match_the_settings() -> None:
    allowed = set(typing.get_args(AnswerSettings.model_fields["persona"].annotation))
    assert set(personas_of("answer")) == allowed
    prompts = load_prompt_set()
    systems = {prompts.answer_for(p).system for p in allowed}
    assert len(systems) == len(allowed)  # each persona has its own instructions


def test_answer_prompt_states_the_rules() -> None:
    rendered = load_prompt("answer", "citizen").render(
        question="Q", passages="P", script="繁體中文", history="（无）"
    )
    assert "所提供的文件中没有找到" in rendered.system
    assert "[1][3]" in rendered.system  # how to mark sentences
    assert "繁體中文" in rendered.system and "繁體中文" in rendered.user


def test_a_template_using_an_undeclared_variable_names_file_and_variable(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        'variables = ["question"]\nsystem = "你好"\nuser = "{question}{context}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"bad\.toml.*'context'"):
        load_prompt("bad", directory=tmp_path)


def test_a_declared_but_unused_variable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        'variables = ["question", "passages"]\nsystem = "你好"\nuser = "{question}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"bad\.toml.*'passages' is never used"):
        load_prompt("bad", directory=tmp_path)


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match=r"available: .*answer"):
        load_prompt("nope")
    with pytest.raises(ConfigError, match="valid personas: citizen, cppcc, staff"):
        load_prompt("answer", "tourist")
    with pytest.raises(ConfigError, match="valid personas"):
        load_prompt_set().answer_for("tourist")
