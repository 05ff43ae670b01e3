"""Word (.docx) files → paragraphs and tables in reading order, with heading styles as hints.

Paragraphs in the Title style are the document's title (a manual line break inside a title is
only layout and is removed); `Heading N` / `标题 N` styles give heading levels. Tables are laid
out by `index.readers.tables`, each cell beside its column header.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from config.errors import IngestError
from index.readers.tables import Cell, table_lines


@dataclass
class DocxText:
    text: str
    heading_hints: list[tuple[str, int]] = field(default_factory=list)
    title_hints: list[str] = field(default_factory=list)


def docx_text(data: bytes) -> DocxText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IngestError(f"cannot open DOCX ({exc.__class__.__name__}); is it a Word 2007+ file?") from None
    out = DocxText("")
    blocks: list[str] = []
    titles: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            style = (para.style.name if para.style is not None else "") or ""
            level = style_level(style)
            text = para.text
            if level is not None:
                text = re.sub(r"\s*\n\s*", "", text).strip()  # a break inside a heading is layout
                if level == 0:
                    titles.append(text)
                else:
                    out.heading_hints.append((text, level))
            text = text.strip()
            if text:
                blocks.append(text)
        elif tag == "tbl":
            lines = table_lines(_grid(Table(child, document)))
            if lines:
                blocks.append("\n".join(lines))
    if titles:
        out.title_hints.append("".join(titles[:1]))
    core_title = (document.core_properties.title or "").strip()
    if core_title:
        out.title_hints.append(core_title)
    out.text = "\n\n".join(blocks)
    if not out.text.strip():
        raise IngestError("DOCX has no text")
    return out


def style_level(style: str) -> int | None:
    """Heading level of a Word style: 'Heading 2' / '标题 2' → 2; 'Title' / '标题' → 0; else None."""
    name = style.strip()
    m = re.match(r"(?:heading|标题)\s*(\d)$", name, re.IGNORECASE)
    if m:
        return int(m.group(1))
    if name.lower() in ("title", "标题"):
        return 0
    return None


def _grid(table) -> list[list[Cell]]:
    rows = []
    for i, row in enumerate(table.rows):
        cells = []
        for cell in row.cells:
            pieces = [p.text.strip() for p in cell.paragraphs if p.text.strip()]
            text = "".join(pieces) if pieces and all(len(p) == 1 for p in pieces) else " ".join(pieces)
            runs = [r for p in cell.paragraphs for r in p.runs if r.text.strip()]
            bold = bool(runs) and all(r.bold for r in runs)
            header = bold or (i == 0 and _repeats_as_header(row))
            cells.append(Cell(text, header=header))
        rows.append(cells)
    return rows


def _repeats_as_header(row) -> bool:
    """The row is marked to repeat at the top of each page: Word's header row."""
    tr_pr = row._tr.trPr
    return tr_pr is not None and any(el.tag.endswith("tblHeader") for el in tr_pr.iterchildren())
