"""Reading a model's streamed reply within bounds, and saying accurately what went wrong.

An OpenAI-compatible endpoint is someone else's server. Its reply may stop without finishing,
carry events that are not JSON, be an HTML error page sent with status 200, drip one token
every few seconds, or run to megabytes. `bounded_deltas` yields the text deltas and ends with
`StreamFault` — whose `reason` is the short Chinese phrase shown in the fallback notice — when
the reply fails in any way, takes longer than the overall deadline, or grows past the size cap.

The stream is read in a helper thread so that the deadline holds even while the client is
blocked waiting for the next token; after a fault the helper stops at its next chunk (or when
the client's own read timeout ends the request).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

log = logging.getLogger(__name__)

_DONE = object()


class StreamFault(Exception):
    """The reply cannot be used; `reason` says why, in a few Chinese words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def bounded_deltas(chunks: Iterable[Any], *, deadline_s: float, max_chars: int) -> Iterator[str]:
    """The text deltas of a LangChain message-chunk stream; StreamFault when it is unusable."""
    box: queue.Queue[Any] = queue.Queue()
    cancelled = threading.Event()
    threading.Thread(target=_pump, args=(chunks, box, cancelled), daemon=True,
                     name="policyqa-llm-stream").start()
    ends = time.monotonic() + deadline_s
    size = 0
    received = False
    finish: str | None = None
    try:
        while True:
            try:
                item = box.get(timeout=max(0.0, ends - time.monotonic()))
            except queue.Empty:
                raise StreamFault(f"超过总时限{deadline_s:g}秒") from None
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise StreamFault(describe(item, received=received)) from item
            text, reason = item
            finish = reason or finish
            if text:
                received = True
                size += len(text)
                if size > max_chars:
                    raise StreamFault(f"回答超过{max_chars}字上限")
                yield text
    finally:
        cancelled.set()
    if finish is None:
        raise StreamFault("回复中途中断" if received else "未返回内容")
    if finish == "length":
        raise StreamFault("回答达到长度上限被截断")


def describe(exc: BaseException, *, received: bool = False) -> str:
    """A short Chinese reason for a failed request: 超时 / 无法连接 / HTTP 500 / 回复中途中断…"""
    import httpx
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return "超时"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APIConnectionError) and not received:
        return "无法连接"
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return "回复中途中断"
    if isinstance(exc, openai.APIError):
        return "返回了错误信息"
    if isinstance(exc, json.JSONDecodeError | ValueError | TypeError | KeyError):
        return "返回的内容无法解析"
    log.warning("LLM reply failed: %r", exc)
    return "出错"


def _pump(chunks: Iterable[Any], box: queue.Queue[Any], cancelled: threading.Event) -> None:
    """Move (text, finish_reason) pairs into `box`, then _DONE or the exception that ended it."""
    iterator = iter(chunks)
    try:
        for chunk in iterator:
            if cancelled.is_set():
                break
            meta = getattr(chunk, "response_metadata", None) or {}
            box.put((chunk.text or "", meta.get("finish_reason")))
        box.put(_DONE)
    except Exception as exc:  # anything the client raises is reported as a fault, not a crash
        box.put(exc)
    finally:
        close = getattr(iterator, "close", None)
        if callable(close):
            try:
                close()  # releases the HTTP response
            except Exception:
                log.debug("closing the LLM stream failed", exc_info=True)
