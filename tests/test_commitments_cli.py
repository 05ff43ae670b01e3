"""`policyqa commitments`: filters, JSON, CSV/XLSX export and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import COMMANDS, main
from eval.commitments_eval import GOLD, load_gold


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["commitments", *argv])
    return code, capsys.readouterr().out


def test_registered():
    assert COMMANDS["commitments"] == "app.commands.commitments"


def test_unit_filter_lists_every_duty_list(capsys, corpus_dir: Path):
    code, out = run(capsys, "--corpus", str(corpus_dir), "--kind", "task", "--unit", "自治区科技厅", "--json")
    rows = json.loads(out)
    gold_tasks = [g for g in load_gold(GOLD) if g["kind"] == "task" and "科技厅" in g["units"]]
    assert code == 0 and len(rows) == len(gold_tasks)
    assert all("科技厅" in r["units"] for r in rows)


def test_year_filter_and_exports(capsys, corpus_dir: Path, tmp_path: Path):
    from openpyxl import load_workbook

    csv_path, xlsx_path = tmp_path / "t.csv", tmp_path / "t.xlsx"
    code, out = run(capsys, "--corpus", str(corpus_dir), "--kind", "target", "--year", "2020",
                    "--csv", str(csv_path), "--xlsx", str(xlsx_path))
    wanted = [g for g in load_gold(GOLD) if g["kind"] == "target" and g["deadline"] == "2020"]
    assert code == 0 and f"{len(wanted)} row(s)" in out
    assert len(csv_path.read_text(encoding="utf-8-sig").strip().splitlines()) == len(wanted) + 1
    assert load_workbook(xlsx_path).active.max_row == len(wanted) + 1


def test_reply_kind_prints_the_proposal(capsys, corpus_dir: Path):
    code, out = run(capsys, "--corpus", str(corpus_dir), "--kind", "reply")
    assert code == 0 and "提案人" in out and "[承诺]" in out and "[已办]" in out


def test_corpus_without_commitments_prints_no_rows(capsys, tmp_path: Path):
    (tmp_path / "note.txt").write_text("关于开展科普活动的通知\n\n各单位积极开展科普活动,服务企业4739家。\n",
                                       encoding="utf-8")
    code, out = run(capsys, "--corpus", str(tmp_path))
    assert code == 0 and "0 row(s)" in out


def test_unknown_kind_is_rejected(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["commitments", "--kind", "goal"])
    assert exc.value.code == 2 and "target" in capsys.readouterr().err


def test_missing_corpus_is_one_line_error(capsys, tmp_path: Path):
    code = main(["commitments", "--corpus", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "corpus" in err
