"""The "承诺与目标" tab: escaped source cards, a fixed-layout table, a message for no rows."""

from __future__ import annotations

import dataclasses

import gradio as gr

from app.ui.commitments import EMPTY, TABLE_HEADERS, build_commitments_tab, ledger_table, source_card_html, table_rows
from index.commitments import build_ledger


def test_source_card_highlights_the_span_and_escapes_everything(ingested):
    rows = build_ledger(ingested.documents, ingested.chunks)
    row = next(r for r in rows if r.kind == "task")
    doc = next(d for d in ingested.documents if d.doc_id == row.doc_id)
    card = source_card_html(row, doc)
    assert f"<mark>{row.text}</mark>" in card and (doc.doc_number or "") in card
    evil = dataclasses.replace(row, doc_title="<script>alert(1)</script>", text="<b>x</b>")
    card = source_card_html(evil, None)
    assert "<script>" not in card and "&lt;b&gt;x&lt;/b&gt;" in card


def test_table_puts_content_and_units_first_and_says_when_empty(ingested):
    rows = [r for r in build_ledger(ingested.documents, ingested.chunks) if r.kind == "task" and r.units]
    table = ledger_table(rows, ingested.documents)
    assert table.count("<tr>") == len(rows) + 1 and 'class="pq-ledger"' in table
    assert table.index("<th>内容</th>") < table.index("<th>责任单位</th>") < table.index("<th>期限</th>")
    assert "、".join(rows[0].units) in table and "<details" in table  # the card opens from the row
    assert ledger_table([], ingested.documents) == EMPTY and "没有符合条件" in EMPTY


def test_tab_builds_and_refreshes(ingested):
    rows = build_ledger(ingested.documents, ingested.chunks)
    with gr.Blocks():
        tab = build_commitments_tab(lambda: rows, lambda: ingested.documents)
    out = tab.refresh("", "", "", "task")
    table = out[3]
    assert table.count("<tr>") == sum(r.kind == "task" for r in rows) + 1
    assert all(len(line) == len(TABLE_HEADERS) for line in table_rows(rows))
    assert out[4].endswith(".csv") and out[5].endswith(".xlsx")
    assert tab.refresh("no such unit", "", "", "")[3] == EMPTY
