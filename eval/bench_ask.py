"""Ask latency with the extractive answerer: `python -m eval.bench_ask [--rounds 3]`.

Builds the pipeline with `assistant.build.build_assistant(settings)` (the composition root the
CLI and UI use), warms it up (index, embedding model, jieba), then asks every question of the
dev set `--rounds` times with `backend="extractive"` and prints p50/p95/max in milliseconds.
Target: p95 ≤ 300 ms on the sample corpus on 2 cores. Needs a built index (`policyqa index`).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path

from config.settings import load_settings
from eval.metrics import percentile

DEFAULT_DATASET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    from assistant.build import build_assistant
    from eval.dataset import load_dataset

    settings = load_settings()
    questions = [i.question for i in load_dataset(args.dataset, settings.paths.corpus)]
    assistant = build_assistant(settings)
    t0 = time.perf_counter()
    assistant.warm_up()
    assistant.ask(questions[0], backend="extractive")  # first-call costs (ledger, caches)
    warm_ms = (time.perf_counter() - t0) * 1000
    latencies: list[float] = []
    answering: list[float] = []  # the extractive answer step alone, on the same hits
    refused = 0
    for _ in range(args.rounds):
        for q in questions:
            t = time.perf_counter()
            answer = assistant.ask(q, backend="extractive")
            latencies.append((time.perf_counter() - t) * 1000)
            refused += answer.refused
            plan, hits = assistant.prepare(q)
            t = time.perf_counter()
            assistant.extractive.answer(plan, hits)
            answering.append((time.perf_counter() - t) * 1000)
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(f"pipeline: assistant.build.build_assistant (embedder {settings.embedding.backend}, "
          f"index {settings.paths.index_dir}), backend extractive, cpus {os.cpu_count()}")
    print(f"warm-up {warm_ms:.0f} ms; {len(latencies)} asks ({len(questions)} questions × "
          f"{args.rounds}), {refused} refusals")
    print(f"ask latency ms: p50 {p50:.1f}  p95 {p95:.1f}  max {max(latencies):.1f}  "
          f"(target p95 ≤ 300)")
    print(f"of which the extractive answer step: p50 {percentile(answering, 50):.1f}  "
          f"p95 {percentile(answering, 95):.1f}  (the rest is retrieval and routing)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (other processes slow the figures)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
