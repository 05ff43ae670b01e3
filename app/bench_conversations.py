"""How long storing one answer takes: `python -m app.bench_conversations [--answers N] [--threads T]`.

Each answer is stored as the UI and `/ask` store it: a new conversation and its first turn
(an answer of about 1,500 characters with two citations), into a fresh store in a temp folder.
Prints p50, p95, max and mean per answer (the first of each thread opens its connection);
with several threads they store at once, as Gradio's workers do.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.ui.conversations import ConversationStore

ANSWER = {"text": "对首次认定的高新技术企业，一次性奖励30万元研发经费。" * 50,
          "citations": [{"number": n, "quote": "一次性奖励30万元研发经费。", "start": 0, "end": 13} for n in (1, 2)]}


def store_answers(store: ConversationStore, n: int) -> list[float]:
    """Seconds taken by each of `n` answers stored one after another."""
    times = []
    for i in range(n):
        started = time.perf_counter()
        conv = store.create("bench", f"问题{i}")
        store.add_turn(conv, "bench", f"问题{i}", ANSWER, "citizen", None)
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--answers", type=int, default=200, help="answers per thread")
    p.add_argument("--threads", type=int, default=1, help="threads storing at once")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="policyqa-bench-") as tmp:
        store = ConversationStore(Path(tmp) / "ui.sqlite3")
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            runs = list(pool.map(lambda _: store_answers(store, args.answers), range(args.threads)))
        wall = time.perf_counter() - started
    times = sorted(t for run in runs for t in run)
    def ms(q: float) -> str:
        return f"{times[round(q * (len(times) - 1))] * 1000:.2f}"

    print(f"{len(times)} answers stored by {args.threads} thread(s) in {wall:.2f} s; per answer: "
          f"p50 {ms(0.5)} ms, p95 {ms(0.95)} ms, max {ms(1.0)} ms, mean {statistics.fmean(times) * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
