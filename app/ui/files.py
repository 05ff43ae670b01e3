"""Files the UI offers for download (an answer as Markdown, the ledger as CSV/Excel).

They go into one temporary folder owned by the app, removed when the app is garbage-collected
or the process exits; each export gets a subfolder named by its content, so asking the same
thing twice writes nothing new, and subfolders older than `max_age_s` are pruned as new ones
are written. (Gradio copies served files into its own cache, which `delete_cache` cleans.)
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from pathlib import Path


class Downloads:
    """A bounded, self-cleaning folder of files to download."""

    def __init__(self, *, max_age_s: float = 3600.0, prefix: str = "policyqa-downloads-") -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix=prefix)
        self.root = Path(self._tmp.name)
        self.max_age_s = max_age_s

    def folder(self, content: str | bytes) -> Path:
        """A subfolder for files derived from `content` (the same content, the same folder)."""
        raw = content.encode("utf-8") if isinstance(content, str) else content
        path = self.root / hashlib.sha256(raw).hexdigest()[:16]
        path.mkdir(exist_ok=True)
        path.touch()  # a reused folder counts as new
        self.prune()
        return path

    def write_text(self, name: str, text: str) -> Path:
        """`text` saved as `name` (UTF-8) in its content's subfolder."""
        path = self.folder(text) / name
        if not path.exists():
            path.write_text(text, encoding="utf-8")
        return path

    def prune(self) -> None:
        """Remove subfolders not written for `max_age_s` seconds."""
        cutoff = time.time() - self.max_age_s
        for child in self.root.iterdir():
            try:
                if child.is_dir() and child.stat().st_mtime < cutoff:
                    shutil.rmtree(child, ignore_errors=True)
            except FileNotFoundError:  # pruned by another request at the same moment
                continue

    def close(self) -> None:
        self._tmp.cleanup()
