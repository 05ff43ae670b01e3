"""One browser's chat: its owner id, the open conversation, and what the chat box shows.

`ChatState` lives in a `gr.State` (one per page); the owner id and the open conversation's
id also live in the browser's local storage (`gr.BrowserState`), so a reload reopens the
conversation from the server-side store. Messages in the chat box line up with
`msg_turns` (which turn each message belongs to, -1 for an error or a stopped answer) and
each assistant message with an entry of `copies` (the Markdown its copy button puts on the
clipboard).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from app.ui.base import AssistantPort, Turn
from app.ui.conversations import ConversationStore, new_id
from app.ui.export import copy_markdown
from app.ui.render import answer_message, esc_md
from app.ui.serialize import answer_from_dict, filters_from_dict
from assistant.types import Hit
from config.errors import PolicyQAError

Messages = list[dict[str, Any]]


@dataclass(frozen=True)
class ChatState:
    owner: str = ""
    conversation: str = ""  # "" until the first answer of a new conversation is stored
    turns: tuple[Turn, ...] = ()
    msg_turns: tuple[int, ...] = ()  # per chat message: its turn index, or -1
    copies: tuple[str, ...] = ()  # per assistant message: Markdown for the clipboard ("" = as shown)

    def history(self) -> list[tuple[str, str]]:
        """(question, answer) pairs a follow-up is resolved against."""
        return [(t.question, t.answer.text) for t in self.turns]

    def browser_value(self) -> dict[str, str]:
        return {"owner": self.owner, "conversation": self.conversation}

    def turn_of_message(self, index: int) -> int:
        return self.msg_turns[index] if 0 <= index < len(self.msg_turns) else -1


def messages_of(turns: tuple[Turn, ...]) -> Messages:
    """The chat box's messages for stored turns."""
    out: Messages = []
    for i, t in enumerate(turns):
        out += [{"role": "user", "content": esc_md(t.question)},
                {"role": "assistant", "content": answer_message(t.answer, i)}]
    return out


def with_turns(state: ChatState, turns: tuple[Turn, ...]) -> ChatState:
    """`state` showing exactly `turns` (message bookkeeping rebuilt)."""
    return replace(state, turns=turns, msg_turns=tuple(i for i in range(len(turns)) for _ in (0, 1)),
                   copies=tuple(copy_markdown(t.answer) for t in turns))


def hit_lookup(assistant: AssistantPort) -> Any:
    """(doc_id, chunk_id) -> Hit, for the closest passages of a stored refusal."""
    def lookup(doc_id: str, chunk_id: str) -> Hit | None:
        try:
            doc = assistant.document(doc_id)
            chunks = assistant.chunks_of(doc_id) if doc is not None else []
        except PolicyQAError:  # no index yet (first build running)
            return None
        chunk = next((c for c in chunks if c.chunk_id == chunk_id), None)
        return None if doc is None or chunk is None else Hit(chunk=chunk, document=doc, rank=0, fused_score=0.0)
    return lookup


def open_conversation(store: ConversationStore, assistant: AssistantPort, owner: str, conv_id: str,
                      *, admin: bool = False) -> ChatState:
    """The stored conversation as a state (empty when it is not the owner's or is gone)."""
    if not conv_id or store.get(conv_id, None if admin else owner) is None:
        return ChatState(owner=owner)
    lookup = hit_lookup(assistant)
    turns = tuple(Turn(t.question, answer_from_dict(t.answer, lookup), t.persona, filters_from_dict(t.filters))
                  for t in store.turns(conv_id, None if admin else owner))
    return with_turns(ChatState(owner=owner, conversation=conv_id), turns)


def restore(store: ConversationStore, assistant: AssistantPort, browser: Any) -> ChatState:
    """The state for a page (re)load: the browser's owner id (a new one if it has none) and
    the conversation it had open."""
    value = browser if isinstance(browser, dict) else {}
    owner, conv = value.get("owner"), value.get("conversation")
    return open_conversation(store, assistant, owner if isinstance(owner, str) and owner else new_id(),
                             conv if isinstance(conv, str) else "")


def conversation_choices(store: ConversationStore, owner: str) -> list[tuple[str, str]]:
    """(label, id) of the owner's conversations, most recent first."""
    return [(f"{c.title} · {time.strftime('%m-%d %H:%M', time.localtime(c.updated))}", c.id)
            for c in store.list_for(owner)]
