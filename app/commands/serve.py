"""`policyqa serve [--corpus DIR] [--host H] [--port N]`: the chat UI in the browser.

Builds the index first when there is none (with a progress bar), then serves the page at
once; the embedding model loads in a background thread (or on the first question).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from config import Settings

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    from app.cli import add_corpus_option

    p = sub.add_parser(
        "serve", help="serve the chat UI (builds the index first if there is none)",
        description="Serve the Gradio chat UI over the index of the corpus. Listens on "
        "ui.host:ui.port (127.0.0.1:7860 by default). Set the variable named by "
        "ui.admin_password_env to enable the admin tab (upload and remove documents).",
    )
    add_corpus_option(p)
    p.add_argument("--host", metavar="H", help="address to listen on (default: ui.host)")
    p.add_argument("--port", type=int, metavar="N", help="port to listen on (default: ui.port)")
    p.add_argument("--no-warm-up", action="store_true",
                   help="load the embedding model on the first question instead of in the background")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from app.ui.app import build_app, launch_options  # heavy imports only when serving
    from assistant.build import build_assistant

    assistant = build_assistant(settings)
    if not assistant.has_index():
        print(f"No index in {settings.paths.index_dir}; building it from {settings.paths.corpus} …",
              flush=True)
        report = assistant.ensure_index(progress=True)
        if report is not None:
            print(f"index: {report.summary()}", flush=True)
    app = build_app(assistant)
    if not args.no_warm_up:
        threading.Thread(target=_warm_up, args=(assistant,), name="warm-up", daemon=True).start()
    options = launch_options(settings, host=args.host, port=args.port)
    print(f"policyqa: serving on http://{options['server_name']}:{options['server_port']}"
          + (" (admin tab on)" if settings.ui.admin_password() else ""), flush=True)
    # `kill` (SIGTERM) ends the server like Ctrl-C does, so its temporary files are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app.launch(**options)
    return 0


def _warm_up(assistant: object) -> None:
    try:
        assistant.warm_up()  # type: ignore[attr-defined]
    except Exception:  # a failed warm-up must not stop the server; the first question reports it
        log.exception("warm-up failed; models will load on the first question")
