"""Fault class: content left out without a word. Every skipped file and dropped line is reported.

A line dropped as spam showed only in `ingest`, not in `index`; files whose names start with "."
were ignored unlisted; UTF-16 saved without a byte-order mark was called "binary".
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from app.cli import main
from index.encoding import decode_utf16_without_bom
from index.ingest import ingest_corpus
from index.load import decode_bytes
from tests.index_helpers import POLICY_A, write_corpus

SPAM = "国产精品一区二区三区_在线观看免费视频_亚洲欧美日韩中文字幕_成人激情"
TEXT = "关于促进县域创新驱动发展的实施意见\n\n一、目标\n\n到2025年研发投入强度达到{}%。\n"


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = write_corpus(tmp_path / "corpus", {
        "a.txt": POLICY_A,
        "spammed.txt": "关于科技服务的通知\n\n一、要求\n\n加强科技服务。\n\n" + SPAM + "\n\n二、保障\n\n落实责任。",
        ".hidden.txt": "关于隐藏文件的通知\n\n内容。",
    })
    (folder / ".git").mkdir()
    (folder / ".git" / "notes.txt").write_text("不应被读取。", encoding="utf-8")
    (folder / "le.txt").write_bytes(TEXT.format(4).encode("utf-16-le"))
    (folder / "be.txt").write_bytes(TEXT.format(5).encode("utf-16-be"))
    return folder


def test_index_prints_dropped_lines_and_hidden_entries(corpus: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POLICYQA_PATHS__CORPUS", str(corpus))
    monkeypatch.setenv("POLICYQA_PATHS__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICYQA_EMBEDDING__BACKEND", "fake")
    assert main(["index", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "dropped: spammed.txt: spam dropped (line 7): 国产精品一区二区三区" in out
    assert "skipped: .hidden.txt (hidden file (name starts with '.'); rename it to index it)" in out
    assert "skipped: .git/ (hidden folder" in out and "notes.txt" not in out  # the folder once


def test_utf16_without_a_bom_is_decoded_in_either_byte_order(corpus: Path, settings) -> None:
    result = ingest_corpus(corpus, settings.chunking)
    docs = {d.source: d for d in result.documents}
    for name, rate in (("le.txt", 4), ("be.txt", 5)):
        assert docs[name].title == "关于促进县域创新驱动发展的实施意见"
        assert any(f"研发投入强度达到{rate}%" in c.text for c in result.chunks_of(docs[name].doc_id))
    assert not {"le.txt", "be.txt"} & {s.file for s in result.skipped}


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 40,  # NULs with no parity
    struct.pack("<2000h", *range(-1000, 1000)),  # little 16-bit numbers: NULs on one side, not text
    b"\x00\x00\x00\x01" * 1000,  # UTF-32-like
])
def test_binary_data_is_still_binary(data: bytes) -> None:
    assert decode_utf16_without_bom(data) is None
    with pytest.raises(Exception, match=r"binary|encoding"):
        decode_bytes(data)


def test_plain_text_is_never_taken_for_utf16() -> None:
    for text in ("科技厅", "abc\n" * 100, TEXT.format(3)):
        assert decode_utf16_without_bom(text.encode("utf-8")) is None
        assert decode_bytes(text.encode("utf-8")) == text
