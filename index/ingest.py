"""Ingest a corpus folder: load every file, clean it, extract metadata, chunk it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from config.settings import ChunkingSettings
from index.types import Chunk, Document


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


@dataclass
class IngestResult:
    documents: list[Document] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # log lines: spam and boilerplate removed

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        return [c for c in self.chunks if c.doc_id == doc_id]


def ingest_corpus(corpus: Path, chunking: ChunkingSettings, *, progress: bool = False) -> IngestResult:
    """Load, clean and chunk every supported file under `corpus`."""
    raise NotImplementedError  # being written now
