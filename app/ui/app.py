"""The Gradio app: `build_app(assistant)` for the page, `launch_options(settings, app)` for `launch`.

Tabs: 问答 (chat), 文档 (documents), 承诺与目标 (the commitments ledger) and 管理 (admin,
only when the admin password variable is set). The answer function is also an API endpoint,
`/ask`, for `gradio_client`. Building the app loads nothing heavy: document lists are filled
by the page's load event and models load on first use. While a first index build runs
(`Readiness`), the page is up, shows its progress and fills its lists when it is done.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from app.ui.admin import AdminContext, build_admin_tab
from app.ui.api import make_ask
from app.ui.base import AssistantPort
from app.ui.chat import Chat, filter_choices
from app.ui.chat_tab import build_chat_tab
from app.ui.commitments import build_commitments_tab
from app.ui.conversations import ConversationStore
from app.ui.docs import build_docs_tab, doc_choices, documents_table
from app.ui.files import Downloads
from app.ui.page import PAGE_CSS, page_js
from app.ui.readiness import Readiness
from app.ui.render import esc
from app.ui.upload_gate import UploadGate
from config.errors import PolicyQAError
from config.settings import Settings
from index.load import SUPPORTED

log = logging.getLogger(__name__)
SYSTEM_FONTS = ["system-ui", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
                "WenQuanYi Micro Hei", "sans-serif"]
STATUS_TICK_S = 2.0


def launch_options(settings: Settings, app: gr.Blocks | None = None, *, host: str | None = None,
                   port: int | None = None) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch`: loopback by default, no external fonts or share,
    Gradio's own upload size limit, and the gate that refuses uploads without an admin login."""
    gate = getattr(app, "upload_gate", None) or UploadGate()
    max_bytes = settings.ui.max_upload_mb * 2**20
    return {
        "server_name": host or settings.ui.host,
        "server_port": port or settings.ui.port,
        "share": False,
        "ssr_mode": False,
        "max_file_size": max_bytes,
        "footer_links": ["api"],
        "css": PAGE_CSS,
        "js": page_js(max_bytes, SUPPORTED),
        "app_kwargs": {"middleware": [gate.middleware()]},
        # System fonts only: the default theme would fetch web fonts, and the app is offline-first.
        "theme": gr.themes.Soft(font=SYSTEM_FONTS, font_mono=["ui-monospace", "monospace"]),
    }


def build_app(assistant: AssistantPort, *, readiness: Readiness | None = None,
              store: ConversationStore | None = None) -> gr.Blocks:
    """The whole page over one assistant. Cheap: no model or index is loaded here."""
    settings = assistant.settings
    readiness = readiness or Readiness.ready()
    store = store or ConversationStore.in_folder(settings.paths.data_dir)
    downloads = Downloads()
    gate = UploadGate()
    chat = Chat(assistant, store, readiness, downloads)
    # Files Gradio serves are copied into its cache: remove copies older than an hour, hourly.
    with gr.Blocks(title="政策问答", analytics_enabled=False, delete_cache=(3600, 3600)) as app:
        gr.Markdown("## 政策文件问答\n依据已收录的政策文件作答，每句话都注明出处；文档中没有的内容会如实说明。")
        status = gr.HTML(_status_html(readiness), elem_id="pq-status")
        timer = gr.Timer(STATUS_TICK_S, active=not readiness.is_ready)
        with gr.Tab("问答", id="chat"):
            chat_tab = build_chat_tab(chat)
        with gr.Tab("文档", id="docs"):
            docs = build_docs_tab(assistant)
        with gr.Tab("承诺与目标", id="commitments"):
            ledger = build_commitments_tab(lambda: _or_empty(assistant.ledger), lambda: _or_empty(assistant.documents),
                                           downloads)
        admin = None
        if settings.ui.admin_password():
            with gr.Tab("管理", id="admin"):
                admin = build_admin_tab(AdminContext(assistant, store, downloads, gate))

        lists = [docs.table, docs.picker, chat_tab.doc_filter, chat_tab.type_filter, chat_tab.year_from,
                 chat_tab.year_to, *(admin.filters if admin is not None else [])]

        def refresh() -> list[Any]:
            if not readiness.is_ready:
                return [f'<p class="pq-empty">{esc(readiness.message())}</p>', *[gr.update() for _ in lists[1:]]]
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
                out += [gr.update(choices=docs_c, value=[]), gr.update(choices=types, value=[]),
                        gr.update(choices=years), gr.update(choices=years)]
            return out

        def refresh_ledger(*filters: str) -> tuple:
            if not readiness.is_ready:
                return tuple(gr.update() for _ in ledger.refresh_outputs)
            return ledger.refresh(*filters)

        private: dict[str, Any] = {"api_visibility": "private"}
        app.load(chat.load, [chat_tab.browser], chat_tab.view, **private)
        app.load(refresh, None, lists, **private)
        app.load(refresh_ledger, ledger.refresh_inputs, ledger.refresh_outputs, **private)

        def tick() -> tuple[str, Any]:
            return _status_html(readiness), gr.Timer(active=not readiness.is_ready)

        app.load(tick, None, [status, timer], **private)  # the page's copy of both dates from build time
        hints = [chat_tab.view[0], chat_tab.question]  # the chatbot's examples and the question's placeholder
        app.load(chat_tab.examples, None, hints, **private)
        ticked = timer.tick(tick, None, [status, timer], **private)
        ticked.then(refresh, None, lists, **private).then(
            refresh_ledger, ledger.refresh_inputs, ledger.refresh_outputs, **private).then(
            chat_tab.examples, None, hints, **private)
        if admin is not None:
            for event in admin.changed:
                event.then(refresh, None, lists, **private)

        gr.api(make_ask(assistant, store, readiness), api_name="ask", concurrency_limit=4, concurrency_id="answer")

        def status_api() -> dict:
            """Whether the index can answer yet; while the first build runs, its progress."""
            done, total = readiness.progress
            return {"ready": readiness.is_ready, "message": readiness.message(), "done": done, "total": total}

        gr.api(status_api, api_name="status")
    app.queue(default_concurrency_limit=2)
    app.upload_gate = gate  # type: ignore[attr-defined]  # read by launch_options
    return app


def _status_html(readiness: Readiness) -> str:
    message = readiness.message()
    return f"<p>{esc(message)}</p>" if message else ""


def _or_empty(get: Any) -> Any:
    """The index's rows or documents, or none while there is no index yet."""
    try:
        return get()
    except PolicyQAError:
        return []
