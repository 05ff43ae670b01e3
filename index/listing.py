"""Which files under a corpus folder are sources, and why every other entry is left out.

A source is a regular file inside the folder with a supported suffix. A symbolic link is
followed only when it resolves to a regular file inside the folder: a link to `/etc/passwd`
must never be indexed and shown to visitors. Linked folders are not entered. Hidden entries
(names starting with ".") are left out but listed, a hidden folder once rather than file by
file, so nothing is ignored without a word.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Listing:
    """The source files under a root, and (name relative to the root, reason) for the rest."""

    files: list[Path] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)


def list_sources(root: Path, supported: Collection[str]) -> Listing:
    """Sources under `root`, recursively, in a stable order; every other entry with a reason."""
    listing = Listing()
    real_root = root.resolve()
    errors: list[OSError] = []
    for folder, dirs, names in os.walk(root, onerror=errors.append):
        here = Path(folder)
        for name in sorted(dirs):
            reason = _folder_reason(here / name, real_root)
            if reason:
                listing.left_out.append((_rel(here / name, root) + "/", reason))
        dirs[:] = sorted(d for d in dirs if not _folder_reason(here / d, real_root))
        for name in sorted(names):
            path = here / name
            reason = _file_reason(path, real_root, supported)
            if reason:
                listing.left_out.append((_rel(path, root), reason))
            else:
                listing.files.append(path)
    for exc in errors:
        where = _rel(Path(exc.filename), root) if exc.filename else str(root)
        listing.left_out.append((where + "/", f"cannot list the folder: {exc.strerror or exc}"))
    return listing


def inside(path: Path, real_root: Path) -> bool:
    """Whether `path`, with every link resolved, lies inside `real_root` (itself resolved)."""
    try:
        return path.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):  # a link loop resolves nowhere
        return False


def _folder_reason(path: Path, real_root: Path) -> str | None:
    if path.name.startswith("."):
        return "hidden folder (name starts with '.'); not read"
    if path.is_symlink():
        where = "inside" if inside(path, real_root) else "outside"
        return f"link to a folder {where} the corpus folder; linked folders are not read"
    return None


def _file_reason(path: Path, real_root: Path, supported: Collection[str]) -> str | None:
    if path.name.startswith("."):
        return "hidden file (name starts with '.'); rename it to index it"
    if path.is_symlink():
        if not inside(path, real_root):
            return "symbolic link to a file outside the corpus folder; not read"
        if not path.is_file():
            return "symbolic link to something that is not a regular file"
    elif not path.is_file():
        return "not a regular file (a pipe, socket or device)"
    if path.suffix.lower() not in supported:
        return "unsupported file type"
    return None


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
