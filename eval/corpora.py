"""Evaluation corpora: a folder of documents with its questions and, optionally, gold metadata.

A corpus folder follows one convention:

    <corpus>/docs/             the documents
    <corpus>/questions.jsonl   questions in the schema of ../shared/eval/dev.jsonl
    <corpus>/metadata.jsonl    optional gold metadata, one line per file (schema below)

`metadata.jsonl` keys: `file, title, doc_number, issuer, written_date, published_date, doc_type`
(dates ISO or null, `doc_type` a code such as `notice`; see `index.doctypes`).

A corpus set is a YAML file listing corpora, so one `policyqa eval --corpus-set FILE` run
measures several (see `eval/corpora.yaml`):

    corpora:
      - name: policy-mix
        path: ../../shared/corpora/policy-mix      # a folder following the convention
      - name: first
        docs: ../../shared/corpus                  # or the three parts given one by one
        questions: ../../shared/eval/dev.jsonl
        metadata: null

Relative paths are relative to the YAML file's folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from config.errors import EvalError

DOCS, QUESTIONS, METADATA = "docs", "questions.jsonl", "metadata.jsonl"


@dataclass(frozen=True)
class Corpus:
    name: str
    docs: Path
    questions: Path
    metadata: Path | None = None


def corpus_folder(path: Path, name: str | None = None) -> Corpus:
    """A corpus from a folder that follows the convention; errors say what is missing."""
    docs, questions, metadata = path / DOCS, path / QUESTIONS, path / METADATA
    if not docs.is_dir() or not questions.is_file():
        raise EvalError(
            f"{path} is not a corpus folder: it needs {DOCS}/ and {QUESTIONS} "
            f"(and optionally {METADATA}); or pass --dataset FILE --corpus DOCS_DIR")
    return Corpus(name or path.name, docs, questions, metadata if metadata.is_file() else None)


def load_corpus_set(path: Path) -> list[Corpus]:
    """The corpora a YAML corpus-set file lists."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalError(f"cannot read corpus set {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise EvalError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("corpora"), list) or not data["corpora"]:
        raise EvalError(f"{path}: expected a mapping with a non-empty list 'corpora'")
    base = path.parent
    out = []
    for n, entry in enumerate(data["corpora"], 1):
        if not isinstance(entry, dict) or "name" not in entry:
            raise EvalError(f"{path}: corpus {n} needs a 'name'")
        unknown = set(entry) - {"name", "path", "docs", "questions", "metadata"}
        if unknown:
            raise EvalError(f"{path}: corpus {entry['name']}: unknown key(s) {', '.join(sorted(unknown))}; "
                            "valid: name, path, docs, questions, metadata")
        if "path" in entry:
            out.append(corpus_folder((base / entry["path"]).resolve(), str(entry["name"])))
            continue
        if "docs" not in entry or "questions" not in entry:
            raise EvalError(f"{path}: corpus {entry['name']} needs 'path', or 'docs' and 'questions'")
        docs, questions = (base / entry["docs"]).resolve(), (base / entry["questions"]).resolve()
        if not docs.is_dir():
            raise EvalError(f"{path}: corpus {entry['name']}: docs folder {docs} not found")
        if not questions.is_file():
            raise EvalError(f"{path}: corpus {entry['name']}: questions file {questions} not found")
        meta = entry.get("metadata")
        out.append(Corpus(str(entry["name"]), docs, questions, (base / meta).resolve() if meta else None))
    names = [c.name for c in out]
    if len(set(names)) != len(names):
        raise EvalError(f"{path}: corpus names must differ ({', '.join(names)})")
    return out
