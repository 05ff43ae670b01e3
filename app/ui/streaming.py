"""Showing an answer sentence by sentence, whoever wrote it.

The LLM streams tokens as it writes them; the extractive answerer has its whole answer at
once. `paced` cuts what the assistant yields into sentences and, when sentences arrive
faster than `pause_s` apart, waits between them, so both read the same way (and a reader
can stop a long answer). The final `Answer` passes through untouched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator

from assistant.types import Answer

_ENDS = tuple("。！？；!?;\n")
_CLOSERS = "”」』）)"
_SENTENCE = re.compile(r"[^。！？；!?;\n]+(?:[。！？；!?;\n]+[”」』）)]*)?|[。！？；!?;\n]+[”」』）)]*")


def sentences(text: str) -> list[str]:
    """`text` cut after each sentence end (closing quotes and brackets stay with their sentence)."""
    return _SENTENCE.findall(text)


def paced(items: Iterable[str | Answer], pause_s: float, *,
          sleep: Callable[[float], None] = time.sleep,
          clock: Callable[[], float] = time.monotonic) -> Iterator[str | Answer]:
    """The items with text cut into sentences, at least `pause_s` apart after a sentence end."""
    last_end: float | None = None  # when the last piece that ended a sentence was yielded
    for item in items:
        if isinstance(item, Answer):
            yield item
            continue
        for piece in sentences(item):
            if last_end is not None and pause_s > 0:
                wait = pause_s - (clock() - last_end)
                if wait > 0:
                    sleep(wait)
            yield piece
            last_end = clock() if piece.rstrip(_CLOSERS).endswith(_ENDS) else None
