"""Readers: bytes on disk → the document's source text, plus what the format says about it.

Supported: .txt, .md, .html/.htm, .pdf (text layer), .docx. Text files are decoded as UTF-8,
UTF-16 (with BOM) or GB18030/GBK, whichever fits. The text a reader returns is what every
offset in the system points into (chunks, citations, evaluation evidence), so each format's
reader decides once how its layout becomes lines (see `index/readers/`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from config.errors import IngestError
from index.readers.docx import docx_text
from index.readers.html import read_html
from index.readers.markdown import markdown_text
from index.readers.pdf import pdf_text

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


@dataclass(frozen=True)
class Loaded:
    """A file's text and the hints its format gives about the document."""

    text: str
    heading_hints: tuple[tuple[str, int], ...] = ()  # (heading text, level 1..) from the format
    title_hints: tuple[str, ...] = ()  # the title as the format states it (HTML meta, Word Title style…)
    fields: tuple[tuple[str, str], ...] = ()  # metadata outside the text: ("published", …), ("source", …)


def decode_bytes(data: bytes) -> str:
    """Decode text bytes: BOM first, then strict UTF-8, then GB18030, then a detector's guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if _looks_binary(data):
        raise IngestError("looks like a binary file, not text (NUL or control bytes)")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError("cannot detect the text encoding; save the file as UTF-8")
    return str(best)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(b < 9 or 13 < b < 32 for b in sample)
    return len(sample) > 0 and controls / len(sample) > 0.05


def read_file(path: Path) -> Loaded:
    """Read one file into its source text. Raises IngestError with the reason on failure."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror}") from None
    if not data.strip():
        raise IngestError("empty file")
    loaded = read_bytes(data, suffix)
    if not loaded.text.strip():
        raise IngestError("no text in the file")
    return loaded


def read_bytes(data: bytes, suffix: str) -> Loaded:
    """The reader for a file type applied to its bytes."""
    if suffix == ".pdf":
        text, title = pdf_text(data)
        return Loaded(text, title_hints=(title,) if title else ())
    if suffix == ".docx":
        doc = docx_text(data)
        return Loaded(doc.text, tuple(doc.heading_hints), tuple(doc.title_hints))
    text = decode_bytes(data)
    if suffix in (".html", ".htm") or _is_html(text):
        page = read_html(text)
        return Loaded(page.text, title_hints=tuple(page.title_hints), fields=tuple(page.fields))
    if suffix == ".md":
        md = markdown_text(text)
        return Loaded(md.text, tuple(md.heading_hints), tuple(md.title_hints))
    return Loaded(text)


def _is_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head or bool(
        re.match(r"\s*<(?:div|p|table|span)\b", head)
    )
