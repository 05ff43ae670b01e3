"""The Gradio app: `build_app(assistant)` for the page, `launch_options(settings)` for `launch`.

Tabs: 问答 (chat), 文档 (documents), 承诺与目标 (commitments, when that module exists) and
管理 (admin, only when the admin password variable is set). The answer function is also an
API endpoint, `/ask`, for `gradio_client`. Building the app loads nothing heavy: document
lists are filled by the page's load event and models load on first use.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from app.ui.admin import build_admin_tab
from app.ui.base import PERSONAS, AssistantPort
from app.ui.chat import build_chat_tab, filter_choices
from app.ui.commitments import build_commitments_tab
from app.ui.docs import build_docs_tab, doc_choices, documents_table
from app.ui.files import Downloads
from app.ui.render import answer_markdown, esc
from config.errors import PolicyQAError
from config.settings import Settings

log = logging.getLogger(__name__)
PERSONA_NAMES = tuple(name for _label, name in PERSONAS)

# One delegated listener for every in-page source link (`a[href^="#pq-"]`): it reveals the
# card's turn, opens the <details>, highlights and scrolls to it. Capture phase, so the chat
# renderer's own link handling (new tab) never runs for these.
PAGE_JS = """
() => {
  if (window.__pqLinks) return;
  window.__pqLinks = true;
  document.addEventListener('click', (ev) => {
    const a = ev.target && ev.target.closest ? ev.target.closest('a[href^="#pq-"]') : null;
    if (!a) return;
    ev.preventDefault();
    ev.stopPropagation();
    const el = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
    if (!el) return;
    const turn = el.closest('.pq-turn');
    if (turn) document.querySelectorAll('.pq-turn').forEach((s) => { s.hidden = s !== turn; });
    if (el.tagName === 'DETAILS') el.open = true;
    document.querySelectorAll('.pq-active').forEach((x) => x.classList.remove('pq-active'));
    el.classList.add('pq-active');
    el.scrollIntoView({behavior: 'smooth', block: 'start'});
  }, true);
}
"""

PAGE_CSS = """
.pq-sources h4 { margin: .2em 0 .5em; font-size: .95em; color: var(--body-text-color-subdued); }
.pq-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .5em .75em;
  margin-bottom: .6em; background: var(--block-background-fill); }
.pq-card.pq-active { border-color: var(--color-accent); box-shadow: 0 0 0 2px var(--color-accent-soft); }
.pq-card summary { cursor: pointer; font-weight: 600; }
.pq-tag { color: var(--color-accent); margin-right: .25em; }
.pq-meta, .pq-path, .pq-crumb { font-size: .85em; color: var(--body-text-color-subdued); margin-top: .25em; }
.pq-para, .pq-window, .pq-chunk { white-space: pre-wrap; line-height: 1.7; margin: .4em 0;
  overflow-wrap: anywhere; }
