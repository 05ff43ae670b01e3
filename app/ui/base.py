"""What the Gradio UI needs from the assistant, and the small types its tabs share.

The UI talks only to `AssistantPort`. The real `assistant.build.Assistant` and the test fake
(`tests/fake_assistant.py`) both satisfy it, and both run the one conformance suite in
`tests/ui_contract.py`, so the fake cannot drift from the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from assistant.retrieve import Filters, Mode, Retrieval
from assistant.types import Answer, Hit
from config.errors import QueryError
from config.settings import Settings
from index.commitments.types import Commitment
from index.types import Chunk, Document

ProgressFn = Callable[[int, int], None]

# (label shown, persona name passed to the assistant)
PERSONAS: tuple[tuple[str, str], ...] = (
    ("市民 / 企业", "citizen"),
    ("政协委员", "cppcc"),
    ("政府工作人员", "staff"),
)
BAD_QUESTION = "问题无法识别：请输入一段文字（不含特殊控制字符）后重试。"


@runtime_checkable
class AssistantPort(Protocol):
    """Everything the UI calls on the assistant. Nothing else of it is used by `app.ui`."""

    settings: Settings

    # -- answering
    def stream(self, question: str, *, persona: str | None = None,
               history: Sequence[tuple[str, str]] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]: ...

    def ask(self, question: str, *, persona: str | None = None,
            history: Sequence[tuple[str, str]] = (), filters: Filters | None = None) -> Answer: ...

    # -- the retrieval test page
    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: Mode = "fused") -> Retrieval: ...

    def refusal_score(self, question: str, hits: Sequence[Hit]) -> float: ...

    # -- documents and the ledger
    def documents(self) -> list[Document]: ...

    def document(self, doc_id: str) -> Document | None: ...

    def chunks_of(self, doc_id: str) -> list[Chunk]: ...

    def ledger(self) -> list[Commitment]: ...

    # -- the index
    def has_index(self) -> bool: ...

    def ensure_index(self, *, progress: bool = True, on_progress: ProgressFn | None = None) -> Any: ...

    def warm_up(self) -> None: ...

    def reindex(self, *, rebuild: bool = False, progress: bool = False,
                on_progress: ProgressFn | None = None) -> Any: ...

    def add_files(self, paths: Sequence[Path], *, on_progress: ProgressFn | None = None) -> Any: ...

    def remove_document(self, doc_id: str, *, on_progress: ProgressFn | None = None) -> Any: ...


@dataclass(frozen=True)
class Turn:
    """One question and its final answer in a chat session, with what it was asked under."""

    question: str
    answer: Answer
    persona: str = "citizen"
    filters: Filters | None = None


def check_question(value: object) -> str:
    """The question as text, or QueryError with the one-line Chinese message.

    Browsers and API clients can send anything: a number, a list, text with a lone UTF-16
    surrogate (which no encoder accepts). Those are refused here, before any work.
    """
    if not isinstance(value, str):
        raise QueryError(BAD_QUESTION)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise QueryError(BAD_QUESTION)
    return value.strip()
