"""A scripted OpenAI-compatible chat server for tests, on 127.0.0.1 and a free port.

    with FakeOpenAI(replies=["答案[1]。"]) as server:
        settings = LLMSettings(base_url=server.base_url, ...)
        ...
        server.requests[0]["messages"]  # what the client sent

Serves `POST /v1/chat/completions`, streamed (SSE `data: {...}` chunks, then `data: [DONE]`)
or not. Replies are taken in order (the last one repeats); `delay` holds the response back
(to force a client timeout) — or, with `stall_after=N`, stalls the stream after N chunks —
and `status` answers with an HTTP error instead.

A hostile server, for the fallback tests: `drip` waits that many seconds before each chunk;
`fault` breaks the stream after its first chunk — "bad_json" (an event that is not JSON),
"cut" (the connection closes without a finish or [DONE]), "reset" (the connection is reset),
"error_event" (an error object instead of a chunk) — or, as "html", answers 200 with an HTML
page instead of a stream; `finish` is the stream's finish reason ("length": cut off).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[dict[str, Any]], str]


class FakeOpenAI:
    """Context manager running the fake server in a background thread."""

    def __init__(
        self,
        replies: Sequence[Reply] = ("好的[1]。",),
        *,
        delay: float = 0.0,
        status: int = 200,
        chunk_chars: int = 3,
        stall_after: int | None = None,
        drip: float = 0.0,
        fault: str | None = None,
        finish: str = "stop",
    ) -> None:
        self.replies = list(replies)
        self.delay = delay
        self.status = status
        self.chunk_chars = chunk_chars
        self.stall_after = stall_after
        self.drip = drip
        self.fault = fault
        self.finish = finish
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown (and so each test) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()  # wakes handlers sleeping out a delay
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next_reply(self, request: dict[str, Any], headers: dict[str, str]) -> str:
        with self._lock:
            self.requests.append(request)
            self.headers.append(headers)
            index = min(len(self.requests), len(self.replies)) - 1
        reply = self.replies[index]
        return reply(request) if callable(reply) else reply

    def prompt_text(self, index: int = -1) -> str:
        """All message contents of request `index`, joined (to assert on the prompt)."""
        return "\n".join(str(m.get("content", "")) for m in self.requests[index]["messages"])


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, {"error": {"message": f"no route {self.path}"}})
                return
            length = int(self.headers.get("Content-Length", 0))
            request = json.loads(self.rfile.read(length) or b"{}")
            reply = fake._next_reply(request, {k.lower(): v for k, v in self.headers.items()})
            if fake.stall_after is None and fake.delay and fake._stopping.wait(fake.delay):
                return
            try:
                if fake.status != 200:
                    self._send_json(fake.status, {"error": {"message": "scripted failure"}})
                elif fake.fault == "html":
                    self._send_html()
                elif request.get("stream"):
                    self._stream(request, reply)
                elif fake.fault == "bad_json":
                    self._send_raw(b"{not json", "application/json")
                else:
                    self._send_json(200, _completion(request, reply))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to answer

        def _send_json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send_html(self) -> None:
            self._send_raw(b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")

        def _send_raw(self, data: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, request: dict[str, Any], reply: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            step = max(1, fake.chunk_chars)
            pieces = [reply[i : i + step] for i in range(0, len(reply), step)]
            for i, piece in enumerate(pieces):
                if i == fake.stall_after and fake._stopping.wait(fake.delay):
                    return
                if fake.drip and fake._stopping.wait(fake.drip):
                    return
                if i == 1 and fake.fault in ("bad_json", "cut", "reset", "error_event"):
                    self._break(fake.fault)
                    return
                delta = {"content": piece} | ({"role": "assistant"} if i == 0 else {})
                self._event(_chunk(request, delta, None))
            self._event(_chunk(request, {}, fake.finish))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _break(self, fault: str) -> None:
            if fault == "bad_json":
                self.wfile.write(b"data: {not json\n\n")
            elif fault == "error_event":
                self.wfile.write(b'data: {"error": {"message": "model overloaded"}}\n\n')
            self.wfile.flush()
            if fault == "reset":  # RST instead of FIN: the client sees a reset connection
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            if fault in ("cut", "reset"):
                self.connection.close()
                self.close_connection = True

        def _event(self, body: dict[str, Any]) -> None:
            self.wfile.write(b"data: " + json.dumps(body, ensure_ascii=False).encode() + b"\n\n")
            self.wfile.flush()

    return Handler


def _chunk(request: dict[str, Any], delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(request: dict[str, Any], reply: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
