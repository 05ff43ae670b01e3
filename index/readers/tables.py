"""Tables as text lines that keep every cell with its column header.

Shared by the HTML and Word readers. A reader turns a table into a grid of cell texts (spans
already expanded, so a merged cell repeats in every row and column it covers) and says which
leading rows are header rows; `table_lines` then writes:

- a key-value table (label cells ending in a colon, each followed by its value cell, as in
  the metadata block of government portals) as one `label：value` line per field, empty
  values included, so a field never swallows the next label;
- a data table with a header row as one line per row, each cell preceded by its column header
  (`类别：基本条件；序号：1；指标：年龄`), so a cell read alone still says what it is;
- any other table as one line per row, cells separated by a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LABEL = re.compile(r"^[^:：]{1,12}[:：]$")
_SPACES = re.compile(r"\s+")
_NUMERIC = re.compile(r"^[\d\s.,%％+\-~～—–/]+$")


@dataclass(frozen=True)
class Cell:
    text: str
    header: bool = False  # a <th>, or every piece of text in it is bold


def table_lines(grid: list[list[Cell]]) -> list[str]:
    """Text lines for a table given as rows of cells (spans expanded)."""
    rows = [row for row in grid if any(c.text.strip() for c in row)]
    if not rows:
        return []
    if _is_key_value(rows):
        return _key_value_lines(rows)
    n_head = _header_rows(rows)
    if n_head == 0 or len(rows) == n_head:
        return [" ".join(_dedupe([c.text.strip() for c in row if c.text.strip()])) for row in rows]
    headers = _column_headers(rows[:n_head])
    out = []
    for row in rows[n_head:]:
        texts = [c.text.strip() for c in row]
        if len({t for t in texts if t}) == 1 and len(texts) > 1:
            out.append(next(t for t in texts if t))  # a row spanning the table: a section label
            continue
        parts: list[str] = []
        for col, text in enumerate(texts):
            if not text or (parts and parts[-1].endswith(text) and col and texts[col - 1] == text):
                continue  # empty, or the same merged cell seen in the previous column
            label = headers[col] if col < len(headers) else ""
            parts.append(f"{label}：{text}" if label and label != text else text)
        out.append("；".join(parts))
    return out


def _dedupe(texts: list[str]) -> list[str]:
    """Cells of one merged cell (repeated across columns) written once."""
    out: list[str] = []
    for t in texts:
        if not out or out[-1] != t:
            out.append(t)
    return out


def _is_key_value(rows: list[list[Cell]]) -> bool:
    labels = sum(1 for row in rows for c in row if _LABEL.match(_squeeze(c.text)))
    cells = sum(1 for row in rows for c in row if c.text.strip())
    return labels >= 2 and labels * 2 >= cells * 0.8


def _key_value_lines(rows: list[list[Cell]]) -> list[str]:
    out = []
    for row in rows:
        cells = _dedupe([c.text.strip() for c in row])
        i = 0
        while i < len(cells):
            text = cells[i]
            if _LABEL.match(_squeeze(text)):
                value = cells[i + 1] if i + 1 < len(cells) and not _LABEL.match(_squeeze(cells[i + 1])) else ""
                out.append(f"{text}{value}")
                i += 2 if value else 1
            else:
                if text:
                    out.append(text)
                i += 1
    return out


def _header_rows(rows: list[list[Cell]]) -> int:
    """How many leading rows are headers: marked (th, bold), else a short, non-numeric first row."""
    marked = 0
    for row in rows:
        filled = [c for c in row if c.text.strip()]
        if filled and all(c.header for c in filled):
            marked += 1
        else:
            break
    if marked:
        return marked
    first = [c.text.strip() for c in rows[0] if c.text.strip()]
    later = [c.text.strip() for row in rows[1:] for c in row if c.text.strip()]
    if (len(rows) >= 3 and len(first) >= 2 and all(len(t) <= 10 and not _NUMERIC.match(t) for t in first)
            and any(_NUMERIC.match(t) or len(t) > 10 for t in later)):
        return 1
    return 0


def _column_headers(header_rows: list[list[Cell]]) -> list[str]:
    width = max(len(r) for r in header_rows)
    out = []
    for col in range(width):
        names = _dedupe([_squeeze(r[col].text) for r in header_rows if col < len(r) and r[col].text.strip()])
        out.append("/".join(names))
    return out


def _squeeze(text: str) -> str:
    """A header or label without the spaces that spread it out (类  别 → 类别)."""
    return _SPACES.sub("", text.replace("\u3000", " "))
