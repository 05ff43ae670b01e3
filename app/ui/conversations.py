"""Conversations kept on the server: one SQLite file in the data folder, no extra server.

A conversation belongs to an owner: the random id a browser keeps in its local storage (or
"api" for calls to `/ask`). Every read and write names the owner, so one browser never sees
another's conversations; `owner=None` is the admin's view of all of them. Each thread keeps
its own connection (Gradio answers in worker threads; reopening per call would make SQLite
checkpoint and fsync its journal on every close), each operation is one transaction, and
several app processes may share a data folder (WAL journal, busy timeout).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DB_NAME = "ui.sqlite3"
MAX_TITLE = 60
API_OWNER = "api"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS conversations_owner ON conversations (owner, updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
    persona TEXT NOT NULL, filters TEXT, created REAL NOT NULL,
    PRIMARY KEY (conversation, ordinal));
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, conversation TEXT NOT NULL,
    ordinal INTEGER NOT NULL, rating INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, settings TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL, UNIQUE (owner, conversation, ordinal));
"""


@dataclass(frozen=True)
class Conversation:
    id: str
    owner: str
    title: str
    created: float
    updated: float
    turns: int


@dataclass(frozen=True)
class StoredTurn:
    ordinal: int
    question: str
    answer: dict[str, Any]
    persona: str
    filters: dict[str, Any] | None
    created: float


def clean_title(text: str) -> str:
    """A one-line title: control characters removed, whitespace squeezed, at most MAX_TITLE."""
    text = "".join(ch for ch in str(text) if unicodedata.category(ch)[0] != "C" or ch in " \t\n")
    text = " ".join(text.split())
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def new_id() -> str:
    """A random, unguessable id (for owners and conversations)."""
    return secrets.token_urlsafe(16)


class ConversationStore:
    """Conversations, their turns and feedback on answers, in `<data_dir>/ui.sqlite3`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @classmethod
    def in_folder(cls, data_dir: Path) -> ConversationStore:
        return cls(data_dir / DB_NAME)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection inside one transaction (committed on success, rolled back
        on error)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=15)
            db.execute("PRAGMA foreign_keys=ON")
            # With the WAL journal, NORMAL survives an app crash (not a power cut) without an
            # fsync per answer; chat history does not need more.
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        with db:
            yield db

    def secret(self) -> str:
        """A random secret made once per data folder (it encrypts the browser's session id)."""
        with self.connect() as db:
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', ?)", (secrets.token_hex(16),))
            return str(db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()[0])

    # -- conversations -----------------------------------------------------------------------

    def create(self, owner: str, title: str) -> str:
        conv_id, now = new_id(), time.time()
        with self.connect() as db:
            db.execute("INSERT INTO conversations (id, owner, title, created, updated) VALUES (?, ?, ?, ?, ?)",
                       (conv_id, owner, clean_title(title) or "新对话", now, now))
        return conv_id

    def list_for(self, owner: str | None, limit: int = 200) -> list[Conversation]:
        """The owner's conversations, most recent first (`owner=None`: everyone's)."""
        sql = ("SELECT c.id, c.owner, c.title, c.created, c.updated, "
               "(SELECT COUNT(*) FROM turns t WHERE t.conversation = c.id) FROM conversations c")
        args: tuple[Any, ...] = ()
        if owner is not None:
            sql, args = sql + " WHERE c.owner = ?", (owner,)
        with self.connect() as db:
            rows = db.execute(sql + " ORDER BY c.updated DESC LIMIT ?", (*args, limit)).fetchall()
        return [Conversation(*row) for row in rows]

    def get(self, conv_id: str, owner: str | None) -> Conversation | None:
        """The conversation if it exists and belongs to `owner` (any owner when None)."""
        return next((c for c in self._select(conv_id) if owner is None or c.owner == owner), None)

    def _select(self, conv_id: str) -> list[Conversation]:
        with self.connect() as db:
            rows = db.execute(
                "SELECT c.id, c.owner, c.title, c.created, c.updated, "
                "(SELECT COUNT(*) FROM turns t WHERE t.conversation = c.id) FROM conversations c WHERE c.id = ?",
                (conv_id,)).fetchall()
        return [Conversation(*row) for row in rows]

    def turns(self, conv_id: str, owner: str | None) -> list[StoredTurn]:
        if self.get(conv_id, owner) is None:
            return []
        with self.connect() as db:
            rows = db.execute("SELECT ordinal, question, answer, persona, filters, created FROM turns "
                              "WHERE conversation = ? ORDER BY ordinal", (conv_id,)).fetchall()
        return [StoredTurn(o, q, json.loads(a), p, json.loads(f) if f else None, c) for o, q, a, p, f, c in rows]

    def add_turn(self, conv_id: str, owner: str, question: str, answer: dict[str, Any], persona: str,
                 filters: dict[str, Any] | None) -> int:
        """Append a turn; returns its ordinal. KeyError when the conversation is not the owner's."""
        now = time.time()
        with self.connect() as db:
            found = db.execute("SELECT owner FROM conversations WHERE id = ?", (conv_id,)).fetchone()
            if found is None or found[0] != owner:
                raise KeyError(conv_id)
            ordinal = db.execute("SELECT COALESCE(MAX(ordinal) + 1, 0) FROM turns WHERE conversation = ?",
                                 (conv_id,)).fetchone()[0]
            db.execute("INSERT INTO turns (conversation, ordinal, question, answer, persona, filters, created) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (conv_id, ordinal, question, json.dumps(answer, ensure_ascii=False), persona,
                        json.dumps(filters, ensure_ascii=False) if filters else None, now))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conv_id))
        return int(ordinal)

    def rename(self, conv_id: str, owner: str | None, title: str) -> bool:
        title = clean_title(title)
        if not title or self.get(conv_id, owner) is None:
            return False
        with self.connect() as db:
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conv_id))
        return True

    def delete(self, conv_id: str, owner: str | None) -> bool:
        """Delete a conversation and its turns (feedback given on it is kept for review)."""
        if self.get(conv_id, owner) is None:
            return False
        with self.connect() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conv_id,))
        return True
