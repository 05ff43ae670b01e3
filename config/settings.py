"""One typed settings object, read from `config/default.toml`, a user file and the environment.

Precedence, lowest first: `config/default.toml` < `--config FILE` < `POLICYQA_*` variables.
Unknown keys are errors naming the key and the file they came from. Secrets are never
settings: a setting names the environment variable that holds them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from config.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = Path(__file__).resolve().parent / "default.toml"
ENV_PREFIX = "POLICYQA_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathSettings(_Section):
    corpus: Path
    data_dir: Path

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"


class ChunkingSettings(_Section):
    max_chars: int = Field(gt=40)
    min_chars: int = Field(ge=0)
    merge_budget: int = Field(gt=0)


class IngestSettings(_Section):
    """Limits on what one source file may cost; a file over a limit is skipped with the reason."""

    max_file_mb: float = Field(default=20, gt=0)
    max_seconds_per_file: float = Field(default=120, gt=0)
    max_office_expanded_mb: float = Field(default=25, gt=0)


class EmbeddingSettings(_Section):
    backend: str
    model: str = ""
    query_prefix: str = ""
    passage_prefix: str = ""
    batch_size: int = Field(gt=0)


class IndexSettings(_Section):
    store: Literal["local", "milvus"] = "local"
    uri: str = ""  # milvus: a file path (Milvus Lite, embedded) or http://host:19530 (a server)
    token_env: str = "POLICYQA_MILVUS_TOKEN"  # names the variable holding the server token
    collection: str = Field(default="policyqa", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
    lexical: Literal["tokenizer", "milvus_bm25"] = "tokenizer"  # milvus: whose BM25
    dense: Literal["flat", "hnsw", "auto"]
    exact_max: int = Field(default=200_000, gt=0)  # auto: exact search up to this many chunks
    hnsw_m: int = Field(gt=1)
    hnsw_ef_construction: int = Field(gt=0)
    hnsw_ef_search: int = Field(gt=0)
    reload_check_s: float = Field(default=2.0, ge=0)  # how often a reader looks for a newer index

    def token(self) -> str | None:
        """The Milvus server token, read from the environment at the moment of use."""
        return os.environ.get(self.token_env) or None

    def milvus_uri(self, data_dir: Path) -> str:
        """Where Milvus lives: `uri`, or Milvus Lite's file in the data folder by default."""
        if not self.uri:
            return str(data_dir / "milvus.db")
        if "://" in self.uri:
            return self.uri
        path = Path(self.uri).expanduser()
        return str(path if path.is_absolute() else (data_dir / path))


class RetrievalSettings(_Section):
    k: int = Field(gt=0)
    candidates: int = Field(gt=0)
    rrf_k: int = Field(ge=0)
    dense_weight: float = Field(ge=0)
    bm25_weight: float = Field(ge=0)
    rerank: bool
    reranker_model: str = ""
    max_query_chars: int = Field(gt=0)


class AnswerSettings(_Section):
    backend: Literal["extractive", "llm"]
    persona: Literal["citizen", "cppcc", "staff"]
    scorer: str = ""  # a scorer file written by `python -m eval.fit_scorer`; empty: the packaged one
    max_citations: int = Field(gt=0)
    max_question_chars: int = Field(default=1000, gt=0)  # longer questions are cut, with a notice
    max_question_parts: int = Field(default=4, gt=0)  # parts of one question retrieved separately


class LLMSettings(_Section):
    base_url: str
    model: str
    api_key_env: str
    timeout_s: float = Field(gt=0)
    temperature: float = Field(ge=0)
    max_retries: int = Field(default=1, ge=0)  # retries before falling back to extractive
    deadline_s: float = Field(default=90.0, gt=0)  # the whole reply, however slowly it drips
    max_output_chars: int = Field(default=4000, gt=0)  # a longer reply is cut off: fallback

    def api_key(self) -> str | None:
        """The key, read from the environment at the moment of use (never stored)."""
        return os.environ.get(self.api_key_env) or None


