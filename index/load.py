"""Readers: bytes on disk → the document's source text (and heading hints where the format has them).

Supported: .txt, .md, .html/.htm, .pdf (text layer), .docx (heading styles become hints).
Text files are decoded as UTF-8, UTF-16 (with a BOM, or without one: `index.encoding`) or
GB18030/GBK, whichever fits.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from config.errors import IngestError
from index.encoding import decode_utf16_without_bom

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


@dataclass(frozen=True)
class Loaded:
    text: str
    heading_hints: tuple[tuple[str, int], ...] = ()  # (heading text, level 1..) from the format


def decode_bytes(data: bytes) -> str:
    """Decode text bytes: BOM first, then strict UTF-8, then GB18030, then a detector's guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    utf16 = decode_utf16_without_bom(data)
    if utf16 is not None:
        return utf16
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
    if suffix == ".pdf":
        return Loaded(_pdf_text(data))
    if suffix == ".docx":
        return _docx(data)
    text = decode_bytes(data)
    if suffix in (".html", ".htm") or _is_html(text):
        text = html_to_text(text)
    if not text.strip():
        raise IngestError("no text in the file")
    return Loaded(text)


def _is_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head


_DROP_ELEMENTS = re.compile(
    r"<(script|style|noscript|template|iframe|svg|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_BLOCK_TAGS = re.compile(
    r"</?(p|div|br|li|ul|ol|tr|table|h[1-6]|section|article|header|footer|nav|title|blockquote|pre)\b[^>]*>",
    re.IGNORECASE,
)
_HEADING_TAG = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page, one block element per line; scripts and styles removed."""
    markup = re.sub(r"<!--.*?-->", "", markup, flags=re.DOTALL)
    markup = _DROP_ELEMENTS.sub("\n", markup)
    markup = _BLOCK_TAGS.sub("\n", markup)
    text = html.unescape(_TAG.sub("", markup))
    lines = [ln.rstrip() for ln in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError, TypeError) as exc:
        raise IngestError(f"cannot parse PDF ({exc.__class__.__name__}: {exc}); is it truncated?") from None
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise IngestError("PDF has no text layer (scanned?); OCR it first")
    return text


def _docx(data: bytes) -> Loaded:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IngestError(f"cannot open DOCX ({exc.__class__.__name__}); is it a Word 2007+ file?") from None
    paragraphs: list[str] = []
    hints: list[tuple[str, int]] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        level = _style_level(style)
        if level:
            hints.append((text, level))
        paragraphs.append(text)
    if not paragraphs:
        raise IngestError("DOCX has no text")
    return Loaded("\n\n".join(paragraphs), tuple(hints))


def _style_level(style: str) -> int:
    """Heading level from a Word style name: 'Heading 2' / '标题 2' → 2; 'Title' → 0 (not a heading)."""
    m = re.match(r"(?:heading|标题)\s*(\d)", style.strip(), re.IGNORECASE)
    return int(m.group(1)) if m else 0
