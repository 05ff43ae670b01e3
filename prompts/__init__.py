"""Prompt templates as data: `prompts/NAME.toml`, each with its declared variables.

A file holds either one template (`system` and `user` texts) or one template per persona
(`[personas.NAME] system = …`, sharing the file's `rules` and `user` texts). Placeholders are
`{name}`, as in `str.format`; `{{` and `}}` are literal braces. On load, every template must use
exactly the variables it declares, so a typo in a prompt fails at start-up, not mid-answer.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from config.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent
_FILE_KEYS = {"variables", "system", "user", "rules", "personas"}
_PERSONA_KEYS = {"system", "user"}


@dataclass(frozen=True)
class RenderedPrompt:
    """A template filled in: the system message and the user message."""

    system: str
    user: str


@dataclass(frozen=True)
class PromptTemplate:
    """One prompt: system and user texts with `{variable}` placeholders."""

    name: str
    persona: str | None
    path: Path
    variables: tuple[str, ...]
    system: str
    user: str

    @property
    def where(self) -> str:
        return f"{self.path}" + (f" [personas.{self.persona}]" if self.persona else "")

    def render(self, **values: object) -> RenderedPrompt:
        """Fill in every declared variable; a missing or unknown one is a ConfigError."""
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise ConfigError(f"{self.where}: no value given for variable '{missing[0]}'")
        unknown = sorted(set(values) - set(self.variables))
        if unknown:
            raise ConfigError(
                f"{self.where}: variable '{unknown[0]}' is not declared; "
                f"declared: {', '.join(self.variables)}"
            )
        text = {k: str(v) for k, v in values.items()}
        return RenderedPrompt(self.system.format(**text), self.user.format(**text))


@dataclass(frozen=True)
class PromptSet:
    """The prompts the LLM answerer needs: an answer template per persona (follow-ups are
    resolved before the model is asked, by `assistant.followup`)."""

    answer: Mapping[str, PromptTemplate]

    def answer_for(self, persona: str) -> PromptTemplate:
        if persona not in self.answer:
            raise ConfigError(
                f"unknown persona '{persona}'; valid personas: {', '.join(self.answer)}"
            )
        return self.answer[persona]


def available(directory: Path = PROMPTS_DIR) -> list[str]:
    """Names of the prompt files in `directory`."""
    return sorted(p.stem for p in directory.glob("*.toml"))


def personas_of(name: str, directory: Path = PROMPTS_DIR) -> list[str]:
    """The personas a prompt file defines (empty for a single-template file)."""
    return list(_read(name, directory).get("personas", {}))


def load_prompt(
    name: str, persona: str | None = None, directory: Path = PROMPTS_DIR
) -> PromptTemplate:
    """Load and validate prompt `name` (for `persona`, when the file has per-persona variants)."""
    path = directory / f"{name}.toml"
    data = _read(name, directory)
    variables = data.get("variables")
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise ConfigError(f"{path}: 'variables' must be a list of names, e.g. [\"question\"]")
    personas = data.get("personas")
    if personas is None:
        if persona is not None:
            raise ConfigError(f"{path}: has no per-persona variants; load it without a persona")
        system, user = _text(data, "system", path), _text(data, "user", path)
    else:
        if persona not in personas:
            raise ConfigError(
                f"{path}: no template for persona '{persona}'; valid personas: "
                + ", ".join(personas)
            )
        variant = personas[persona]
        extra = set(variant) - _PERSONA_KEYS
        if extra:
            raise ConfigError(f"{path}: unknown key '{sorted(extra)[0]}' in [personas.{persona}]")
        rules = data.get("rules", "")
        system = _text(variant, "system", path).strip() + ("\n\n" + rules.strip() if rules else "")
        user = variant["user"] if "user" in variant else _text(data, "user", path)
    template = PromptTemplate(name, persona, path, tuple(variables), system.strip(), user.strip())
    _check_variables(template)
    return template


def load_prompt_set(directory: Path = PROMPTS_DIR) -> PromptSet:
    """The answer templates for every persona in `answer.toml`."""
    answer = {p: load_prompt("answer", p, directory) for p in personas_of("answer", directory)}
    return PromptSet(MappingProxyType(answer))


def _read(name: str, directory: Path) -> dict:
    path = directory / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(
            f"prompt '{name}' not found: no file {path}; "
            f"available: {', '.join(available(directory))}"
        )
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise ConfigError(
            f"{path}: unknown key '{sorted(unknown)[0]}'; "
            f"valid keys: {', '.join(sorted(_FILE_KEYS))}"
        )
    return data


def _text(table: dict, key: str, path: Path) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: '{key}' must be a non-empty string")
    return value


def _check_variables(template: PromptTemplate) -> None:
    """The placeholders used must be exactly the declared variables."""
    used: set[str] = set()
    for part in (template.system, template.user):
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(part) if f is not None]
        except ValueError as exc:
            raise ConfigError(
                f"{template.where}: bad placeholder ({exc}); write {{{{ for a literal brace"
            ) from None
        for field in fields:
            if not field.isidentifier():
                raise ConfigError(
                    f"{template.where}: placeholder '{{{field}}}' must be a plain name"
                )
            used.add(field)
    undeclared = sorted(used - set(template.variables))
    if undeclared:
        raise ConfigError(
            f"{template.where}: uses variable '{undeclared[0]}' that is not declared in 'variables'"
        )
    unused = [v for v in template.variables if v not in used]
    if unused:
        raise ConfigError(f"{template.where}: declared variable '{unused[0]}' is never used")
