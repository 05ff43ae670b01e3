"""The "承诺与目标" tab: filter the commitments ledger, open a row's source card, export it.

`build_commitments_tab` must be called inside a `gr.Blocks()` context; the UI module mounts
it. Rows and documents come from callables so the tab always shows the current index.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from app.ui.files import Downloads
from index.commitments.ledger import filter_ledger, paragraph_of, write_csv, write_xlsx
from index.commitments.types import KIND_LABELS, Commitment
from index.types import Document

TABLE_HEADERS = ["类型", "文件", "章节/事项", "内容", "责任单位", "期限"]
KIND_CHOICES = [("全部", ""), ("目标", "target"), ("任务", "task"), ("提案答复", "reply")]


@dataclass(frozen=True)
class CommitmentsTab:
    """The tab's components, and `refresh` (outputs: `refresh_outputs`) for a page-load hook."""

    table: Any
    card: Any
    refresh: Callable[..., tuple]
    refresh_inputs: list[Any]
    refresh_outputs: list[Any]


def table_rows(rows: Sequence[Commitment]) -> list[list[str]]:
    """Display rows for the table, in `TABLE_HEADERS` order."""
    out = []
    for r in rows:
        if r.kind == "target":
            what = r.text
        elif r.kind == "reply_meta":
            what = f"第{r.number}号提案 提案人 {r.proposer or '?'} 答复 {r.reply_date or '?'}"
        else:
            what = r.text[:120]
        out.append([KIND_LABELS.get(r.kind, r.kind), r.doc_title, r.task or " > ".join(r.heading_path[1:]),
                    what, "、".join(r.units), r.deadline or ""])
    return out


def source_card_html(row: Commitment, document: Document | None) -> str:
    """The row's source card: title, 文号, date, heading path and its paragraph, span highlighted.

    Every piece of text is HTML-escaped; only the card's own tags are markup.
    """
    e = html.escape
    meta = " · ".join(e(x) for x in (row.doc_number, row.doc_date) if x)
    path = " › ".join(e(h) for h in row.heading_path[1:])
    if document is not None and document.text[row.start:row.end] == row.text:
        para, at = paragraph_of(document, row)
        a, b = row.start - at, row.end - at
        body = f"{e(para[:a])}<mark>{e(para[a:b])}</mark>{e(para[b:])}"
    else:  # the document changed since the ledger was built: show the stored span only
        body = f"<mark>{e(row.text)}</mark>"
    return (f'<div class="source-card"><h4>{e(row.doc_title)}</h4>'
            f'<div class="meta">{meta}</div><div class="path">{path}</div>'
            f'<p style="white-space:pre-wrap">{body}</p>'
            f'<div class="meta">{e(row.source)} [{row.start}:{row.end}]</div></div>')


def _choices(rows: Sequence[Commitment], documents: Sequence[Document]) -> tuple[list, list, list]:
    units = sorted({u for r in rows for u in r.units})
    years = sorted({str(r.year) for r in rows if r.year})
    with_rows = {r.doc_id for r in rows}
    docs = [(d.title, d.doc_id) for d in documents if d.doc_id in with_rows]
    return [("全部", ""), *[(u, u) for u in units]], [("全部", ""), *[(y, y) for y in years]], [("全部", ""), *docs]


def build_commitments_tab(get_rows: Callable[[], Sequence[Commitment]],
                          get_documents: Callable[[], Sequence[Document]],
                          downloads: Downloads | None = None) -> CommitmentsTab:
    """Render the "承诺与目标" tab inside the current `gr.Blocks` and wire its events."""
    downloads = downloads or Downloads()

    def current(unit: str, year: str, doc: str, kind: str) -> list[Commitment]:
        return filter_ledger(get_rows(), unit=unit or None, year=int(year) if year else None,
                             doc=doc or None, kind=kind or None)

    def update(unit: str, year: str, doc: str, kind: str) -> tuple:
        rows = current(unit, year, doc, kind)
        out_dir = downloads.folder("\n".join(r.row_id for r in rows) or "empty")
        csv_path = write_csv(rows, out_dir / "commitments.csv")
        xlsx_path = write_xlsx(rows, out_dir / "commitments.xlsx")
        return table_rows(rows) or [[""] * len(TABLE_HEADERS)], [r.row_id for r in rows], str(csv_path), str(xlsx_path)

    def refresh(unit: str, year: str, doc: str, kind: str) -> tuple:
        units, years, docs = _choices(get_rows(), get_documents())
        return (gr.Dropdown(choices=units), gr.Dropdown(choices=years), gr.Dropdown(choices=docs),
                *update(unit, year, doc, kind), "")

    def show(ids: list[str], evt: gr.SelectData) -> str:
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if not isinstance(index, int) or not 0 <= index < len(ids):
            return ""
        row = next((r for r in get_rows() if r.row_id == ids[index]), None)
        if row is None:
            return ""
        doc = next((d for d in get_documents() if d.doc_id == row.doc_id), None)
        return source_card_html(row, doc)

    units, years, docs = _choices(get_rows(), get_documents())
    with gr.Tab("承诺与目标"):
        with gr.Row():
            unit = gr.Dropdown(units, value="", label="责任单位", filterable=True)
            year = gr.Dropdown(years, value="", label="年份")
            doc = gr.Dropdown(docs, value="", label="文件", filterable=True)
            kind = gr.Dropdown(KIND_CHOICES, value="", label="类型")
            again = gr.Button("刷新", size="sm")
        table = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, label="承诺与目标")
        ids = gr.State([])
        card = gr.HTML(label="出处")
        with gr.Row():
            csv_btn = gr.DownloadButton("下载 CSV")
            xlsx_btn = gr.DownloadButton("下载 Excel")
    filters = [unit, year, doc, kind]
    outputs = [table, ids, csv_btn, xlsx_btn]
    for f in filters:
        f.change(update, filters, outputs)
    refresh_outputs = [unit, year, doc, *outputs, card]
    again.click(refresh, filters, refresh_outputs)
    table.select(show, [ids], card)
    return CommitmentsTab(table, card, refresh, filters, refresh_outputs)
