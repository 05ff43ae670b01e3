"""Core ingestion types: one definition each, used everywhere."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Script = Literal["simplified", "traditional"]


@dataclass(frozen=True)
class ProposalInfo:
    """What a reply to a CPPCC or NPC proposal says about the proposal it answers."""

    session: str | None = None  # e.g. "政协十三届一次会议"
    number: str | None = None  # e.g. "0581"
    proposer: str | None = None  # e.g. "张郡"
    title: str | None = None  # the proposal's own title
    signer: str | None = None  # 签发人
    office: str | None = None  # 承办部门
    contact: str | None = None  # 联系人
    phone: str | None = None  # 联系电话


@dataclass(frozen=True)
class Document:
    """A source file after loading and cleaning.

    `text` is the source text exactly as loaded (decoded file contents, or the text layer of
    a PDF/DOCX/HTML file). Every offset in the system — chunk spans, citation spans, evidence
    spans — points into this string.
    """

    doc_id: str
    source: str  # file name relative to the corpus folder
    text: str
    title: str
    script: Script
    issuer: str | None = None
    doc_number: str | None = None
    written_date: str | None = None  # ISO 8601, or partial ("--08-05") when the year is absent
    published_date: str | None = None
    doc_type: str | None = None
    validity: str | None = None
    proposal: ProposalInfo | None = None
    content_hash: str = ""
    outline: tuple[tuple[int, str, int], ...] = ()  # (depth, heading, ordinal of its chunk)

    @property
    def date(self) -> str | None:
        """The best single date for display and year filters: written, else published."""
        return self.written_date or self.published_date

    @property
    def year(self) -> int | None:
        d = self.date
        return int(d[:4]) if d and d[:4].isdigit() else None


@dataclass(frozen=True)
class Chunk:
    """A section (or part of one) with its heading path and exact span in the source text.

    Invariant: `document.text[start:end] == text`, and `text_norm` has the same length as
    `text`, character for character (see `index.normalize`).
    """

    chunk_id: str
    doc_id: str
    heading_path: tuple[str, ...]
    text: str
    text_norm: str
    start: int
    end: int
    ordinal: int = 0  # position within its document
    kinds: tuple[str, ...] = field(default_factory=tuple)  # e.g. ("metadata",), ("signature",)


def content_hash(data: bytes | str) -> str:
    """sha256 hex of bytes or of a UTF-8 string."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def make_chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    """A stable id from the document, the span and the content (not a random uuid)."""
    return content_hash(f"{doc_id}\x00{start}\x00{end}\x00{text}")[:20]


def make_doc_id(source: str) -> str:
    """A stable id for a file from its path in the corpus, so updates keep the same id."""
    return content_hash(source.replace("\\", "/"))[:16]
