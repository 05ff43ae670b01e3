"""Build, filter, store and export the commitments ledger."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from config.errors import IndexMissingError, PolicyQAError
from index.commitments.extract import extract_document
from index.commitments.types import KIND_GROUPS, KIND_LABELS, Commitment
from index.commitments.units import load_unit_table, unit_matches
from index.normalize import normalize
from index.types import Chunk, Document

LEDGER_FORMAT = 1
# Export columns: (header, how to read it from a row).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("类型", "kind"), ("文件", "doc_title"), ("文号", "doc_number"), ("日期", "doc_date"),
    ("章节", "heading_path"), ("事项", "task"), ("责任单位", "units"), ("牵头单位", "lead_units"),
    ("指标", "metric"), ("比较", "comparator"), ("数值", "value"), ("单位", "unit_of_measure"),
    ("期限", "deadline"), ("提案届次", "session"), ("提案号", "number"), ("提案人", "proposer"),
    ("提案标题", "proposal_title"), ("答复日期", "reply_date"), ("承办部门", "office"), ("联系人", "contact"),
    ("原文", "text"), ("来源文件", "source"), ("起", "start"), ("止", "end"), ("行号", "row_id"),
)


def build_ledger(documents: Sequence[Document], chunks: Sequence[Chunk]) -> list[Commitment]:
    """Every ledger row of every document, in document order then source order."""
    table = load_unit_table()
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    rows: list[Commitment] = []
    for doc in documents:
        rows.extend(extract_document(doc, by_doc.get(doc.doc_id, []), table))
    return rows


def filter_ledger(rows: Iterable[Commitment], unit: str | None = None, year: int | None = None,
                  doc: str | None = None, kind: str | None = None) -> list[Commitment]:
    """Rows matching every filter given.

    `unit`: any form of a unit name (自治区科技厅, 科学技术厅…); `year`: the deadline's year, or
    the document's year for rows without a deadline; `doc`: a doc_id, a source file name, a
    文号 or part of a title; `kind`: a kind or a group ("target", "task", "reply", "reply_done"…).
    """
    if kind is not None and kind not in KIND_GROUPS:
        raise PolicyQAError(f"unknown ledger kind {kind!r}; valid kinds: {', '.join(KIND_GROUPS)}")
    kinds = KIND_GROUPS[kind] if kind else None
    table = load_unit_table()
    out = []
    for r in rows:
        if kinds and r.kind not in kinds:
            continue
        if unit and not any(unit_matches(unit, u, table) for u in r.units):
            continue
        if year is not None and r.year != year:
            continue
        if doc and not _doc_matches(doc, r):
            continue
        out.append(r)
    return out


def _doc_matches(query: str, row: Commitment) -> bool:
    q = normalize(query).strip()
    if q in (row.doc_id, row.source, Path(row.source).stem) or (len(q) >= 3 and row.source.startswith(q)):
        return True
    return len(q) >= 2 and (q in normalize(row.doc_title) or q == normalize(row.doc_number or ""))


def paragraph_of(document: Document, row: Commitment) -> tuple[str, int]:
    """The source line(s) holding the row's span, and where they start in the document text."""
    lo = document.text.rfind("\n", 0, row.start) + 1
    hi = document.text.find("\n", row.end)
    hi = len(document.text) if hi < 0 else hi
    return document.text[lo:hi], lo


def row_values(row: Commitment) -> list[str]:
    """A row as display strings, in `COLUMNS` order."""
    out = []
    for _, name in COLUMNS:
        value = getattr(row, name)
        if name == "kind":
            value = KIND_LABELS.get(value, value)
        elif name == "heading_path":
            value = " > ".join(value[1:])
        elif isinstance(value, tuple):
            value = "、".join(value)
        out.append("" if value is None else str(value))
    return out


def write_csv(rows: Sequence[Commitment], path: Path) -> Path:
    """CSV with a header row; UTF-8 with BOM so spreadsheet programs read Chinese correctly."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([h for h, _ in COLUMNS])
        writer.writerows(row_values(r) for r in rows)
    return path


def write_xlsx(rows: Sequence[Commitment], path: Path) -> Path:
    """An Excel workbook with one sheet "承诺与目标" holding the same columns as the CSV."""
    from openpyxl import Workbook  # lazy: only exports need it

    wb = Workbook()
    ws = wb.active
    ws.title = "承诺与目标"
    ws.append([h for h, _ in COLUMNS])
    for r in rows:
        ws.append(row_values(r))
    ws.freeze_panes = "A2"
    wb.save(path)
    return path


def save_ledger(rows: Sequence[Commitment], path: Path) -> None:
    """Write the ledger as JSON next to the index, atomically (write a temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": LEDGER_FORMAT, "rows": [dataclasses.asdict(r) for r in rows]}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ledger-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False)
    os.replace(tmp, path)


def load_ledger(path: Path) -> list[Commitment]:
    """Read a ledger written by `save_ledger`."""
    if not path.is_file():
        raise IndexMissingError(f"no commitments ledger at {path}; run `policyqa index` to build it")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if payload.get("format") != LEDGER_FORMAT:
            raise PolicyQAError(f"{path}: ledger format {payload.get('format')!r}, expected {LEDGER_FORMAT}; "
                                "rebuild the index")
        return [_row_from_dict(d) for d in payload["rows"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise PolicyQAError(f"{path}: not a valid commitments ledger ({exc}); rebuild the index") from exc


def _row_from_dict(data: dict) -> Commitment:
    for name in ("heading_path", "units", "lead_units"):
        data[name] = tuple(data.get(name) or ())
    return Commitment(**data)
