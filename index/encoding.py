"""UTF-16 text saved without a byte-order mark, recognised by where its NUL bytes fall.

Without a BOM such a file was called binary because it is full of NUL bytes. But the NULs of
UTF-16 text are not scattered: every ASCII character (digits, newlines, spaces, Latin letters)
is one byte and a NUL, so nearly all NULs sit at odd offsets (little-endian) or at even ones
(big-endian). Binary data has no such parity. A candidate decoding must also decode strictly
and read as text (no NULs or other control characters left), or the bytes stay binary.
"""

from __future__ import annotations

SAMPLE = 16384
MIN_NUL_SHARE = 0.02  # of the sample's 2-byte units, those with a NUL half on the ASCII side
PARITY_RATIO = 4.0  # the ASCII side must hold this many times the NULs of the other side
MAX_CONTROL_SHARE = 0.001


def decode_utf16_without_bom(data: bytes) -> str | None:
    """The text of `data` when it is BOM-less UTF-16 (either byte order), else None."""
    sample = data[: SAMPLE - SAMPLE % 2]
    units = len(sample) // 2
    if units < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= max(MIN_NUL_SHARE * units, PARITY_RATIO * even):
        encoding = "utf-16-le"
    elif even >= max(MIN_NUL_SHARE * units, PARITY_RATIO * odd):
        encoding = "utf-16-be"
    else:
        return None
    whole = data[: len(data) - len(data) % 2]
    try:
        text = whole.decode(encoding)  # strict: a lone surrogate means it was not UTF-16
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f") + text.count("\x7f")
    if controls > MAX_CONTROL_SHARE * len(text):
        return None
    return text
