"""The "承诺与目标" tab: filter the commitments ledger, read each row's source, export it.

The table shows what matters first — 内容, 责任单位, 期限 — with wrapped text in fixed
columns, so it fits a 1366 px screen; clicking a row's 内容 opens its source card (document,
文号, heading path, the paragraph with the row's span highlighted). Call
`build_commitments_tab` inside the tab; rows and documents come from callables so the tab
always shows the current index.
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

TABLE_HEADERS = ["内容", "责任单位", "期限", "类型", "文件"]
KIND_CHOICES = [("全部", ""), ("目标", "target"), ("任务", "task"), ("提案答复", "reply")]
MAX_ROWS_SHOWN = 300  # the exports hold every row
EMPTY = ('<p class="pq-empty" id="pq-ledger-empty">没有符合条件的条目。'
         '请放宽筛选条件（责任单位、年份、文件或类型），或点“刷新”。</p>')


@dataclass(frozen=True)
class CommitmentsTab:
    """The tab's components, and `refresh` (outputs: `refresh_outputs`) for a page-load hook."""

    table: Any
    refresh: Callable[..., tuple]
    refresh_inputs: list[Any]
    refresh_outputs: list[Any]


def row_content(r: Commitment) -> str:
    """What a row says, in one line of text."""
    if r.kind == "reply_meta":
        return f"第{r.number}号提案 提案人 {r.proposer or '?'} 答复 {r.reply_date or '?'}"
    return r.text


def table_rows(rows: Sequence[Commitment]) -> list[list[str]]:
    """Rows as text, in `TABLE_HEADERS` order."""
    return [[row_content(r), "、".join(r.units), r.deadline or "", KIND_LABELS.get(r.kind, r.kind), r.doc_title]
            for r in rows]


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
    return (f'<div class="pq-ledger-src"><div class="pq-title">{e(row.doc_title)}</div>'
            + (f'<div class="pq-meta">{meta}</div>' if meta else "")
            + (f'<div class="pq-path">{path}</div>' if path else "")
            + f'<div class="pq-para">{body}</div>'
            f'<div class="pq-meta">{e(row.source)} [{row.start}:{row.end}]</div></div>')


def ledger_table(rows: Sequence[Commitment], documents: Sequence[Document]) -> str:
    """The ledger as a fixed-layout HTML table; each row's 内容 opens its source card."""
    if not rows:
        return EMPTY
    e = html.escape
    by_id = {d.doc_id: d for d in documents}
    body = []
    for r, cells in zip(rows[:MAX_ROWS_SHOWN], table_rows(rows[:MAX_ROWS_SHOWN]), strict=True):
        content, units, deadline, kind, title = (e(c) for c in cells)
        body.append(
            f'<tr><td><details class="pq-card pq-ledger-row"><summary>{content}</summary>'
            f'{source_card_html(r, by_id.get(r.doc_id))}</details></td>'
            f'<td>{units or "—"}</td><td>{deadline or "—"}</td><td>{kind}</td><td>{title}</td></tr>')
    more = (f'<p class="pq-meta">共 {len(rows)} 条，只显示前 {MAX_ROWS_SHOWN} 条；下载 CSV / Excel 可得全部。</p>'
            if len(rows) > MAX_ROWS_SHOWN else f'<p class="pq-meta">共 {len(rows)} 条。点击内容查看出处。</p>')
    head = "".join(f"<th>{h}</th>" for h in TABLE_HEADERS)
    return (f'{more}<div class="pq-table-wrap"><table class="pq-ledger" id="pq-ledger-table">'
            f'<colgroup><col class="c-content"><col class="c-units"><col class="c-deadline"><col class="c-kind">'
            f'<col class="c-doc"></colgroup><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            f"</table></div>")


def _choices(rows: Sequence[Commitment], documents: Sequence[Document]) -> tuple[list, list, list]:
    units = sorted({u for r in rows for u in r.units})
    years = sorted({str(r.year) for r in rows if r.year})
    with_rows = {r.doc_id for r in rows}
    docs = [(d.title, d.doc_id) for d in documents if d.doc_id in with_rows]
    return [("全部", ""), *[(u, u) for u in units]], [("全部", ""), *[(y, y) for y in years]], [("全部", ""), *docs]


def build_commitments_tab(get_rows: Callable[[], Sequence[Commitment]],
                          get_documents: Callable[[], Sequence[Document]],
                          downloads: Downloads | None = None) -> CommitmentsTab:
    """Render the ledger's controls inside the current tab and wire their events."""
    downloads = downloads or Downloads()

    def update(unit: str, year: str, doc: str, kind: str) -> tuple:
        rows = filter_ledger(get_rows(), unit=unit or None, year=int(year) if year else None,
                             doc=doc or None, kind=kind or None)
        out_dir = downloads.folder("\n".join(r.row_id for r in rows) or "empty")
        csv_path = write_csv(rows, out_dir / "commitments.csv")
        xlsx_path = write_xlsx(rows, out_dir / "commitments.xlsx")
        return ledger_table(rows, get_documents()), str(csv_path), str(xlsx_path)

    def refresh(unit: str, year: str, doc: str, kind: str) -> tuple:
        units, years, docs = _choices(get_rows(), get_documents())
        return (gr.Dropdown(choices=units), gr.Dropdown(choices=years), gr.Dropdown(choices=docs),
                *update(unit, year, doc, kind))

    with gr.Row(equal_height=True):
        unit = gr.Dropdown([("全部", "")], value="", label="责任单位", filterable=True, min_width=160)
        year = gr.Dropdown([("全部", "")], value="", label="年份", min_width=100)
        doc = gr.Dropdown([("全部", "")], value="", label="文件", filterable=True, min_width=200)
        kind = gr.Dropdown(KIND_CHOICES, value="", label="类型", min_width=100)
        again = gr.Button("刷新", size="sm", min_width=80)
    table = gr.HTML(EMPTY, elem_id="pq-ledger")
    with gr.Row():
        csv_btn = gr.DownloadButton("下载 CSV", size="sm")
        xlsx_btn = gr.DownloadButton("下载 Excel", size="sm")
    filters = [unit, year, doc, kind]
    outputs = [table, csv_btn, xlsx_btn]
    for f in filters:
        f.change(update, filters, outputs, api_visibility="private")
    refresh_outputs = [unit, year, doc, *outputs]
    again.click(refresh, filters, refresh_outputs, api_visibility="private")
    return CommitmentsTab(table, refresh, filters, refresh_outputs)
