"""The Documents tab: a table of the indexed documents and one document's cleaned text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import gradio as gr

from app.ui.base import AssistantPort
from app.ui.render import esc
from index.ingest import outline as heading_outline
from index.types import Chunk, Document

TYPE_LABEL = "类型"


@dataclass(frozen=True)
class DocsTab:
    table: gr.HTML
    picker: gr.Dropdown
    view: gr.HTML


def doc_choices(docs: Sequence[Document]) -> list[tuple[str, str]]:
    """Dropdown choices: (title, doc_id); the id disambiguates documents with one title."""
    return [(d.title or d.source, d.doc_id) for d in docs]


def documents_table(docs: Sequence[Document], counts: dict[str, int]) -> str:
    """An HTML table of documents and their metadata, every cell escaped."""
    if not docs:
        return '<p class="pq-empty">索引中还没有文档。</p>'
    head = ("标题", "发文机关 / 来源", "文号", "成文日期", "发布日期", TYPE_LABEL, "段落数")
    rows = []
    for d in docs:
        cells = (d.title or d.source, d.issuer, d.doc_number, d.written_date, d.published_date,
                 d.doc_type, counts.get(d.doc_id, 0))
        rows.append("<tr>" + "".join(f"<td>{esc(c) if c not in (None, '') else '—'}</td>" for c in cells)
                    + "</tr>")
    return ('<div class="pq-table-wrap"><table class="pq-docs"><thead><tr>'
            + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>" + "".join(rows)
            + "</tbody></table></div>")


def document_view(doc: Document | None, chunks: Sequence[Chunk]) -> str:
    """Metadata, heading outline (links into the text) and the chunks in order, escaped."""
    if doc is None:
        return '<p class="pq-empty">选择一份文档查看其清洗后的全文与目录。</p>'
    fields = (("发文机关 / 来源", doc.issuer), ("文号", doc.doc_number), ("成文日期", doc.written_date),
              ("发布日期", doc.published_date), (TYPE_LABEL, doc.doc_type), ("有效性", doc.validity),
              ("文件", doc.source))
    meta = "".join(f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in fields if v)
    if doc.proposal and doc.proposal.number:
        p = doc.proposal
        about = " ".join(x for x in (p.session, f"第{p.number}号", p.proposer) if x)
        meta += f"<dt>提案</dt><dd>{esc(about)}</dd>"
    items = "".join(
        f'<li class="pq-d{min(depth, 4)}"><a href="#pq-doc-c{ordinal}">{esc(h)}</a></li>'
        for depth, h, ordinal in heading_outline(chunks)
    )
    outline = f'<nav class="pq-outline"><h4>目录</h4><ul>{items}</ul></nav>' if items else ""
    body = []
    last_path: tuple[str, ...] = ()
    for c in chunks:
        # Show where a new section starts, unless the chunk itself opens with that heading.
        if c.heading_path[1:] and c.heading_path != last_path and not c.text.lstrip().startswith(c.heading_path[-1]):
            body.append(f'<div class="pq-crumb">{esc(" › ".join(c.heading_path[1:]))}</div>')
        last_path = c.heading_path
        body.append(f'<p class="pq-chunk" id="pq-doc-c{c.ordinal}">{esc(c.text)}</p>')
    return (f'<article class="pq-doc"><h3>{esc(doc.title or doc.source)}</h3><dl>{meta}</dl>'
            f'{outline}<div class="pq-doc-text">{"".join(body)}</div></article>')


def build_docs_tab(assistant: AssistantPort) -> DocsTab:
    """The Documents tab's components (filled by the app's load/refresh events)."""
    table = gr.HTML(documents_table([], {}), elem_id="pq-doc-table")
    picker = gr.Dropdown(label="查看文档", choices=[], value=None, interactive=True, elem_id="pq-doc-picker")
    view = gr.HTML(document_view(None, []), elem_id="pq-doc-view")

    def show(doc_id: str | None) -> str:
        if not doc_id:
            return document_view(None, [])
        return document_view(assistant.document(doc_id), assistant.chunks_of(doc_id))

    picker.change(show, inputs=picker, outputs=view, api_visibility="private")
    return DocsTab(table, picker, view)


def refresh_docs(assistant: AssistantPort) -> tuple[str, dict]:
    """New table HTML and picker choices after the index changed."""
    docs = assistant.documents()
    counts = {d.doc_id: len(assistant.chunks_of(d.doc_id)) for d in docs}
    return documents_table(docs, counts), gr.update(choices=doc_choices(docs), value=None)
