"""Taking turns at an engine that runs one call at a time: a waiting query goes first.

An embedding engine that is not thread-safe is used one call at a time. While a re-index embeds
passage batches back to back, a plain lock lets the builder take it again the moment it lets go
(it is already running; the waiting question's thread must first be scheduled), so questions
waited for the whole build. With `QueriesFirst`, waiting queries go before the next passage
batch, so a question waits for at most the batch in progress; and a batch is passed over by at
most `MAX_AHEAD` queries in a row, so a steady stream of questions cannot stall a re-index.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

MAX_AHEAD = 8  # queries served before a waiting batch gets its turn (each takes ~20 ms)


class QueriesFirst:
    """A lock that serves waiting queries before a waiting batch, within limits."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._queries_waiting = 0
        self._batches_waiting = 0
        self._ahead = 0  # queries served since a batch began waiting

    @contextmanager
    def hold(self, *, query: bool) -> Iterator[None]:
        """Hold the engine; `query` callers go before waiting batch callers, up to MAX_AHEAD."""
        with self._cond:
            if query:
                self._queries_waiting += 1
            else:
                self._batches_waiting += 1
            try:
                while not self._my_turn(query):
                    self._cond.wait()
            finally:
                if query:
                    self._queries_waiting -= 1
                else:
                    self._batches_waiting -= 1
            self._busy = True
            if query and self._batches_waiting:
                self._ahead += 1
            elif not query:
                self._ahead = 0
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _my_turn(self, query: bool) -> bool:
        if self._busy:
            return False
        batch_due = self._batches_waiting and self._ahead >= MAX_AHEAD
        return not batch_due if query else (batch_due or not self._queries_waiting)
