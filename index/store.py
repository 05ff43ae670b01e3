"""Opening the live index of whichever store the settings choose, with the manifest check.

The stores themselves are in `index.stores` (the interface in `base`, `local`, `milvus`).
"""

from __future__ import annotations

from config.settings import Settings
from index.manifest import check_manifest
from index.stores import backend_for
from index.stores.base import Store
from index.stores.local import BUILD_HINT, CURRENT, current_folder

__all__ = ["BUILD_HINT", "CURRENT", "Store", "current_folder", "has_index", "indexed_corpus", "open_index"]


def open_index(settings: Settings, *, check: bool = True) -> Store:
    """Open the live index; raise IndexMissingError / IndexMismatchError with what to do."""
    backend = backend_for(settings)
    store = backend.open()
    if check:
        try:
            check_manifest(store.manifest, settings, backend.describe())
        except BaseException:
            store.close()
            raise
    return store


def has_index(settings: Settings) -> bool:
    """Whether the configured store has a live index."""
    return backend_for(settings).live() is not None


def indexed_corpus(settings: Settings) -> str | None:
    """The corpus folder the live index was built from (None when there is no index)."""
    if not has_index(settings):
        return None
    store = open_index(settings, check=False)
    try:
        return store.manifest.corpus
    finally:
        store.close()
