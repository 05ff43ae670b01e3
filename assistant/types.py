"""Core query-side types: Hit, Citation, Answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.types import Chunk, Document, Script


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with each retriever's score and rank, and its fused rank (1-based)."""

    chunk: Chunk
    document: Document
    rank: int
    fused_score: float
    scores: dict[str, float] = field(default_factory=dict)  # {"dense": .., "bm25": .., ...}
    ranks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: the quoted sentence(s) and where they are."""

    number: int
    chunk_id: str
    doc_id: str
    source: str
    title: str
    doc_number: str | None
    date: str | None
    heading_path: tuple[str, ...]
    quote: str  # as the source has it
    start: int  # offsets of `quote` in the document's source text
    end: int
    paragraph: str = ""  # the chunk text the quote comes from
    paragraph_start: int = 0


@dataclass(frozen=True)
class Answer:
    """An answer with inline markers [1], [2]… that refer to `citations` by number."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    script: Script
    backend: str = "extractive"
    notices: tuple[str, ...] = ()  # e.g. fallback to extractive, truncated query
    flagged: tuple[str, ...] = ()  # sentences the checker could not support from the citations
    closest: tuple[Hit, ...] = ()  # shown with a refusal
