"""The one ledger row type, `Commitment`, and its stable id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from index.types import content_hash

Kind = Literal["target", "task", "reply_done", "reply_promise", "reply_meta"]
KINDS: tuple[str, ...] = ("target", "task", "reply_done", "reply_promise", "reply_meta")
# The CLI and the UI filter by these groups; "reply" covers every proposal-reply row.
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "target": ("target",),
    "task": ("task",),
    "reply": ("reply_done", "reply_promise", "reply_meta"),
    **{k: (k,) for k in ("reply_done", "reply_promise", "reply_meta")},
}
KIND_LABELS: dict[str, str] = {
    "target": "目标", "task": "任务", "reply_done": "已办", "reply_promise": "承诺", "reply_meta": "答复信息",
}


@dataclass(frozen=True)
class Commitment:
    """One ledger row: a target, a task with its units, or an item of a proposal reply.

    `text` is exactly `document.text[start:end]`; every other field is derived from it (or
    from the document's metadata) and may be normalised. `units` are normalised unit names.
    """

    row_id: str
    kind: Kind
    doc_id: str
    source: str
    doc_title: str
    heading_path: tuple[str, ...]
    text: str
    start: int
    end: int
    chunk_id: str = ""
    doc_number: str | None = None
    doc_date: str | None = None  # the document's best date (ISO), for year filters on undated rows
    units: tuple[str, ...] = ()
    lead_units: tuple[str, ...] = ()  # the units named as 牵头 (leading), when the source says so
    metric: str = ""  # targets: what is measured, as the source writes it
    comparator: str = ""  # targets: 达到 / 不低于 / 超过 / 以上 …, normalised
    value: str = ""  # targets: "1.5", "百亿", "翻番", "三清零"
    unit_of_measure: str = ""  # targets: "%", "亿元", "家" (normalised)
    deadline: str | None = None  # "2025" or an ISO date
    task: str = ""  # tasks: the section heading; reply items: the item's lead sentence
    session: str | None = None  # reply rows: 政协十三届一次会议
    number: str | None = None  # reply rows: proposal number
    proposer: str | None = None
    proposal_title: str | None = None
    reply_date: str | None = None
    office: str | None = None  # 承办部门
    contact: str | None = None  # 联系人 (and phone)

    @property
    def year(self) -> int | None:
        """The deadline's year, else the document's year (for rows without a deadline)."""
        for d in (self.deadline, self.doc_date):
            if d and d[:4].isdigit():
                return int(d[:4])
        return None


def make_row_id(doc_id: str, kind: str, start: int, end: int, text: str) -> str:
    """A stable id from the document, the kind, the span and its content."""
    return content_hash(f"{doc_id}\x00{kind}\x00{start}\x00{end}\x00{text}")[:16]
