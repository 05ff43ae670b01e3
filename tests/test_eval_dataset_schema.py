"""Bad evaluation rows are errors that name the question; good rows locate every quote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.errors import EvalError
from eval.dataset import load_dataset

TEXT = (
    "标题\n\n一、总体要求\n\n到2025年研发投入强度达到1.5%。"
    "\n\n页脚\n\n到2025年研发投入强度达到1.5%。"
)


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "T001", "persona": "staff", "question": "研发投入强度目标是多少?",
        "script": "simplified", "answerable": True, "gold_answer": "1.5%", "type": "number",
        "evidence": [{"file": "doc.txt", "quote": "研发投入强度达到1.5%"}],
    }
    row.update(overrides)
    return row


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "doc.txt").write_text(TEXT, encoding="utf-8")
    return folder


def _write(tmp_path: Path, *rows: dict[str, object]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_quote_found_twice_has_both_spans(tmp_path: Path, corpus: Path) -> None:
    (item,) = load_dataset(_write(tmp_path, _row()), corpus)
    spans = item.evidence[0].spans
    assert len(spans) == 2
    assert all(TEXT[s:e] == "研发投入强度达到1.5%" for s, e in spans)


def test_missing_field_names_the_id_and_field(tmp_path: Path, corpus: Path) -> None:
    row = _row(id="T042")
    del row["gold_answer"]
    with pytest.raises(EvalError, match=r"T042.*gold_answer"):
        load_dataset(_write(tmp_path, _row(), row), corpus)


def test_quote_not_found_names_the_id(tmp_path: Path, corpus: Path) -> None:
    bad = _row(id="T007", evidence=[{"file": "doc.txt", "quote": "文件里没有这句话"}])
    with pytest.raises(EvalError, match="T007"):
        load_dataset(_write(tmp_path, bad), corpus)


def test_missing_evidence_file_names_the_id_and_file(tmp_path: Path, corpus: Path) -> None:
    bad = _row(id="T008", evidence=[{"file": "gone.txt", "quote": "研发"}])
    with pytest.raises(EvalError, match=r"T008.*gone\.txt"):
        load_dataset(_write(tmp_path, bad), corpus)


def test_whitespace_tolerant_fallback(tmp_path: Path, corpus: Path) -> None:
    row = _row(evidence=[{"file": "doc.txt", "quote": "一、总体要求 到2025年"}])
    (item,) = load_dataset(_write(tmp_path, row), corpus)
    (start, end), = item.evidence[0].spans
    assert TEXT[start:end] == "一、总体要求\n\n到2025年"


def test_invalid_json_names_the_line(tmp_path: Path, corpus: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps(_row(), ensure_ascii=False) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(EvalError, match=":2"):
        load_dataset(path, corpus)


def test_dev_set_loads_against_the_shared_corpus() -> None:
    dev = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
    corpus = dev.parents[1] / "corpus"
    if not dev.is_file():
        pytest.skip("../shared/eval/dev.jsonl not present")
    items = load_dataset(dev, corpus)
    assert len({i.id for i in items}) == len(items)
    assert all(ev.spans for i in items for ev in i.evidence)
    assert all(i.evidence for i in items if i.answerable)
