"""Index stores by name (`[index] store`): an explicit map, each loaded on first use."""

from __future__ import annotations

from collections.abc import Callable

from config.errors import ConfigError
from config.settings import Settings
from index.stores.base import Backend


def _local(settings: Settings) -> Backend:
    from index.stores.local import LocalBackend

    return LocalBackend(settings.paths.index_dir, settings.index)


def _milvus(settings: Settings) -> Backend:
    from index.stores.milvus import MilvusBackend  # pymilvus is heavy: imported only when chosen

    return MilvusBackend(settings)


STORES: dict[str, Callable[[Settings], Backend]] = {"local": _local, "milvus": _milvus}


def backend_for(settings: Settings) -> Backend:
    """The store the settings name."""
    try:
        make = STORES[settings.index.store]
    except KeyError:
        raise ConfigError(f"unknown index.store '{settings.index.store}'; valid: {', '.join(STORES)}") from None
    return make(settings)
