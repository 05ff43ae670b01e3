"""检索测试 (admin): which passages a query retrieves, with each retriever's score and rank,
and the refusal score the answerer would compute from them.

The same `search` the answerer uses (filters applied before ranking), and the assistant's own
`refusal_score`, so what this page shows is what answering sees.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import gradio as gr

from app.ui.base import AssistantPort, check_question
from app.ui.chat import ANY_YEAR, make_filters
from assistant.retrieve import MODES, Filters, Mode
from assistant.types import Hit
from config.errors import PolicyQAError

SNIPPET = 160
MODE_CHOICES = [("融合（向量 + BM25）", "fused"), ("仅向量", "dense"), ("仅 BM25", "bm25")]


def _score(hit: Hit, name: str) -> str:
    if name not in hit.scores:
        return "—"
    rank = hit.ranks.get(name)
    return f"{hit.scores[name]:.4f}" + (f"<span class='pq-meta'>（第 {rank}）</span>" if rank else "")


def hits_table(hits: Sequence[Hit]) -> str:
    """Ranked passages with fused, dense and BM25 scores (and each retriever's own rank)."""
    e = html.escape
    rows = []
    for h in hits:
        text = h.chunk.text.strip()
        body = (e(text) if len(text) <= SNIPPET else
                f"<details><summary>{e(text[:SNIPPET])}…</summary>{e(text[SNIPPET:])}</details>")
        path = " › ".join(h.chunk.heading_path[1:])
        rows.append(f"<tr><td>{h.rank}</td><td><b>{e(h.document.title or h.document.source)}</b>"
                    f"<div class='pq-meta'>{e(path)}</div><div class='pq-para'>{body}</div></td>"
                    f"<td>{_score(h, 'fused')}</td><td>{_score(h, 'dense')}</td><td>{_score(h, 'bm25')}</td></tr>")
    return ('<div class="pq-table-wrap"><table class="pq-docs pq-hits" id="pq-hits"><thead><tr><th>#</th>'
            '<th>段落</th><th>融合分</th><th>向量分</th><th>BM25 分</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")


def retrieval_report(assistant: AssistantPort, query: object, filters: Filters | None, k: int, mode: str) -> str:
    """The page's HTML for one query: refusal score against the threshold, then the passages."""
    try:
        text = check_question(query)
        if not text:
            return '<p class="pq-warn">请输入要测试的问题或关键词。</p>'
        chosen: Mode = next((m for m in MODES if m == mode), "fused")
        found = assistant.search(text, k=max(1, min(int(k), 50)), filters=filters, mode=chosen)
        score = assistant.refusal_score(found.query, found.hits)
    except PolicyQAError as exc:
        return f'<p class="pq-warn">出错：{html.escape(str(exc))}</p>'
    threshold = assistant.settings.answer.refusal_threshold
    verdict = "达到阈值，会尝试作答" if score >= threshold else "低于阈值，会拒答"
    notes = "".join(f'<p class="pq-meta">{html.escape(n)}</p>' for n in found.notices)
    head = (f'<p id="pq-refusal-score"><b>拒答分数 {score:.2f}</b>（阈值 {threshold:.2f}）：{verdict}。'
            f'<span class="pq-meta">作答时还有硬规则（如问到的文件或文号不在检索结果中）也会拒答。</span></p>')
    if not found.hits:
        return head + notes + '<p class="pq-empty">没有检索到段落（检查筛选条件）。</p>'
    return head + notes + hits_table(found.hits)


def build_retrieval_test(assistant: AssistantPort, authed: gr.State) -> list[gr.Dropdown]:
    """The page's controls (inside the admin panel); returns the filter dropdowns the app fills."""
    with gr.Row(equal_height=True):
        query = gr.Textbox(label="测试问题", placeholder="输入一个问题或关键词", max_lines=2, scale=4,
                           elem_id="pq-rt-query", max_length=assistant.settings.retrieval.max_query_chars)
        k = gr.Slider(1, 30, value=assistant.settings.retrieval.k, step=1, label="返回段落数 k", scale=1)
        mode = gr.Radio(MODE_CHOICES, value="fused", label="检索方式", scale=2)
    with gr.Row():
        docs = gr.Dropdown(label="文档", choices=[], multiselect=True, scale=3)
        types = gr.Dropdown(label="文档类型", choices=[], multiselect=True, scale=2)
        y0 = gr.Dropdown(label="起始年份", choices=[ANY_YEAR], value=ANY_YEAR, scale=1, min_width=100)
        y1 = gr.Dropdown(label="截止年份", choices=[ANY_YEAR], value=ANY_YEAR, scale=1, min_width=100)
    run = gr.Button("检索", variant="primary", elem_id="pq-rt-run")
    out = gr.HTML('<p class="pq-empty">输入问题后点“检索”，查看各检索器的打分与拒答分数。</p>', elem_id="pq-rt-out")

    def on_run(q: object, kk: float, m: str, d: list[str] | None, t: list[str] | None, a: str | None,
               b: str | None, ok: bool) -> str:
        if not ok:
            raise gr.Error("请先登录管理员账户。")
        return retrieval_report(assistant, q, make_filters(d, t, a, b), int(kk), m)

    gr.on([run.click, query.submit], on_run, [query, k, mode, docs, types, y0, y1, authed], out,
          api_visibility="private", concurrency_limit=2, concurrency_id="answer")
    return [docs, types, y0, y1]
