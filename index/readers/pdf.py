"""PDF text layer → paragraphs: hard line wraps joined, page numbers and running heads dropped.

A PDF's text layer has a line break at every printed line end. A line is a wrapped line when
it reaches (nearly) the width of the page's text and does not end a sentence, and the next
line does not open a heading or list item; such lines are joined back into one paragraph
(Chinese runs join directly, Latin words with a space). Page numbers and lines repeated at the
top or bottom of most pages (running heads and feet) are dropped.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter

from config.errors import IngestError
from index.fields import starts_with_label
from index.normalize import normalize

_PAGE_NUMBER = re.compile(
    r"^[-—–\s]*(?:\d{1,4}|[ivxlcdm]{1,6})[-—–\s]*$|^第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?$"
    r"|^\d+\s*/\s*\d+$|^page\s+\d+(?:\s+of\s+\d+)?$",
    re.IGNORECASE,
)
_ENDS_SENTENCE = re.compile(r"[。！？!?；;：:…”’」』）)]$")
_OPENS_ITEM = re.compile(
    r"^(?:第\s*[一二三四五六七八九十百零〇\d]+\s*[编編章节節条條款]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d{1,2}[.．、]\D|[①-⑳]|[•·●■◆▪-]\s)"
)


def pdf_text(data: bytes) -> tuple[str, str | None]:
    """The document's text with wraps joined, and the PDF's Title metadata (or None)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "").splitlines() for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
        raise IngestError(f"cannot parse PDF ({exc.__class__.__name__}: {exc}); is it truncated?") from None
    pages = _drop_running_lines(pages)
    text = "\n".join(join_wrapped([ln for page in pages for ln in page]))
    if not text.strip():
        raise IngestError("PDF has no text layer (scanned?); OCR it first")
    return text, str(title).strip() if title else None


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Without page numbers and the lines that head or foot most pages."""
    edges: Counter[str] = Counter()
    for lines in pages:
        filled = [ln.strip() for ln in lines if ln.strip()]
        edges.update(set(filled[:2] + filled[-2:]))
    running = {ln for ln, n in edges.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}
    out = []
    for lines in pages:
        out.append([ln for ln in lines if ln.strip() not in running and not _PAGE_NUMBER.match(ln.strip())])
    return out


def display_width(text: str) -> int:
    """Printed width: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def join_wrapped(lines: list[str]) -> list[str]:
    """Lines with hard wraps joined back into paragraphs."""
    widths = sorted(display_width(ln.rstrip()) for ln in lines if ln.strip())
    if not widths:
        return lines
    full = widths[int(0.9 * (len(widths) - 1))] * 0.88  # the measure of a full line
    out: list[str] = []
    joinable = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            out.append("")
            joinable = False
            continue
        if joinable and out and not _OPENS_ITEM.match(stripped) and not starts_with_label(normalize(stripped)):
            prev = out[-1].rstrip()
            # Latin words are joined with a space; Chinese runs, and a number split by the wrap, are not.
            latin = prev[-1:].isascii() and prev[-1:].isalnum() and stripped[:1].isascii()
            glue = " " if latin and not (prev[-1:].isdigit() and stripped[:1].isdigit()) else ""
            out[-1] = prev + glue + stripped
        elif joinable and out and stripped.startswith(("、", "，", "。", "；")):
            out[-1] = out[-1].rstrip() + stripped
        else:
            out.append(line.rstrip())
        tail = out[-1].rstrip()
        joinable = display_width(line.rstrip()) >= full and not _ENDS_SENTENCE.search(tail)
    return out
