"""Metadata accuracy against a corpus's gold `metadata.jsonl`: right/total per field, each miss listed.

A field is scored over the documents whose gold states it; a value we give where the gold has
none is listed as an extra (it does not change right/total, but it is a wrong claim a user
would see). Comparisons ignore what is layout, not content:
- title: whitespace, script (繁/简) and book-title marks;
- 文号: whitespace, script and the bracket style (〔〕 [] 【】 ());
- issuer: the set of organisations (split at 、，；), script and whitespace; annotations in
  brackets such as （會銜） and, when gold lists a second clause after ；, that clause;
- dates: equal ISO dates; type: our type's code (`index.doctypes.type_code`) equals gold's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from config.errors import EvalError
from index.doctypes import type_code
from index.normalize import normalize
from index.types import Document

FIELDS = ("title", "doc_number", "issuer", "written_date", "published_date", "doc_type")


def _squeeze(s: str) -> str:
    return re.sub(r"[\s《》]+", "", normalize(s))


def _number(s: str) -> str:
    s = _squeeze(s)
    return s.translate(str.maketrans("[【(（［]】)）］", "〔〔〔〔〔〕〕〕〕〕"))


def _orgs(s: str) -> frozenset[str]:
    s = re.split(r"[；;]", normalize(s))[0]
    s = re.sub(r"[（(][^()（）]*[)）]", "", s)
    return frozenset(p for p in re.split(r"[\s、，,]+", s) if p)


_SAME: dict[str, Callable[[str, str], bool]] = {
    "title": lambda a, b: _squeeze(a) == _squeeze(b),
    "doc_number": lambda a, b: _number(a) == _number(b),
    "issuer": lambda a, b: _orgs(a) == _orgs(b),
    "written_date": lambda a, b: a == b,
    "published_date": lambda a, b: a == b,
    "doc_type": lambda a, b: a == b,
}


@dataclass
class FieldScore:
    right: int = 0
    total: int = 0
    misses: list[tuple[str, str | None, str]] = field(default_factory=list)  # (file, ours, gold)
    extras: list[tuple[str, str]] = field(default_factory=list)  # (file, ours) where gold states none

    @property
    def share(self) -> float | None:
        return self.right / self.total if self.total else None


def load_gold(path: Path) -> dict[str, dict[str, str | None]]:
    """file → gold fields; errors name the line."""
    gold: dict[str, dict[str, str | None]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if "file" not in row:
            raise EvalError(f"{path}:{n}: missing 'file'")
        gold[row["file"]] = {k: row.get(k) for k in FIELDS}
    return gold


def ours(doc: Document, key: str) -> str | None:
    if key == "doc_type":
        return type_code(doc.doc_type)
    value = getattr(doc, key)
    return str(value) if value else None


def score(documents: Sequence[Document], gold: dict[str, dict[str, str | None]]) -> dict[str, FieldScore]:
    """Per field: right/total over the gold documents that state it, misses and extras."""
    by_source = {d.source: d for d in documents}
    out = {k: FieldScore() for k in FIELDS}
    for file, fields in sorted(gold.items()):
        doc = by_source.get(file)
        for key in FIELDS:
            want, got = fields.get(key), ours(doc, key) if doc else None
            s = out[key]
            if want:
                s.total += 1
                if got is not None and _SAME[key](got, want):
                    s.right += 1
                else:
                    s.misses.append((file, got, want))
            elif got is not None:
                s.extras.append((file, got))
    return out


def report_text(name: str, scores: dict[str, FieldScore]) -> str:
    """A Markdown table of right/total per field, then each miss and extra."""
    lines = [f"metadata ({name}): right / documents that state the field", "",
             "| field | right | total | share |", "|---|---|---|---|"]
    for key, s in scores.items():
        share = "–" if s.share is None else f"{s.share:.3f}"
        lines.append(f"| {key} | {s.right} | {s.total} | {share} |")
    for key, s in scores.items():
        for file, got, want in s.misses:
            lines.append(f"- miss {key}: {file}: ours {got!r}, gold {want!r}")
        for file, got in s.extras:
            lines.append(f"- extra {key}: {file}: ours {got!r}, gold states none")
    return "\n".join(lines)


def as_dict(scores: dict[str, FieldScore]) -> dict[str, dict[str, object]]:
    return {k: {"right": s.right, "total": s.total, "share": s.share,
                "misses": [{"file": f, "ours": o, "gold": g} for f, o, g in s.misses],
                "extras": [{"file": f, "ours": o} for f, o in s.extras]}
            for k, s in scores.items()}
