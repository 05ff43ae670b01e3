"""Calibrate `answer.refusal_threshold`: `python -m eval.calibrate_refusal [--k 8] [--dataset F]…`.

Runs the real retrieval (through `build_assistant`) for the questions of the dev set (or of
every `--dataset` given), and for
a few extra probes written to test refusals (questions the sample corpus does not answer, some
close to it), computes the refusal signals of `assistant.refusal`, prints the score of every
question grouped by answerable / unanswerable, and chooses the threshold that best separates
them: the midpoint of the widest gap among the thresholds with the best balanced accuracy.
Questions refused by a hard rule (a named document not found) are shown but do not move the
threshold. The probes are general questions, not tuned to any passage. A comparison question
is scored as the assistant answers it, part by part within each compared document, by its best
part (the merged answer is refused only when every part is).
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.intent import analyze
from assistant.refusal import RefusalSignals, signals
from config.settings import load_settings

DEFAULT_DATASET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
# Extra probes: (question, answerable). Unanswerable ones ask for things the sample corpus
# does not state (some share its words: 加计扣除, 院士专家工作站, 0588号提案); answerable ones
# paraphrase facts it does state.
PROBES: tuple[tuple[str, bool], ...] = (
    ("个人所得税专项附加扣除的标准是多少？", False),
    ("第0588号提案的答复内容是什么？", False),
    ("技术合同认定登记工作管理办法(试行)有哪些规定？", False),
    ("呼和浩特市对新认定的国家级孵化器奖励多少？", False),
    ("科技型中小企业贷款贴息比例是多少？", False),
    ("2024年内蒙古自治区研发投入实际完成了多少？", False),
    ("博士后科研工作站设站资助标准是多少？", False),
    ("外籍专家来内蒙古工作签证怎么办理？", False),
    ("院士专家工作站建站后每家补助多少钱？", False),
    ("申请高新技术企业认定需要准备哪些材料？", False),
    ("首次认定的高新技术企业奖励多少钱？", True),
    ("到2025年技术市场成交额目标是多少？", True),
    ("县域创新意见的文号是什么？", True),
    ("康巴什規劃的發文機關是哪個？", True),
    ("每年引导多少科技人员到基层服务？", True),
    ("2021到2023年支持了多少关键技术攻关项目？", True),
    ("院士专家工作站到2020年要建多少个？", True),
    ("截至2022年底全区高新技术企业有多少家？", True),
)


@dataclass(frozen=True)
class Scored:
    label: str
    question: str
    answerable: bool
    signals: RefusalSignals

    @property
    def hard_refusal(self) -> bool:
        return bool(self.signals.missing_titles or self.signals.missing_ids)


def choose_threshold(rows: Sequence[Scored]) -> tuple[float, float]:
    """(threshold, balanced accuracy): best balanced accuracy, then the widest gap's middle."""
    free = [r for r in rows if not r.hard_refusal]
    scores = sorted({round(r.signals.score, 4) for r in free})
    cuts = [(a + b) / 2 for a, b in itertools.pairwise(scores)] or [0.5]

    def accuracy(cut: float) -> float:
        ans = [r.signals.score >= cut for r in rows if r.answerable and not r.hard_refusal]
        una = [r.hard_refusal or r.signals.score < cut for r in rows if not r.answerable]
        return (sum(ans) / max(1, len(ans)) + sum(una) / max(1, len(una))) / 2

    best = max(accuracy(c) for c in cuts)
    good = [c for c in cuts if accuracy(c) == best]

    def gap(cut: float) -> float:
        below = max((s for s in scores if s < cut), default=0.0)
        above = min((s for s in scores if s > cut), default=1.0)
        return above - below

    cut = max(good, key=gap)
    return round(cut, 2), best


def pipeline_signals(assistant: Any, question: str, k: int) -> RefusalSignals:
    """The refusal signals of `question` as the assistant decides them (per part for comparisons)."""
    from assistant.compare import comparison_scopes
    from assistant.retrieve import Filters

    scopes = comparison_scopes(question, assistant.documents())
    if not scopes:
        return signals(analyze(question), assistant.retrieve(question, k=k))
    parts = [signals(analyze(part), assistant.retrieve(part, k=k, filters=Filters(doc_ids=ids)))
             for part, ids in scopes]
    return max(parts, key=lambda s: s.score)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, action="append",
                        help="a question set in the dev.jsonl schema (repeatable; default: the dev set)")
    parser.add_argument("--k", type=int, default=8, help="hits per question (default 8)")
    args = parser.parse_args(argv)

    from assistant.build import build_assistant
    from eval.dataset import load_dataset

    settings = load_settings()
    assistant = build_assistant(settings)
    questions = [(f"{i.id}", i.question, i.answerable)
                 for path in args.dataset or [DEFAULT_DATASET]
                 for i in load_dataset(path, settings.paths.corpus)]
    questions += [(f"P{n:02d}", q, a) for n, (q, a) in enumerate(PROBES, 1)]
    rows = []
    for label, question, answerable in questions:
        rows.append(Scored(label, question, answerable, pipeline_signals(assistant, question, args.k)))

    for answerable in (True, False):
        group = sorted((r for r in rows if r.answerable == answerable), key=lambda r: r.signals.score)
        print(f"\n{'answerable' if answerable else 'unanswerable'} ({len(group)}):")
        print("  score  cover  joint  focus  dense  question")
        for r in group:
            s = r.signals
            rule = "  [named document not found]" if s.missing_titles else ""
            rule += f"  [not found: {','.join(s.missing_ids)}]" if s.missing_ids else ""
            rule += f"  [numbers not found: {','.join(s.missing_numbers)}]" if s.missing_numbers else ""
            dense = f"{s.dense:.3f}" if s.dense is not None else "  -  "
            print(f"  {s.score:.2f}   {s.coverage:.2f}   {s.joint_coverage:.2f}   {s.focus:.2f}  "
                  f"{dense}  {r.label} {r.question}{rule}")
    dense_ans = [r.signals.dense for r in rows if r.answerable and r.signals.dense is not None]
    dense_una = [r.signals.dense for r in rows if not r.answerable and r.signals.dense is not None]
    if dense_ans and dense_una:
        print(f"\nbest dense score: answerable {min(dense_ans):.3f}–{max(dense_ans):.3f}, "
              f"unanswerable {min(dense_una):.3f}–{max(dense_una):.3f} (not used: they overlap)")
    cut, acc = choose_threshold(rows)
    print(f"\nchosen refusal_threshold = {cut:.2f} (balanced accuracy {acc:.2f}; "
          f"configured: {settings.answer.refusal_threshold:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
