"""Write an evaluation report: Markdown tables, TREC run/qrels files and PNG charts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from eval import metrics as m
from eval.run import FIGURE_NAMES, LOWER_IS_BETTER, RETRIEVAL_FIGURES, PipelineRun, Summary

MODE_FIGURES = ("hit@1", "hit@5", "mrr@10", "ndcg@10")
CHART_FIGURES = ("hit@5", "mrr@10", "citation_precision", "number_recall")
OVERVIEW_FIGURES = (
    "hit@5", "recall@5", "mrr@10", "ndcg@10", "citation_precision", "citation_recall",
    "refusal_accuracy", "number_recall",
)
# Fonts that render Chinese, in order of preference, if the machine has one.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "AR PL UMing CN")


def fmt(value: float | int | None, name: str = "") -> str:
    if value is None:
        return "–"
    if name.endswith("_ms"):
        return f"{value:.1f}"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _ratio(a: float | int | None, b: float | int | None) -> str:
    if a is None or b is None:
        return "–"
    if b == 0:
        return "=" if a == 0 else "∞"
    return f"{a / b:.2f}×"


def side_by_side(summaries: Sequence[Summary]) -> str:
    """A Markdown table, one column per pipeline, plus `ours/baseline` when both are present."""
    names = [s.name for s in summaries]
    rows = {s.name: s.overall.as_dict() for s in summaries}
    both = "ours" in rows and "baseline" in rows
    head = ["figure", *names] + (["ours/baseline"] if both else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for fig in ["n", *FIGURE_NAMES]:
        label = fig + (" (lower is better)" if fig in LOWER_IS_BETTER else "")
        cells = [label] + [fmt(rows[n][fig], fig) for n in names]
        if both:
            cells.append("" if fig == "n" else _ratio(rows["ours"][fig], rows["baseline"][fig]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def macro_table(averaged: dict[str, dict[str, float | None]]) -> str:
    """The macro average over corpora, one column per pipeline, plus ours/baseline."""
    names = list(averaged)
    both = "ours" in averaged and "baseline" in averaged
    head = ["figure", *names] + (["ours/baseline"] if both else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for fig in FIGURE_NAMES:
        label = fig + (" (lower is better)" if fig in LOWER_IS_BETTER else "")
        cells = [label] + [fmt(averaged[n].get(fig), fig) for n in names]
        if both:
            cells.append(_ratio(averaged["ours"].get(fig), averaged["baseline"].get(fig)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def retrieval_table(summaries: Sequence[Summary]) -> str:
    """A Markdown table with one row per (pipeline, retrieval mode)."""
    head = ["pipeline", "mode", *RETRIEVAL_FIGURES]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summaries:
        for mode, f in s.by_mode.items():
            d = f.as_dict()
            cells = [s.name, mode] + [fmt(d[k]) for k in RETRIEVAL_FIGURES]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def breakdown_table(summaries: Sequence[Summary], key: str) -> str:
    head = ["group", "pipeline", "n", *CHART_FIGURES, "refusal_accuracy", "false_refusal_rate"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    groups = sorted({g for s in summaries for g in s.breakdowns.get(key, {})})
    for g in groups:
        for s in summaries:
            f = s.breakdowns.get(key, {}).get(g)
            if f is not None:
                d = f.as_dict()
                lines.append("| " + " | ".join([g, s.name] + [fmt(d[k]) for k in head[2:]]) + " |")
    return "\n".join(lines)


def write_trec(runs: Sequence[PipelineRun], out: Path) -> list[Path]:
    """One TREC run file per pipeline and mode, and one qrels file per pipeline.

    Chunk ids differ between pipelines, so each pipeline's qrels judge the pool of chunks its
    own runs retrieved (relevance 1 when the chunk overlaps gold evidence, else 0).
    """
    written = []
    for run in runs:
        judged: dict[tuple[str, str], int] = {}
        for mode in run.modes:
            path = out / f"{run.name}.{mode}.run"
            lines = []
            for q in run.questions:
                for rank, r in enumerate(q.retrieved.get(mode, ()), 1):
                    tag = f"{run.name}-{mode}"
                    lines.append(f"{q.item.id} Q0 {r.chunk_id} {rank} {r.score:.6f} {tag}")
                    judged[(q.item.id, r.chunk_id)] = int(m.is_relevant(r.span, q.item.evidence))
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(path)
        qrels = out / f"{run.name}.qrels"
        qrels.write_text(
            "".join(f"{qid} 0 {cid} {rel}\n" for (qid, cid), rel in sorted(judged.items())),
            encoding="utf-8",
        )
        written.append(qrels)
    return written


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _label(text: str, index: int, cjk: bool) -> str:
    # Without a CJK font, Chinese labels render as boxes: number them (the tables name them).
    return text if cjk or text.isascii() else f"#{index + 1}"


def _bars(ax, groups: list[str], series: dict[str, list[float | None]], title: str) -> None:
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(groups))]
        heights = [0.0 if v is None else v for v in values]
        ax.bar(xs, heights, width, label=name)
        for x, v in zip(xs, values, strict=True):
            if v is None:  # the figure does not apply to this group (e.g. hit@5 on unanswerable)
                ax.text(x, 0.02, "n/a", ha="center", fontsize=7, rotation=90)
    ax.set_xticks(range(len(groups)), groups, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)


def write_charts(summaries: Sequence[Summary], out: Path) -> list[Path]:
    """PNG bar charts: overview, retrieval modes, and one per break-down."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot
    import matplotlib.pyplot as plt

    font = _cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    cjk = font is not None
    written = []

    fig, ax = plt.subplots(figsize=(10, 4.5))
    _bars(ax, list(OVERVIEW_FIGURES),
          {s.name: [s.overall.as_dict()[f] for f in OVERVIEW_FIGURES] for s in summaries},
          "Headline figures")
    ax.legend()
    written.append(_save(fig, out / "overview.png"))

    rows = [(s.name, mode, f) for s in summaries for mode, f in s.by_mode.items()]
    fig, ax = plt.subplots(figsize=(8, 4))
    _bars(ax, [f"{n}:{mode}" for n, mode, _ in rows],
          {k: [f.as_dict()[k] for _, _, f in rows] for k in MODE_FIGURES},
          "Retrieval by pipeline and mode")
    ax.legend(fontsize=8)
    written.append(_save(fig, out / "retrieval_modes.png"))

    for key in ("by_persona", "by_type", "by_script"):
        groups = sorted({g for s in summaries for g in s.breakdowns.get(key, {})})
        if not groups:
            continue
        fig, axes = plt.subplots(1, len(CHART_FIGURES), figsize=(4 * len(CHART_FIGURES), 4))
        sizes = {g: max(s.breakdowns.get(key, {})[g].n for s in summaries
                        if g in s.breakdowns.get(key, {})) for g in groups}
        labels = [f"{_label(g, i, cjk)} (n={sizes[g]})" for i, g in enumerate(groups)]
        for ax, figure in zip(axes, CHART_FIGURES, strict=True):
            series = {}
            for s in summaries:
                part = s.breakdowns.get(key, {})
                series[s.name] = [part[g].as_dict()[figure] if g in part else None for g in groups]
            _bars(ax, labels, series, f"{figure} {key.replace('_', ' ')}")
        # One legend above the panels, where it cannot hide a bar.
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="upper center", ncol=len(names), fontsize=9)
        fig.tight_layout(rect=(0, 0, 1, 0.92))
        written.append(_save(fig, out / f"{key}.png", layout=False))
    plt.close("all")
    return written


