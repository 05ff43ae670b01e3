"""The "承诺与目标" tab: its source card escapes text, and it builds inside a Blocks."""

from __future__ import annotations

import dataclasses

from app.ui.commitments import TABLE_HEADERS, build_commitments_tab, source_card_html, table_rows
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


def test_tab_builds_and_refreshes(ingested):
    import gradio as gr

    rows = build_ledger(ingested.documents, ingested.chunks)
    with gr.Blocks():
        tab = build_commitments_tab(lambda: rows, lambda: ingested.documents)
    out = tab.refresh("", "", "", "task")
    table, ids = out[3], out[4]
    assert len(ids) == len(table) == sum(r.kind == "task" for r in rows)
    assert all(len(line) == len(TABLE_HEADERS) for line in table_rows(rows))
    assert out[5].endswith(".csv") and out[6].endswith(".xlsx")
