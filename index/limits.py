"""Ingest limits: what one source file may cost before it is skipped (`[ingest]` settings).

- size on disk (`max_file_mb`), checked before the file is opened;
- a .docx is a zip: the uncompressed sizes its parts declare are added up before any XML is
  parsed (`max_office_expanded_mb`), since a 200 KB file can expand to 50 MB of XML, and
  python-docx took 17 s over 0.5 MB of short paragraphs here. Python's zipfile never inflates
  a part beyond its declared size, so the declared sizes are a real bound;
- time (`max_seconds_per_file`): parsing, cleaning and chunking run in a child process
  (`index.worker`), which is stopped when a file takes longer. A thread could not be stopped,
  and a parser stuck in C code does not check a deadline.

Every refusal is an IngestError whose message names the limit, so `policyqa index` can say which
setting to raise.
"""

from __future__ import annotations

import logging
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from config.errors import IngestError
from config.settings import IngestSettings
from index.worker import WorkerDied, WorkerTimeout, shared

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
    """Runs per-file ingest steps in the worker process (`index.worker`) under a time budget.

    The budget of a file is shared by its steps (read, then clean and chunk). A step that
    overruns has its worker killed; the next file gets a fresh one.
    """

    def __init__(self, limits: IngestSettings) -> None:
        self.limits = limits
        self._spent: dict[str, float] = {}

    def read(self, name: str, path: Path, reader: Callable[[Path], T]) -> T:
        """`reader(path)` after the size and expansion checks, within the file's budget."""
        check_size(path, self.limits)
        check_office(path, self.limits)
        return self.run(name, reader, path)

    def run(self, name: str, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the worker, charged to file `name`; IngestError when it overruns."""
        worker = shared()
        with worker.lock:
            budget = max(0.0, self.limits.max_seconds_per_file - self._spent.get(name, 0.0))
            started = time.monotonic()
            try:
                status, payload = worker.call(fn, args, budget)
            except WorkerTimeout:
                raise IngestError(f"took longer than {self.limits.max_seconds_per_file:g} s to read and "
                                  "chunk (ingest.max_seconds_per_file); stopped") from None
            except WorkerDied:
                raise IngestError("the reader process died while reading this file (out of memory?)") from None
            finally:
                self._spent[name] = self._spent.get(name, 0.0) + time.monotonic() - started
        if status == "ok":
            return payload  # type: ignore[no-any-return]
        kind, message, trace = payload
        if kind != "IngestError":
            log.error("unexpected error while ingesting %s:\n%s", name, trace)
            raise IngestError(f"unexpected {kind}: {message}")
        raise IngestError(message)
