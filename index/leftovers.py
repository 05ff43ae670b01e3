"""Removing what a build that never finished left in the index folder.

A build writes its generation folder's manifest last, and readers open only a folder that has
one (`index.store.current_folder`). So a `gen-*` folder without a manifest is an unfinished
build: killed outright (SIGKILL, power loss) before it could remove its own folder. No reader
can be using it, and it can hold hundreds of MB until the next build succeeds. Folders with a
manifest are complete generations; whether a reader still uses one is for the store to decide,
so they are never touched here. Call only while holding the build lock, so that no build is
writing the folders seen.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"


def clear_unfinished_builds(index_dir: Path) -> list[str]:
    """Delete `gen-*` folders without a manifest and stray pointer temp files; their names."""
    removed = []
    for path in sorted(index_dir.glob("gen-*")):
        if path.is_dir() and not path.is_symlink() and not (path / MANIFEST).exists():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    for tmp in index_dir.glob(".CURRENT.*"):  # a pointer written but never renamed into place
        tmp.unlink(missing_ok=True)
        removed.append(tmp.name)
    if removed:
        log.warning("removed what unfinished builds left in %s: %s", index_dir, ", ".join(removed))
    return removed
