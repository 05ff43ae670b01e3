"""The local store's generations: folders in `settings.paths.index_dir`, one of them live.

    CURRENT          the live generation's folder name, replaced atomically (os.replace)
    gen-<stamp>/     one generation (index.stores.local_store); `.readers` is its lease file
    .build.lock      held (flock) by the one build that may run at a time

Every reader holds a shared flock on the `.readers` file of the generation it opened, for as
long as it has it open. A retired generation is removed only by someone who gets that lock
exclusively — so never while a reader (in any process on this machine or host sharing the
folder) still uses it — and is first renamed away, so a reader opening it at that moment
sees it gone and opens the live one instead of failing.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from config.errors import IndexMissingError
from config.settings import IndexSettings
from index.stores.base import Backend, Contents, Writer, exclusive_build
from index.stores.local_store import LocalStore, write_generation

log = logging.getLogger(__name__)
CURRENT = "CURRENT"
LEASE = ".readers"
BUILD_LOCK = ".build.lock"
BUILD_HINT = "build it with `policyqa index` (or `policyqa index DIR` for another corpus folder)"


def current_folder(index_dir: Path) -> Path | None:
    """The live generation folder, or None when no index has been built.

    A build may switch CURRENT and retire the generation it named between our reading it and
    looking into that folder: a folder found unfinished or gone is only believed when CURRENT
    still names it on a second reading."""
    seen: str | None = None
    for _ in range(50):
        try:
            name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        folder = index_dir / name
        if name and (folder / "manifest.json").is_file():
            return folder
        if name == seen:
            return None
        seen = name
    return None


class LocalBackend(Backend):
    """Generation folders under one index folder."""

    def __init__(self, index_dir: Path, settings: IndexSettings) -> None:
        self.index_dir = index_dir
        self.settings = settings

    def describe(self) -> str:
        return str(self.index_dir)

    def live(self) -> str | None:
        folder = current_folder(self.index_dir)
        return None if folder is None else folder.name

    def open(self) -> LocalStore:
        # A build may switch CURRENT and retire what we just read at any moment: retry with the
        # new live generation (each retry means a newer generation exists, so this ends).
        for _ in range(50):
            name = self.live()
            if name is None:
                raise IndexMissingError(f"no index in {self.index_dir}; {BUILD_HINT}")
            lease = _take_lease(self.index_dir / name)
            if lease is None:
                time.sleep(0.01)
                continue
            try:
                return LocalStore(self.index_dir / name, self.settings,
                                  release=functools.partial(self._release, lease))
            except FileNotFoundError:
                os.close(lease)
        raise IndexMissingError(f"the index in {self.index_dir} kept changing while being opened; try again")

    def _release(self, fd: int) -> None:
        os.close(fd)  # closing the descriptor drops the shared lock
        # The last reader of a retired generation removes it (in the background).
        threading.Thread(target=self._sweep_quietly, name="index-sweep", daemon=True).start()

    def _sweep_quietly(self) -> None:
        try:
            self._sweep_generations()
        except OSError as exc:  # e.g. a read-only mount: the next build removes it
            log.info("could not remove retired generations: %s", exc)

    def writer(self) -> LocalWriter:
        return LocalWriter(self.index_dir, self.settings)

    def build_lock(self) -> AbstractContextManager[None]:
        return exclusive_build(self.index_dir / BUILD_LOCK, str(self.index_dir))

    def sweep(self) -> list[str]:
        """Remove generations other than the live one that nobody holds (a generation being
        written is held by its writer until it is live), and what killed builds left. Called
        by a build, under the build lock."""
        removed = self._sweep_generations()
        for making in self.index_dir.glob(".new-*"):  # a build killed before it named its folder
            _remove_unleased(making, self.live)
        return removed

    def _sweep_generations(self) -> list[str]:
        removed = []
        for path in sorted(self.index_dir.glob("gen-*")):
            if path.name != self.live() and path.is_dir() and _remove_unleased(path, self.live):
                removed.append(path.name)
        for trash in self.index_dir.glob(".trash-*"):  # left by a sweep that was killed
            shutil.rmtree(trash, ignore_errors=True)
        return removed


def _take_lease(folder: Path) -> int | None:
    """A shared lock on the generation's lease file, or None when it is being removed."""
    path = folder / LEASE
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        # A sweep renames the folder before deleting it: the lease we hold must still be the
        # one at this path, or the generation is on its way out.
        if os.stat(path).st_ino != os.fstat(fd).st_ino:
            raise FileNotFoundError(path)
    except (BlockingIOError, FileNotFoundError):
        os.close(fd)
        return None
    return fd


def _remove_unleased(folder: Path, live: Callable[[], str | None]) -> bool:
    try:
        fd = os.open(folder / LEASE, os.O_RDONLY)
    except FileNotFoundError:
        fd = None  # a build killed before it made its lease file, or a pre-lease folder
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Asked again under the lock: a writer holds its lease until after it has published, so
        # a generation that just went live is seen as live here.
        if live() == folder.name:
            return False
        trash = folder.with_name(f".trash-{folder.name}")
        os.replace(folder, trash)
    except BlockingIOError:
        return False  # a reader still uses it: its last reader or the next build removes it
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.EACCES, errno.EROFS):
            raise
        return False
    finally:
        if fd is not None:
            os.close(fd)
    shutil.rmtree(trash, ignore_errors=True)
    log.info("removed retired index generation %s", folder.name)
    return True


class LocalWriter(Writer):
    """A new generation folder; live only after `publish` replaces CURRENT."""

    def __init__(self, index_dir: Path, settings: IndexSettings) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        self.index_dir = index_dir
        self.settings = settings
        name = f"gen-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        # Made under a name no sweep looks at, leased, then renamed: the lease is held until
        # published (or discarded), so no sweep takes a folder still being written.
        making = index_dir / f".new-{name}"
        making.mkdir()
        (making / LEASE).touch()
        self._lease = _take_lease(making)
        self.folder = index_dir / name
        os.rename(making, self.folder)

    def write(self, contents: Contents) -> None:
        contents.check()
        write_generation(self.folder, contents, self.settings)

    def publish(self) -> str:
        tmp = self.index_dir / f".{CURRENT}.{secrets.token_hex(3)}"
        tmp.write_text(self.folder.name, encoding="utf-8")
        os.replace(tmp, self.index_dir / CURRENT)  # the one atomic step
        self._drop_lease()
        return self.folder.name

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self._drop_lease()

    def _drop_lease(self) -> None:
        if self._lease is not None:
            os.close(self._lease)
            self._lease = None
