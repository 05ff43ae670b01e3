"""The `/ask` endpoint for `gradio_client`: one question in, the answer as JSON out.

Every call is kept as a conversation (owner "api"), so staff can review what was asked; pass
the returned `conversation` id back to ask a follow-up in the same conversation.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import gradio as gr

from app.ui.base import PERSONAS, AssistantPort, check_question
from app.ui.conversations import API_OWNER, ConversationStore
from app.ui.export import answer_markdown
from app.ui.readiness import Readiness
from app.ui.serialize import answer_to_dict
from assistant.types import Answer
from config.errors import PolicyQAError

log = logging.getLogger(__name__)
PERSONA_NAMES = tuple(name for _label, name in PERSONAS)


def answer_json(answer: Answer, conversation: str = "") -> dict[str, Any]:
    """The API's answer: text, refusal flag, script, checker flags, notices, citations, Markdown."""
    return {
        "question": answer.question, "answer": answer.text, "refused": answer.refused,
        "script": answer.script, "backend": answer.backend, "notices": list(answer.notices),
        "flagged": list(answer.flagged), "conversation": conversation,
        "citations": [
            {"number": c.number, "title": c.title, "doc_number": c.doc_number, "date": c.date,
             "heading_path": list(c.heading_path), "quote": c.quote, "source": c.source,
             "doc_id": c.doc_id, "start": c.start, "end": c.end}
            for c in answer.citations
        ],
        "markdown": answer_markdown(answer),
    }


def make_ask(assistant: AssistantPort, store: ConversationStore, readiness: Readiness) -> Any:
    """The endpoint function (its docstring and signature are what API clients see)."""

    def ask(question: str, persona: str = "citizen", conversation: str = "") -> dict:
        """Answer a question from the indexed documents; persona: citizen | cppcc | staff;
        conversation: the id a previous answer returned, to ask a follow-up ("" starts a new one)."""
        if persona not in PERSONA_NAMES:
            raise gr.Error(f"unknown persona '{persona}'; valid: {', '.join(PERSONA_NAMES)}")
        try:
            text = check_question(question)
            if not readiness.is_ready:
                raise gr.Error(readiness.message())
            conv = conversation if isinstance(conversation, str) and store.get(conversation, API_OWNER) else ""
            turns = store.turns(conv, API_OWNER) if conv else []
            history = [(t.question, str(t.answer.get("text", ""))) for t in turns]
            answer = assistant.ask(text, persona=persona, history=history)
        except PolicyQAError as exc:
            raise gr.Error(str(exc)) from None
        try:
            conv = conv or store.create(API_OWNER, text)
            store.add_turn(conv, API_OWNER, text, answer_to_dict(answer), persona, None)
        except (sqlite3.Error, KeyError):  # the answer still goes out; only its record is lost
            log.exception("could not store an API conversation turn")
        return answer_json(answer, conv)

    return ask
