"""👍/👎 on an answer, with an optional comment, kept for staff to review (and export as CSV).

A feedback row copies the question, the answer, its citations and the settings it was
answered under, so it stays readable after the conversation is deleted or the index changes.
One row per (owner, conversation, turn): a second click replaces the first.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass
from typing import Any

from app.ui.conversations import ConversationStore
from assistant.types import Answer

MAX_COMMENT = 2000
RATING_LABEL = {1: "👍", -1: "👎"}
CSV_HEADERS = ["时间", "评价", "说明", "问题", "回答", "引用", "设置", "对话", "轮次"]


@dataclass(frozen=True)
class Feedback:
    id: int
    owner: str
    conversation: str
    ordinal: int
    rating: int  # 1 or -1
    comment: str
    question: str
    answer: str
    citations: list[dict[str, Any]]
    settings: dict[str, Any]
    created: float


def citation_summary(answer: Answer) -> list[dict[str, Any]]:
    """What a reviewer needs of each citation: number, document, place and quote."""
    return [{"number": c.number, "title": c.title, "doc_number": c.doc_number, "source": c.source,
             "start": c.start, "end": c.end, "quote": c.quote} for c in answer.citations]


def record(store: ConversationStore, *, owner: str, conversation: str, ordinal: int, rating: int,
           question: str, answer: Answer, settings: dict[str, Any]) -> int:
    """Store (or replace) the rating of one answer to `question` (as the user typed it; a
    follow-up resolved to stand alone is `answer.question`); returns the feedback id."""
    if rating not in RATING_LABEL:
        raise ValueError(f"rating must be 1 or -1, not {rating!r}")
    now = time.time()
    with store.connect() as db:
        db.execute(
            "INSERT INTO feedback (owner, conversation, ordinal, rating, question, answer, citations, settings, "
            "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (owner, conversation, ordinal) DO UPDATE SET rating = excluded.rating, "
            "updated = excluded.updated",
            (owner, conversation, ordinal, rating, question, answer.text,
             json.dumps(citation_summary(answer), ensure_ascii=False), json.dumps(settings, ensure_ascii=False),
             now, now))
        row = db.execute("SELECT id FROM feedback WHERE owner = ? AND conversation = ? AND ordinal = ?",
                         (owner, conversation, ordinal)).fetchone()
    return int(row[0])


def withdraw(store: ConversationStore, *, owner: str, conversation: str, ordinal: int) -> None:
    """Remove a rating the user took back (clicked the same thumb again)."""
    with store.connect() as db:
        db.execute("DELETE FROM feedback WHERE owner = ? AND conversation = ? AND ordinal = ?",
                   (owner, conversation, ordinal))


def comment(store: ConversationStore, feedback_id: int, owner: str, text: str) -> bool:
    """Attach a comment to the owner's feedback row; False when there is no such row."""
    text = str(text).strip()[:MAX_COMMENT]
    with store.connect() as db:
        cur = db.execute("UPDATE feedback SET comment = ?, updated = ? WHERE id = ? AND owner = ?",
                         (text, time.time(), feedback_id, owner))
    return cur.rowcount == 1


def all_feedback(store: ConversationStore, *, rating: int | None = None, limit: int = 1000) -> list[Feedback]:
    """Feedback rows, newest first (only 👎 with rating=-1)."""
    sql = ("SELECT id, owner, conversation, ordinal, rating, comment, question, answer, citations, settings, "
           "created FROM feedback")
    args: tuple[Any, ...] = ()
    if rating is not None:
        sql, args = sql + " WHERE rating = ?", (rating,)
    with store.connect() as db:
        rows = db.execute(sql + " ORDER BY updated DESC LIMIT ?", (*args, limit)).fetchall()
    return [Feedback(id=r[0], owner=r[1], conversation=r[2], ordinal=r[3], rating=r[4], comment=r[5],
                     question=r[6], answer=r[7], citations=json.loads(r[8]), settings=json.loads(r[9]),
                     created=r[10]) for r in rows]


def to_csv(rows: list[Feedback]) -> str:
    """The feedback as CSV (UTF-8 with BOM when written, so Excel opens the Chinese right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for f in rows:
        cites = "\n".join(f"[{c['number']}] 《{c['title']}》 {c.get('doc_number') or ''} {c['source']}"
                          f"[{c['start']}:{c['end']}] {c['quote']}" for c in f.citations)
        writer.writerow([time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(f.created)),
                         RATING_LABEL.get(f.rating, str(f.rating)), f.comment, f.question, f.answer, cites,
                         json.dumps(f.settings, ensure_ascii=False), f.conversation, f.ordinal])
    return out.getvalue()
