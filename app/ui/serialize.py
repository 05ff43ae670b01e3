"""Answers and filters as JSON, for the conversation and feedback store.

A citation is stored whole (it is small and flat). The closest passages shown beside a
refusal are stored by (doc_id, chunk_id) and looked up again when a conversation is opened;
a passage no longer in the index is left out rather than shown stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, fields
from typing import Any

from assistant.retrieve import Filters
from assistant.types import Answer, Citation, Hit
from index.types import Script

HitLookup = Callable[[str, str], Hit | None]  # (doc_id, chunk_id) -> the passage, if still indexed
_CITATION_FIELDS = {f.name for f in fields(Citation)}


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """Everything needed to show the answer again (its sources too)."""
    return {
        "question": answer.question, "text": answer.text, "refused": answer.refused,
        "script": answer.script, "backend": answer.backend, "notices": list(answer.notices),
        "flagged": list(answer.flagged),
        "citations": [asdict(c) for c in answer.citations],
        "closest": [{"doc_id": h.document.doc_id, "chunk_id": h.chunk.chunk_id, "rank": h.rank,
                     "fused_score": h.fused_score, "scores": dict(h.scores)} for h in answer.closest],
    }


def answer_from_dict(data: dict[str, Any], lookup: HitLookup) -> Answer:
    """The stored answer; closest passages that left the index are dropped."""
    citations = tuple(
        Citation(**{**{k: v for k, v in c.items() if k in _CITATION_FIELDS},
                    "heading_path": tuple(c.get("heading_path", ()))})
        for c in data.get("citations", ())
    )
    closest = tuple(h for h in (lookup(c["doc_id"], c["chunk_id"]) for c in data.get("closest", ()))
                    if h is not None)
    script: Script = "traditional" if data.get("script") == "traditional" else "simplified"
    return Answer(
        question=str(data.get("question", "")), text=str(data.get("text", "")), citations=citations,
        refused=bool(data.get("refused")), script=script, backend=str(data.get("backend", "extractive")),
        notices=tuple(data.get("notices", ())), flagged=tuple(data.get("flagged", ())), closest=closest,
    )


def filters_to_dict(filters: Filters | None) -> dict[str, Any] | None:
    return None if filters is None else {
        "doc_ids": list(filters.doc_ids), "doc_types": list(filters.doc_types),
        "issuers": list(filters.issuers), "year_from": filters.year_from, "year_to": filters.year_to,
    }


def filters_from_dict(data: dict[str, Any] | None) -> Filters | None:
    if not data:
        return None
    return Filters(doc_ids=tuple(data.get("doc_ids", ())), doc_types=tuple(data.get("doc_types", ())),
                   issuers=tuple(data.get("issuers", ())), year_from=data.get("year_from"),
                   year_to=data.get("year_to"))
