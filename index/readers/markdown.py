"""Markdown → plain text: headings become heading hints, inline markup and comments go.

`# 标题` lines give the document title (level 1, when it is the first heading) and heading
levels; emphasis, links and images are reduced to their text; HTML comments, which some
collections use as markers (`<!-- INFO END -->`), are dropped; pipe tables are laid out by
`index.readers.tables`, each cell with its column header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.readers.tables import Cell, table_lines

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass
class MarkdownText:
    text: str
    heading_hints: list[tuple[str, int]] = field(default_factory=list)
    title_hints: list[str] = field(default_factory=list)


def markdown_text(source: str) -> MarkdownText:
    source = re.sub(r"<!--.*?-->", "", source, flags=re.DOTALL)
    out = MarkdownText("")
    lines: list[str] = []
    raw = source.splitlines()
    i = 0
    fenced = False
    while i < len(raw):
        line = raw[i]
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            i += 1
            continue
        if fenced:
            lines.append(line)
            i += 1
            continue
        if "|" in line and i + 1 < len(raw) and _TABLE_RULE.match(raw[i + 1]):
            rows = [_cells(line, header=True)]
            i += 2
            while i < len(raw) and "|" in raw[i] and raw[i].strip():
                rows.append(_cells(raw[i], header=False))
                i += 1
            lines.extend(table_lines(rows))
            continue
        m = _HEADING.match(line)
        if m:
            text = _inline(m.group(2))
            level = len(m.group(1))
            if level == 1 and not out.title_hints:
                out.title_hints.append(text)
            else:
                out.heading_hints.append((text, level))
            lines.append(text)
        else:
            lines.append(_inline(re.sub(r"^\s{0,3}>\s?", "", line)))
        i += 1
    out.text = "\n".join(lines).strip("\n")
    return out


def _inline(text: str) -> str:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])", r"\1", text)
    return re.sub(r"`([^`]+)`", r"\1", text)


def _cells(line: str, *, header: bool) -> list[Cell]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [Cell(_inline(c.strip()), header=header) for c in body.split("|")]
