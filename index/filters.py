"""Filters that restrict retrieval to some documents, and the per-document keys they compare.

The stores run filters inside their engine (an SQL query and a row mask for the local store,
a boolean expression for Milvus), so both compare the same keys: a document's type and issuer
normalised (simplified script, half-width, stripped) and its year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from index.normalize import normalize
from index.types import Document


def filter_key(value: str | None) -> str:
    """The form a type or issuer is compared in, so either script matches ("" when absent)."""
    return normalize(value).strip() if value else ""


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some documents. Empty fields do not restrict."""

    doc_ids: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    def active(self) -> bool:
        return bool(self.doc_ids or self.doc_types or self.issuers
                    or self.year_from is not None or self.year_to is not None)

    def type_keys(self) -> tuple[str, ...]:
        return _keys(self.doc_types)

    def issuer_keys(self) -> tuple[str, ...]:
        return _keys(self.issuers)

    def accepts(self, doc: Document) -> bool:
        """Whether `doc` passes every filter (issuers and types compare script-insensitively)."""
        if self.doc_ids and doc.doc_id not in self.doc_ids:
            return False
        if self.doc_types and filter_key(doc.doc_type) not in self.type_keys():
            return False
        if self.issuers and filter_key(doc.issuer) not in self.issuer_keys():
            return False
        if self.year_from is not None or self.year_to is not None:
            year = doc.year
            if year is None:
                return False
            if self.year_from is not None and year < self.year_from:
                return False
            if self.year_to is not None and year > self.year_to:
                return False
        return True


def _keys(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(k for k in (filter_key(v) for v in values) if k)
