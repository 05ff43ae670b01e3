"""Ingest limits: what one source file may cost before it is skipped (`[ingest]` settings).

- size on disk (`max_file_mb`), checked before the file is opened;
- a .docx is a zip: the uncompressed sizes its parts declare are added up before any XML is
  parsed (`max_office_expanded_mb`), since a 200 KB file can expand to 50 MB of XML that
  python-docx would take hours over. Python's zipfile never inflates a part beyond its
  declared size, so the declared sizes are a real bound;
- time (`max_seconds_per_file`): parsing, cleaning and chunking run in a child process, which
  is stopped when a file takes longer. A thread could not be stopped, and a parser stuck in C
  code does not check a deadline.

Every refusal is an IngestError whose message names the limit, so `policyqa index` can say which
setting to raise.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import time
import traceback
import zipfile
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from config.errors import IngestError
from config.settings import IngestSettings

log = logging.getLogger(__name__)
T = TypeVar("T")
MB = 1024 * 1024
OFFICE = (".docx",)


def check_size(path: Path, limits: IngestSettings) -> None:
    """IngestError when the file is over `max_file_mb`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror}") from None
    if size > limits.max_file_mb * MB:
        raise IngestError(f"{size / MB:.1f} MB is over the {limits.max_file_mb:g} MB limit "
                          "(ingest.max_file_mb); raise it to index this file")


def check_office(path: Path, limits: IngestSettings) -> None:
    """IngestError when an Office file's parts declare more than `max_office_expanded_mb`."""
    if path.suffix.lower() not in OFFICE:
        return
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: the reader reports it in its own words
    if declared > limits.max_office_expanded_mb * MB:
        raise IngestError(f"expands to {declared / MB:.1f} MB, over the {limits.max_office_expanded_mb:g} MB "
                          "limit (ingest.max_office_expanded_mb); a zip bomb, or raise the limit")


class FileGuard:
    """Runs per-file ingest steps in a child process under a per-file time budget.

    One child serves a whole ingest run; a child that overruns is killed and the next file gets
    a fresh one. The budget of a file is shared by its steps (read, then clean and chunk).
    """

    def __init__(self, limits: IngestSettings) -> None:
        self.limits = limits
        self._spent: dict[str, float] = {}
        self._process: Any = None
        self._conn: Connection | None = None

    def read(self, name: str, path: Path, reader: Callable[[Path], T]) -> T:
        """`reader(path)` after the size and expansion checks, within the file's budget."""
        check_size(path, self.limits)
        check_office(path, self.limits)
        return self.run(name, reader, path)

    def run(self, name: str, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the child, charged to file `name`; IngestError when it overruns."""
        budget = self.limits.max_seconds_per_file - self._spent.get(name, 0.0)
        started = time.monotonic()
        try:
            return self._call(fn, args, max(budget, 0.0))
        finally:
            self._spent[name] = self._spent.get(name, 0.0) + time.monotonic() - started

    def close(self) -> None:
        """Stop the child. (Without this it still ends: it exits when its pipe closes, and it is a
        daemon of this process.)"""
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._conn.close()
        if self._process is not None:
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
        self._process = self._conn = None

    def __enter__(self) -> FileGuard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, fn: Callable[..., T], args: tuple[Any, ...], seconds: float) -> T:
        conn = self._child()
        conn.send((fn, args))
        if not conn.poll(seconds):
            self._kill()
            raise IngestError(f"took longer than {self.limits.max_seconds_per_file:g} s to read and chunk "
                              "(ingest.max_seconds_per_file); stopped")
        try:
            status, payload = conn.recv()
        except (EOFError, OSError):
            self._kill()
            raise IngestError("the reader process died while reading this file (out of memory?)") from None
        if status == "ok":
            return payload  # type: ignore[no-any-return]
        kind, message, trace = payload
        if kind != "IngestError":
            log.error("unexpected error while ingesting:\n%s", trace)
            raise IngestError(f"unexpected {kind}: {message}")
        raise IngestError(message)

    def _child(self) -> Connection:
        if self._conn is None:
            ctx: Any = multiprocessing.get_context(_start_method())
            mine, theirs = ctx.Pipe()
            process = ctx.Process(target=_serve, args=(theirs,), daemon=True, name="policyqa-ingest")
            try:
                process.start()
            finally:
                theirs.close()
            self._conn, self._process = mine, process
        return self._conn

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None


def _start_method() -> str:
    # forkserver: children fork from a clean single-threaded server, safe from a threaded web
    # app (plain fork would copy locks held by other threads); spawn where it is unavailable.
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _serve(conn: Connection) -> None:
    """The child's loop: run each (fn, args) received, send back ("ok", result) or the error."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent went away
        if job is None:
            return
        fn, args = job
        try:
            conn.send(("ok", fn(*args)))
        except Exception as exc:
            conn.send(("error", (type(exc).__name__, str(exc), traceback.format_exc())))
