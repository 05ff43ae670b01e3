"""What the Gradio UI needs from the assistant, and the small types its tabs share.

The UI talks only to this narrow interface (which `assistant.build.Assistant` provides), so
the tests can drive the whole app with a small in-memory fake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.retrieve import Filters
from assistant.types import Answer
from config.settings import Settings
from index.types import Chunk, Document

ProgressFn = Callable[[int, int], None]

# (label shown, persona name passed to the assistant)
PERSONAS: tuple[tuple[str, str], ...] = (
    ("市民 / 企业", "citizen"),
    ("政协委员", "cppcc"),
    ("政府工作人员", "staff"),
)


class AssistantPort(Protocol):
    """The part of `Assistant` the UI calls."""

    settings: Settings

    def stream(self, question: str, *, persona: str | None = None,
               history: Sequence[tuple[str, str]] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]: ...

    def ask(self, question: str, *, persona: str | None = None,
            history: Sequence[tuple[str, str]] = (), filters: Filters | None = None) -> Answer: ...

    def documents(self) -> list[Document]: ...

    def document(self, doc_id: str) -> Document | None: ...

    def chunks_of(self, doc_id: str) -> list[Chunk]: ...

    def warm_up(self) -> None: ...

    def add_files(self, paths: Sequence[Path], *, on_progress: ProgressFn | None = None) -> Any: ...

    def remove_document(self, doc_id: str, *, on_progress: ProgressFn | None = None) -> Any: ...


@dataclass(frozen=True)
class Turn:
    """One question and its final answer in a chat session."""

    question: str
    answer: Answer


def document_text(assistant: AssistantPort, doc_id: str) -> str:
    """The indexed text of a document ("" when it is no longer indexed)."""
    doc = assistant.document(doc_id)
    return doc.text if doc is not None else ""
