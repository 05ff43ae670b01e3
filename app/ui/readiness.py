"""The first index build, run beside the page so the page is up while it works.

`serve` on an empty data folder starts `Readiness.build(assistant)`: the page is served at
once, shows the build's progress, and tells anyone who asks a question to wait. When an
index already exists, `Readiness.ready()` is used and nothing waits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from app.ui.base import AssistantPort
from config.errors import PolicyQAError

log = logging.getLogger(__name__)


class Readiness:
    """Whether the index can answer yet, and how far its first build has got."""

    def __init__(self, *, building: bool = False) -> None:
        self._done = threading.Event()
        if not building:
            self._done.set()
        self.error: str | None = None
        self.progress: tuple[int, int] = (0, 0)
        self.started = time.monotonic()

    @classmethod
    def ready(cls) -> Readiness:
        return cls()

    @classmethod
    def build(cls, assistant: AssistantPort, *, then: Callable[[], None] | None = None) -> Readiness:
        """Build the index in a background thread (if there is none); `then` runs after a success."""
        state = cls(building=True)

        def work() -> None:
            try:
                report = assistant.ensure_index(progress=False, on_progress=state._on_progress)
                if report is not None:
                    log.info("index built: %s", getattr(report, "summary", lambda: report)())
                if then is not None:
                    then()
            except PolicyQAError as exc:
                state.error = str(exc)
                log.error("first index build failed: %s", exc)
            except Exception as exc:  # reported on the page; the server keeps running
                state.error = f"{exc.__class__.__name__}: {exc}"
                log.exception("first index build failed")
            finally:
                state._done.set()

        threading.Thread(target=work, name="first-index-build", daemon=True).start()
        return state

    def _on_progress(self, done: int, total: int) -> None:
        self.progress = (done, total)

    @property
    def is_ready(self) -> bool:
        """True once the index can answer (False while building, and after a failed build)."""
        return self._done.is_set() and self.error is None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the build ends; True when it ended within `timeout`."""
        return self._done.wait(timeout)

    def message(self) -> str:
        """A one-line Chinese status for the page ("" when ready)."""
        if self.is_ready:
            return ""
        if self._done.is_set():
            return f"建立索引失败：{self.error}。请检查语料目录后重新启动服务。"
        done, total = self.progress
        seconds = int(time.monotonic() - self.started)
        if total:
            return (f"正在首次建立文档索引：已处理 {done}/{total} 个段落（{100 * done // total}%，"
                    f"已用 {seconds} 秒）。完成后即可提问，请稍候。")
        return f"正在首次建立文档索引（读取与切分文档中，已用 {seconds} 秒）。完成后即可提问，请稍候。"
