"""Optional rerank stage: a sentence-transformers CrossEncoder loaded from a local folder.

Off by default (`retrieval.rerank = false`). When on, the fused candidates are re-scored by
the cross-encoder, which reads query and passage together — slower, sometimes sharper.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from config.errors import BackendError, ConfigError
from config.settings import RetrievalSettings


class Reranker(Protocol):
    def score(self, query: str, passages: list[str]) -> np.ndarray:
        """One relevance score per passage (higher is better)."""
        ...


class CrossEncoderReranker:
    """sentence-transformers `CrossEncoder` from `model` (a folder), loaded on first use."""

    def __init__(self, model: str) -> None:
        if not model:
            raise ConfigError("retrieval.rerank is on but retrieval.reranker_model is empty; "
                              "set it to a local cross-encoder folder or turn rerank off")
        self.model = model
        self._ce: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._ce is not None:
                return
            try:
                from sentence_transformers import CrossEncoder
            except ImportError as exc:
                raise BackendError("reranking needs the 'st' extra: "
                                   "pip install -c constraints.txt '.[st]'") from exc
            try:
                # A hub name works only when already in the local cache: nothing is downloaded.
                model = str(Path(self.model).expanduser())
                self._ce = CrossEncoder(model, device="cpu", local_files_only=True)
            except (OSError, ValueError) as exc:
                raise BackendError(f"cannot load cross-encoder '{self.model}' offline ({exc}); "
                                   "set retrieval.reranker_model to a local folder") from exc

    def score(self, query: str, passages: list[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        self.warm_up()
        out = self._ce.predict([(query, p) for p in passages], show_progress_bar=False)
        return np.asarray(out, dtype=np.float32).reshape(len(passages), -1)[:, -1]


def make_reranker(settings: RetrievalSettings) -> Reranker | None:
    """The configured reranker, or None when reranking is off."""
    return CrossEncoderReranker(settings.reranker_model) if settings.rerank else None