def _save(fig, path: Path, *, layout: bool = True) -> Path:
    if layout:
        fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def per_question_table(runs: Sequence[PipelineRun]) -> str:
    head = ["id", "type", "pipeline", "hit@5", "refused", "citations on evidence", "number recall"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for qs in zip(*(r.questions for r in runs), strict=True):
        for run, q in zip(runs, qs, strict=True):
            ranked = [r.span for r in q.retrieved.get(run.headline_mode, ())]
            good = sum(m.is_relevant(s, q.item.evidence) for s in q.cited)
            cells = [q.item.id, q.item.type, run.name, fmt(m.hit_at_k(ranked, q.item.evidence, 5)),
                     "yes" if q.refused else "no", f"{good}/{len(q.cited)}",
                     fmt(m.number_recall(q.item.gold_answer, q.answer_text))]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(
    runs: Sequence[PipelineRun], summaries: Sequence[Summary], out: Path, *, command: str,
    dataset: Path, metadata: str | None = None,
) -> Path:
    """Write report.md, TREC files and charts into `out`; return the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    trec = write_trec(runs, out)
    charts = write_charts(summaries, out)
    parts = [
        "# policyqa evaluation report", "",
        f"Dataset: `{dataset}` ({len(runs[0].questions) if runs else 0} questions)", "",
        f"Command: `{command}`", "",
        "## Headline figures", "", side_by_side(summaries), "",
        "## Retrieval by mode", "", retrieval_table(summaries), "",
    ]
    if metadata:
        parts += ["## Metadata", "", metadata, ""]
    for key in ("by_persona", "by_type", "by_script"):
        parts += [f"## Break-down {key.replace('_', ' ')}", "", breakdown_table(summaries, key), ""]
    parts += ["## Charts", ""] + [f"![{c.stem}]({c.name})" for c in charts] + [""]
    parts += ["## Per question", "", per_question_table(runs), ""]
    parts += ["## Files", ""] + [f"- `{p.name}`" for p in trec] + [""]
    report = out / "report.md"
    report.write_text("\n".join(parts), encoding="utf-8")
    return report
