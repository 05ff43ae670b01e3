"""The embedding engine's turn-taking: queries go before a re-index's batches, within limits."""

from __future__ import annotations

import threading
import time

from index.turns import MAX_AHEAD, QueriesFirst


def _record(turns: QueriesFirst, label: str, log: list[str], *, query: bool, seconds: float) -> threading.Thread:
    def run() -> None:
        with turns.hold(query=query):
            log.append(label)
            time.sleep(seconds)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_waiting_query_goes_before_the_next_batch() -> None:
    turns, log = QueriesFirst(), []
    first = _record(turns, "batch1", log, query=False, seconds=0.3)
    time.sleep(0.05)
    batch = _record(turns, "batch2", log, query=False, seconds=0.01)
    time.sleep(0.05)
    query = _record(turns, "query", log, query=True, seconds=0.01)
    for t in (first, batch, query):
        t.join(5)
    assert log == ["batch1", "query", "batch2"]


def test_a_stream_of_queries_cannot_stall_a_batch() -> None:
    turns, log = QueriesFirst(), []
    holder = _record(turns, "q0", log, query=True, seconds=0.2)
    time.sleep(0.05)
    batch = _record(turns, "batch", log, query=False, seconds=0.01)
    time.sleep(0.05)
    queries = [_record(turns, f"q{i}", log, query=True, seconds=0.01) for i in range(1, 3 * MAX_AHEAD)]
    for t in (holder, batch, *queries):
        t.join(10)
    assert log.index("batch") <= 1 + MAX_AHEAD
