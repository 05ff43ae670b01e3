"""`policyqa serve [--corpus DIR] [--host H] [--port N]`: the chat UI in the browser.

Serves the page at once. When there is no index yet, it is built in the background while the
page shows the build's progress (and tells anyone asking a question to wait); otherwise the
embedding model loads in a background thread (or on the first question).
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
    from app.ui.readiness import Readiness
    from assistant.build import build_assistant

    assistant = build_assistant(settings)
    warm = None if args.no_warm_up else (lambda: _warm_up(assistant))
    if assistant.has_index():
        readiness = Readiness.ready()
        if warm is not None:
            threading.Thread(target=warm, name="warm-up", daemon=True).start()
    else:
        print(f"No index in {settings.paths.index_dir}; building it from {settings.paths.corpus} in the "
              "background (the page shows its progress) …", flush=True)
        readiness = Readiness.build(assistant, then=warm)
    app = build_app(assistant, readiness=readiness)
    options = launch_options(settings, app, host=args.host, port=args.port)
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
