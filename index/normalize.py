"""Text normalisation for matching, keeping a character-for-character map to the original.

`normalize(text)` returns a string of the same length as `text` in which position i is the
normalised form of character i: traditional characters become simplified (OpenCC t2s),
full-width ASCII becomes half-width, and odd spaces (EM/EN space, NBSP, ideographic space)
become plain spaces. Because the map is the identity on positions, any span found in the
normalised text is the same span in the original — the "offset map" needs no storage.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.types import Script

_ODD_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\ufeff"
_SPACES = dict.fromkeys(map(ord, _ODD_SPACES), " ")
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
# Scraped pages sometimes carry look-alike characters inside Chinese numerals (二Ο三五年).
_ZERO_LIKE = re.compile(r"(?<=[〇一二三四五六七八九十])[ΟOО○０](?=[〇一二三四五六七八九十年])")


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def _convert_same_length(text: str, config: str) -> str:
    out = _converter(config).convert(text)
    if len(out) == len(text):
        return out
    # Rare phrase mappings change length; fall back to character-by-character conversion.
    conv = _converter(config)
    return "".join(ch if len(c := conv.convert(ch)) != 1 else c for ch in text)


def to_simplified(text: str) -> str:
    """Traditional → simplified, same length as the input."""
    return _convert_same_length(text, "t2s")


# A run of Chinese characters between punctuation: the unit whose script is judged before
# converting it (a traditional title inside a simplified line is its own run).
_SEGMENT = re.compile(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+")


def to_traditional(text: str) -> str:
    """Simplified → traditional, same length as the input (used for answers in traditional).

    A run of characters already traditional (a quote of a traditional source) is kept as it
    is: converting it again would replace characters the two scripts share by rarer variants
    (核定 → 覈定)."""
    return "".join(seg if detect_script(seg) == "traditional" else _convert_same_length(seg, "s2t")
                   for seg in _SEGMENT.findall(text))


def to_script(text: str, script: Script) -> str:
    return to_traditional(text) if script == "traditional" else to_simplified(text)


def normalize(text: str) -> str:
    """Simplified, half-width, plain-spaced text with exactly the length of `text`."""
    text = text.translate(_SPACES).translate(_WIDTH)
    text = _ZERO_LIKE.sub("〇", text)
    return to_simplified(text)


def detect_script(text: str) -> Script:
    """'traditional' when more characters are traditional-only than simplified-only (a short
    question with two traditional characters and no simplified ones is traditional)."""
    sample = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")[:20000]
    if not sample:
        return "simplified"
    simp = to_simplified(sample)
    trad = _convert_same_length(sample, "s2t")
    trad_only = sum(a != b for a, b in zip(sample, simp, strict=True))
    simp_only = sum(a != b for a, b in zip(sample, trad, strict=True))
    return "traditional" if trad_only > simp_only else "simplified"


def squeeze(text: str) -> tuple[str, list[int]]:
    """`text` without whitespace, and for each kept character its index in `text`."""
    kept = [(i, ch) for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(ch for _, ch in kept), [i for i, _ in kept]
