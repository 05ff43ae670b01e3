"""Evaluation datasets in the dev.jsonl schema, with every evidence quote located in its file.

Schema, one JSON object per line:
`id, persona, question, script, answerable, gold_answer, evidence[{file, quote}], type`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from config.errors import EvalError, IngestError
from index.load import read_file
from index.normalize import squeeze

REQUIRED = ("id", "persona", "question", "script", "answerable", "gold_answer", "evidence", "type")


@dataclass(frozen=True)
class Evidence:
    file: str
    quote: str
    spans: tuple[tuple[int, int], ...]  # every place the quote occurs in the file's text


@dataclass(frozen=True)
class EvalItem:
    id: str
    persona: str
    question: str
    script: str
    answerable: bool
    gold_answer: str
    type: str
    evidence: tuple[Evidence, ...]


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """True when the half-open spans [a_start, a_end) and [b_start, b_end) share a character."""
    return a_start < b_end and b_start < a_end


def locate(text: str, quote: str) -> list[tuple[int, int]]:
    """All spans of `quote` in `text`: exact matches, else matches ignoring whitespace."""
    spans = [(m.start(), m.start() + len(quote)) for m in re.finditer(re.escape(quote), text)]
    if spans or not quote.strip():
        return spans
    flat, index = squeeze(text)
    needle, _ = squeeze(quote)
    out, pos = [], flat.find(needle)
    while pos >= 0 and needle:
        out.append((index[pos], index[pos + len(needle) - 1] + 1))
        pos = flat.find(needle, pos + 1)
    return out


def load_dataset(path: Path, corpus: Path) -> list[EvalItem]:
    """Read a JSON Lines dataset and locate each evidence quote in `corpus`.

    Quotes are located in the text the reader makes of each file (`index.load.read_file`),
    which is the text every chunk and citation offset refers to, whatever the format.

    Raises EvalError naming the line or question id for a malformed row, a missing file or a
    quote that cannot be found.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalError(f"cannot read dataset {path}: {exc.strerror}") from None
    texts: dict[str, str] = {}
    items: list[EvalItem] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
        missing = [k for k in REQUIRED if k not in row]
        if missing:
            rid = row.get("id", f"line {lineno}")
            raise EvalError(f"{path}:{lineno} ({rid}): missing field(s) {', '.join(missing)}")
        evidence = []
        for ev in row["evidence"] or []:
            file, quote = ev.get("file"), ev.get("quote")
            if not file or not quote:
                raise EvalError(f"{path}: question {row['id']}: evidence needs 'file' and 'quote'")
            if file not in texts:
                fp = corpus / file
                if not fp.is_file():
                    raise EvalError(f"question {row['id']}: evidence file {file} not in {corpus}")
                try:
                    # The reader's text: the same string chunk and citation offsets point into.
                    texts[file] = read_file(fp).text
                except IngestError as exc:
                    raise EvalError(f"question {row['id']}: evidence file {file} cannot be read: {exc}") from None
            spans = locate(texts[file], quote)
            if not spans:
                raise EvalError(
                    f"question {row['id']}: evidence quote not found in {file}: {quote[:40]!r}"
                )
            evidence.append(Evidence(file, quote, tuple(spans)))
        items.append(
            EvalItem(
                id=str(row["id"]), persona=row["persona"], question=row["question"],
                script=row["script"], answerable=bool(row["answerable"]),
                gold_answer=row["gold_answer"], type=row["type"], evidence=tuple(evidence),
            )
        )
    return items
