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
from collections import Counter

from config.errors import IngestError
from index.wraps import ends_in_wrap, full_width, goes_on

_PAGE_NUMBER = re.compile(
    r"^[-—–\s]*(?:\d{1,4}|[ivxlcdm]{1,6})[-—–\s]*$|^第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?$"
    r"|^\d+\s*/\s*\d+$|^page\s+\d+(?:\s+of\s+\d+)?$",
    re.IGNORECASE,
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


def join_wrapped(lines: list[str]) -> list[str]:
    """Lines with hard wraps joined back into paragraphs."""
    if not any(ln.strip() for ln in lines):
        return lines
    full = full_width(lines)
    out: list[str] = []
    joinable = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            out.append("")
            joinable = False
            continue
        if joinable and out and goes_on(stripped):
            prev = out[-1].rstrip()
            # Latin words are joined with a space; Chinese runs, and a number split by the wrap, are not.
            latin = prev[-1:].isascii() and prev[-1:].isalnum() and stripped[:1].isascii()
            glue = " " if latin and not (prev[-1:].isdigit() and stripped[:1].isdigit()) else ""
            out[-1] = prev + glue + stripped
        elif joinable and out and stripped.startswith(("、", "，", "。", "；")):
            out[-1] = out[-1].rstrip() + stripped
        else:
            out.append(line.rstrip())
        joinable = ends_in_wrap(line, full)
    return out