class UISettings(_Section):
    host: str
    port: int = Field(gt=0, lt=65536)
    max_upload_mb: int = Field(gt=0)
    admin_password_env: str
    stream_pause_s: float = Field(default=0.15, ge=0, le=5)  # pause between streamed sentences
    # Example questions shown in the empty chat (clicking one asks it); None: made from the
    # indexed documents (app.ui.chat_tab.document_examples).
    examples: tuple[str, ...] | None = None

    def admin_password(self) -> str | None:
        return os.environ.get(self.admin_password_env) or None


class Settings(BaseSettings):
    """Every setting policyqa reads. Build it with `load_settings`."""

    model_config = SettingsConfigDict(
        extra="forbid", frozen=True, env_prefix=ENV_PREFIX, env_nested_delimiter="__"
    )

    paths: PathSettings
    chunking: ChunkingSettings
    ingest: IngestSettings = IngestSettings()
    embedding: EmbeddingSettings
    index: IndexSettings
    retrieval: RetrievalSettings
    answer: AnswerSettings
    llm: LLMSettings
    ui: UISettings

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment variables win over the merged files passed as init arguments.
        return (env_settings, init_settings)

    def with_overrides(self, **sections: dict[str, Any]) -> Settings:
        """A copy with some fields replaced, e.g. `with_overrides(paths={"corpus": p})`."""
        data = self.model_dump()
        for section, values in sections.items():
            data[section].update(values)
        return Settings.model_validate(data)

    def shown(self) -> dict[str, Any]:
        """The effective settings as plain data, with secrets reported only as set or unset."""
        data = self.model_dump(mode="json")
        data["llm"]["api_key"] = _mask(self.llm.api_key())
        data["ui"]["admin_password"] = _mask(self.ui.admin_password())
        data["index"]["token"] = _mask(self.index.token())
        return data


def _mask(secret: str | None) -> str:
    return "(not set)" if not secret else "****** (set)"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or drop --config") from None


def _check_keys(data: dict[str, Any], origin: str) -> None:
    """Reject keys the schema does not know, naming the key and where it came from."""
    sections = Settings.model_fields
    for section, values in data.items():
        if section not in sections:
            valid = ", ".join(sections)
            raise ConfigError(f"{origin}: unknown section [{section}]; valid sections: {valid}")
        model = sections[section].annotation
        if not isinstance(values, dict):
            raise ConfigError(f"{origin}: [{section}] must be a table of settings")
        known = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
        for key in values:
            if key not in known:
                raise ConfigError(
                    f"{origin}: unknown key '{section}.{key}'; valid keys in [{section}]: "
                    + ", ".join(known)
                )


def _resolve_paths(data: dict[str, Any], base: Path) -> None:
    paths = data.get("paths", {})
    for key, value in list(paths.items()):
        p = Path(str(value)).expanduser()
        paths[key] = p if p.is_absolute() else (base / p).resolve()


def _check_env(environ: dict[str, str], secret_names: set[str]) -> None:
    for name in environ:
        if not name.startswith(ENV_PREFIX) or name in secret_names:
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        if len(parts) != 2:
            raise ConfigError(
                f"environment variable {name}: expected {ENV_PREFIX}SECTION__KEY "
                f"(e.g. {ENV_PREFIX}RETRIEVAL__K=5)"
            )
        _check_keys({parts[0]: {parts[1]: None}}, f"environment variable {name}")


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for section, values in top.items():
        out.setdefault(section, {}).update(values)
    return out


def load_settings(config_file: Path | None = None) -> Settings:
    """Read the default file, then `config_file`, then `POLICYQA_*` environment variables."""
    data = _read_toml(DEFAULT_FILE)
    _check_keys(data, str(DEFAULT_FILE))
    _resolve_paths(data, REPO_ROOT)
    if config_file is not None:
        user = _read_toml(config_file)
        _check_keys(user, str(config_file))
        _resolve_paths(user, config_file.resolve().parent)
        data = _merge(data, user)
    secrets = {data["llm"]["api_key_env"], data["ui"]["admin_password_env"],
               data.get("index", {}).get("token_env", IndexSettings.model_fields["token_env"].default)}
    _check_env(dict(os.environ), secrets)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"setting '{where}': {err['msg']} (got {err.get('input')!r})") from None
    # Paths given as relative environment values are relative to the working directory.
    return settings.with_overrides(
        paths={k: Path(v).resolve() for k, v in settings.paths.model_dump().items()}
    )
