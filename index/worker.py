"""A child Python process that runs ingest steps, so one that overruns can be stopped.

Started as `python -m index.worker` (never through multiprocessing: its spawn and forkserver
modes re-run the parent's main script in the child, which an unguarded user script does not
survive, and plain fork copies locks held by a web server's other threads). Requests and
replies are pickled over two pipes: (function, args) in, ("ok", result) or ("error", (type
name, message, traceback)) out. The child exits when its input pipe closes, so it never
outlives the process that started it. One worker per process is shared, one call at a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import traceback
from multiprocessing.connection import Connection
from typing import Any


class WorkerTimeout(Exception):
    """The call did not finish in time; the worker was killed."""


class WorkerDied(Exception):
    """The worker exited mid-call (killed by the system, out of memory)."""


class Worker:
    """One child process; `call` runs a picklable function there with a time limit."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self.lock = threading.Lock()  # one call at a time; held by the caller

    def call(self, fn: Any, args: tuple[Any, ...], seconds: float) -> tuple[str, Any]:
        """("ok", result) or ("error", (kind, message, trace)); WorkerTimeout/WorkerDied."""
        self._start()
        assert self._send is not None and self._recv is not None
        try:
            self._send.send((fn, args))
            if not self._recv.poll(seconds):
                self.kill()
                raise WorkerTimeout
            reply: tuple[str, Any] = self._recv.recv()
            return reply
        except (EOFError, OSError):
            self.kill()
            raise WorkerDied from None

    def kill(self) -> None:
        """Stop the child now; the next call starts a fresh one."""
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(timeout=10)
        self._proc = self._send = self._recv = None

    def _start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # The child imports the same code as this process, wherever that was found.
        paths = [p for p in sys.path if p and os.path.isdir(p)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "index.worker", str(to_child_r), str(from_child_w)],
                pass_fds=(to_child_r, from_child_w), env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, close_fds=True,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._send = Connection(to_child_w, readable=False)
        self._recv = Connection(from_child_r, writable=False)


_SHARED = Worker()


def shared() -> Worker:
    """The process's worker (lazily started; hold its `lock` around `call`)."""
    return _SHARED


def _serve(requests: Connection, replies: Connection) -> None:
    while True:
        try:
            fn, args = requests.recv()
        except (EOFError, OSError):
            return  # the parent went away or closed the pipe
        try:
            reply: tuple[str, Any] = ("ok", fn(*args))
        except Exception as exc:
            reply = ("error", (type(exc).__name__, str(exc), traceback.format_exc()))
        replies.send(reply)


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
