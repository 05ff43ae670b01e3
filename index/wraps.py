"""Hard line wraps: the line breaks a fixed-width layout puts inside a sentence.

A PDF's text layer, or a text file laid out at a fixed width (a law exported as plain text),
breaks every printed line. A line ends in a wrap when it reaches (nearly) the width of the
text's full lines and does not end a sentence, and the next line goes on with it (opens no
heading, list item or labelled field). The PDF reader joins such lines into paragraphs; the
sentence splitter does not split at such a break.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from index.fields import starts_with_label
from index.normalize import normalize

FULL_SHARE = 0.88  # a line this share of the full width (the 90th percentile) counts as full
_ENDS_SENTENCE = re.compile(r"[。！？!?；;：:…”’」』）)]$")
_OPENS_ITEM = re.compile(
    r"^(?:第\s*[一二三四五六七八九十百零〇\d]+\s*[编編章节節条條款]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d{1,2}[.．、]\D|[①-⑳]|[•·●■◆▪-]\s)"
)


def display_width(text: str) -> int:
    """Printed width: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def full_width(lines: Sequence[str]) -> float:
    """The printed width from which a line counts as full (0 without lines)."""
    widths = sorted(display_width(ln.rstrip()) for ln in lines if ln.strip())
    return widths[int(0.9 * (len(widths) - 1))] * FULL_SHARE if widths else 0.0


def ends_in_wrap(line: str, full: float) -> bool:
    """Whether `line` is full and stops mid-sentence."""
    tail = line.rstrip()
    return bool(tail) and display_width(tail) >= full and not _ENDS_SENTENCE.search(tail)


def goes_on(line: str) -> bool:
    """Whether `line` can continue the line before it (it opens no heading, item or field)."""
    stripped = line.strip()
    return bool(stripped) and not _OPENS_ITEM.match(stripped) and not starts_with_label(normalize(stripped))