.pq-para mark, .pq-window mark { background: #ffe58f; color: inherit; padding: 0 1px; }
.pq-here { background: rgba(255, 229, 143, .25); }
.pq-context summary { cursor: pointer; font-size: .85em; color: var(--color-accent); }
.pq-window { max-height: 24em; overflow-y: auto; font-size: .92em; border-left: 3px solid
  var(--border-color-primary); padding-left: .6em; }
a.pq-cite { text-decoration: none; font-weight: 600; padding: 0 1px; }
.pq-table-wrap { overflow-x: auto; }
table.pq-docs { border-collapse: collapse; width: 100%; font-size: .9em; }
table.pq-docs th, table.pq-docs td { border-bottom: 1px solid var(--border-color-primary); padding: .35em .5em;
  border-left: none; border-right: none; text-align: left; vertical-align: top; }
table.pq-docs th { white-space: nowrap; }
table.pq-docs td:first-child { min-width: 14em; }
table.pq-docs td:nth-child(n+3) { white-space: nowrap; }
.pq-doc dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em .8em; font-size: .9em; }
.pq-doc dd { margin: 0; overflow-wrap: anywhere; }
.pq-outline ul { list-style: none; padding-left: 0; font-size: .9em; }
.pq-outline .pq-d2 { padding-left: 1.2em; } .pq-outline .pq-d3 { padding-left: 2.4em; }
.pq-outline .pq-d4 { padding-left: 3.6em; }
.pq-warn { color: var(--color-red-600, #c00); }
.pq-empty { color: var(--body-text-color-subdued); }
@media (max-width: 640px) {
  .gradio-container { padding: 4px !important; }
  #pq-chat { height: 60vh !important; }
  table.pq-docs td:first-child { min-width: 10em; }
}
"""

SYSTEM_FONTS = ["system-ui", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
                "WenQuanYi Micro Hei", "sans-serif"]


def launch_options(settings: Settings, *, host: str | None = None, port: int | None = None) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch`: loopback by default, no external fonts or share."""
    return {
        "server_name": host or settings.ui.host,
        "server_port": port or settings.ui.port,
        "share": False,
        "ssr_mode": False,
        "max_file_size": f"{settings.ui.max_upload_mb}mb",
        "footer_links": ["api"],
        "css": PAGE_CSS,
        "js": PAGE_JS,
        # System fonts only: the default theme would fetch web fonts, and the app is offline-first.
        "theme": gr.themes.Soft(font=SYSTEM_FONTS, font_mono=["ui-monospace", "monospace"]),
    }


def answer_json(answer: Any) -> dict[str, Any]:
    """The API's answer: text, refusal flag, script, citations and a Markdown rendering."""
    return {
        "question": answer.question, "answer": answer.text, "refused": answer.refused,
        "script": answer.script, "notices": list(answer.notices),
        "citations": [
            {"number": c.number, "title": c.title, "doc_number": c.doc_number, "date": c.date,
             "heading_path": list(c.heading_path), "quote": c.quote, "source": c.source,
             "doc_id": c.doc_id, "start": c.start, "end": c.end}
            for c in answer.citations
        ],
        "markdown": answer_markdown(answer),
    }


def build_app(assistant: AssistantPort) -> gr.Blocks:
    """The whole page over one assistant. Cheap: no model or index is loaded here."""
    settings = assistant.settings
    downloads = Downloads()
    # Files Gradio serves are copied into its cache: remove copies older than an hour, hourly.
    with gr.Blocks(title="政策问答", analytics_enabled=False, delete_cache=(3600, 3600)) as app:
        gr.Markdown("## 政策文件问答\n依据已收录的政策文件作答，每句话都注明出处；文档中没有的内容会如实说明。")
        with gr.Tab("问答", id="chat"):
            chat = build_chat_tab(assistant, downloads)
        with gr.Tab("文档", id="docs"):
            docs = build_docs_tab(assistant)
        commitments = _commitments_tab(assistant, downloads)
        admin = None
        if settings.ui.admin_password():
            with gr.Tab("管理", id="admin"):
                admin = build_admin_tab(assistant)

        lists = [docs.table, docs.picker, chat.doc_filter, chat.type_filter, chat.year_from, chat.year_to]
        if admin is not None:
            lists.append(admin.remove_picker)

        def refresh() -> list[Any]:
            try:
                documents = assistant.documents()
                counts = {d.doc_id: len(assistant.chunks_of(d.doc_id)) for d in documents}
            except PolicyQAError as exc:
                return [f'<p class="pq-warn">{esc(exc)}</p>', *[gr.update() for _ in lists[1:]]]
            docs_c, types, years = filter_choices(documents)
            out = [documents_table(documents, counts), gr.update(choices=doc_choices(documents), value=None),
                   gr.update(choices=docs_c, value=[]), gr.update(choices=types, value=[]),
                   gr.update(choices=years), gr.update(choices=years)]
            if admin is not None:
                out.append(gr.update(choices=doc_choices(documents), value=None))
            return out

        app.load(refresh, None, lists, api_visibility="private")
        if commitments is not None and hasattr(commitments, "refresh"):
            app.load(commitments.refresh, commitments.refresh_inputs, commitments.refresh_outputs,
                     api_visibility="private")
        if admin is not None:
            admin.uploaded.then(refresh, None, lists, api_visibility="private")
            admin.removed.then(refresh, None, lists, api_visibility="private")

        def ask(question: str, persona: str = "citizen") -> dict:
            """Answer a question from the indexed documents; persona: citizen | cppcc | staff."""
            if persona not in PERSONA_NAMES:
                raise gr.Error(f"unknown persona '{persona}'; valid: {', '.join(PERSONA_NAMES)}")
            try:
                return answer_json(assistant.ask(question, persona=persona))
            except PolicyQAError as exc:
                raise gr.Error(str(exc)) from None

        gr.api(ask, api_name="ask", concurrency_limit=4, concurrency_id="answer")
    app.queue(default_concurrency_limit=2)
    return app


def _commitments_tab(assistant: AssistantPort, downloads: Downloads) -> Any:
    """Mount the commitments tab when the assistant has a ledger."""
    ledger = getattr(assistant, "ledger", None)
    if not callable(ledger):
        return None
    with gr.Tab("承诺与目标", id="commitments"):
        return build_commitments_tab(ledger, assistant.documents, downloads)
