"""The `policyqa` command line. Thin: each subcommand lives in `assistant/commands/`."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from config import PolicyQAError, Settings, load_settings

# Subcommand name -> module in app.commands exposing `add_parser(subparsers)` and `run(args, settings)`.
COMMANDS: dict[str, str] = {
    "ingest": "app.commands.ingest",
    "config": "app.commands.config_cmd",
    "eval": "app.commands.eval_cmd",
    "index": "app.commands.index_cmd",
    "search": "app.commands.search",
    "ask": "app.commands.ask",
    "commitments": "app.commands.commitments",
    "serve": "app.commands.serve",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policyqa",
        description="Question answering over Chinese government policy documents, "
        "with every answer cited to its source paragraph.",
        epilog="Run `policyqa COMMAND --help` for a command's options.",
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE",
        help="TOML file overriding config/default.toml (POLICYQA_SECTION__KEY variables override both)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS.values():
        importlib.import_module(module_name).add_parser(sub)
    return parser


def add_corpus_option(parser: argparse.ArgumentParser) -> None:
    """The `--corpus DIR` option every command that reads the corpus takes."""
    parser.add_argument(
        "--corpus", type=Path, metavar="DIR",
        help="folder of source documents (default: paths.corpus in the settings)",
    )


def add_indexed_corpus_option(parser: argparse.ArgumentParser) -> None:
    """`--corpus DIR` for commands that read the index: it must have been built from DIR."""
    parser.add_argument(
        "--corpus", type=Path, metavar="DIR",
        help="answer from the index of this folder of source documents; it must have been built "
             "from it (`policyqa index DIR`); default: whatever the index was built from",
    )


def require_indexed_corpus(args: argparse.Namespace, settings: Settings) -> None:
    """With --corpus DIR, fail clearly unless the live index was built from DIR."""
    if getattr(args, "corpus", None) is None:
        return
    from config.errors import IndexMismatchError
    from index.store import indexed_corpus

    built_from = indexed_corpus(settings)
    wanted = Path(args.corpus).resolve()
    if built_from is not None and Path(built_from).resolve() != wanted:
        raise IndexMismatchError(
            f"the index in {settings.paths.index_dir} was built from {built_from}, not {wanted}; "
            f"run `policyqa index {args.corpus}` first")


def settings_for(args: argparse.Namespace) -> Settings:
    """Settings from --config and the environment, with --corpus applied when given."""
    settings = load_settings(args.config)
    corpus = getattr(args, "corpus", None)
    if isinstance(corpus, str | Path):  # `eval` takes several corpora and sets each itself
        settings = settings.with_overrides(paths={"corpus": Path(corpus).resolve()})
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command])
    try:
        settings = settings_for(args)
        return int(module.run(args, settings) or 0)
    except PolicyQAError as exc:
        print(f"policyqa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("policyqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
