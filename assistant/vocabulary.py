"""Words a question and a policy text use for the same thing (data in `terms.toml`).

`alternatives(term)` lists what a passage may write instead of a question's word: 补贴 for 补助,
高新技术企业 for 高企, 发展改革委 for 发改委. `abbreviations()` are taught to the question
tokenizer so "多少家高企" yields 高企, and `expand(query)` adds the full forms to a BM25 query.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from index.commitments.units import load_unit_table
from index.normalize import normalize

TERMS_FILE = Path(__file__).with_name("terms.toml")


@cache
def _tables() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(alternatives per word, full forms per abbreviation), all normalised."""
    data = tomllib.loads(TERMS_FILE.read_text(encoding="utf-8"))
    alts: dict[str, set[str]] = {}
    for group in data.get("groups", []):
        words = {normalize(w) for w in group}
        for w in words:
            alts.setdefault(w, set()).update(words - {w})
    short: dict[str, set[str]] = {}
    for abbr, full in data.get("abbreviations", {}).items():
        short.setdefault(normalize(abbr), set()).update(normalize(f) for f in full)
    for alias, unit in load_unit_table().aliases.items():  # 发改委 -> 发展改革委, 科学技术厅 -> 科技厅
        if alias != unit:
            short.setdefault(alias, set()).add(unit)
            short.setdefault(unit, set()).add(alias)
    for abbr, full in short.items():
        alts.setdefault(abbr, set()).update(full)
    return ({w: tuple(sorted(a)) for w, a in alts.items()},
            {w: tuple(sorted(f)) for w, f in short.items()})


def alternatives(term: str) -> tuple[str, ...]:
    """Words a text may use instead of `term` (normalised); empty for most words."""
    return _tables()[0].get(term, ())


def abbreviations() -> tuple[str, ...]:
    """Short forms the question tokenizer should keep whole (高企, 规上, 科特派…)."""
    return tuple(_tables()[1])


def expand(query: str) -> str:
    """`query` with the full forms of the abbreviations it uses appended (for BM25)."""
    norm = normalize(query)
    extra = [f for abbr, full in _tables()[1].items() if abbr in norm for f in full if f not in norm]
    return f"{query} {' '.join(dict.fromkeys(extra))}" if extra else query
