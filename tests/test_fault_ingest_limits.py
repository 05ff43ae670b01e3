"""Fault class: files that cost without bound. Ingest limits are settings, enforced per file.

A line without sentence punctuation became one 200,000-character chunk (17 minutes to embed);
a 60 MB text or a 215 KB .docx expanding to 50 MB of XML ran without end; an unfinished build
left its folder behind until the next success. Each case now ends in a bounded chunk, a
skipped file with its reason (which `policyqa index` prints), or a removed folder.
"""

from __future__ import annotations

import io
import itertools
import os
import signal
import time
import zipfile
from pathlib import Path

import pytest

from app.cli import _terminate_like_ctrl_c, main
from assistant.build import build_assistant
from config.settings import IngestSettings
from index.ingest import ingest_corpus
from index.store import current_folder
from tests.index_helpers import NOTICE_C, POLICY_A, fake_settings, write_corpus

# Over 200,000 characters without sentence punctuation (numbered, so no two pieces are equal).
LONG = "".join(f"第{i}项科技创新发展人才培养平台建设成果转化" for i in range(9_000))


def test_a_line_without_punctuation_is_split_at_max_chars(tmp_path: Path, settings) -> None:
    text = "关于长行的通知\n\n一、总体要求\n\n" + LONG + "\n\n二、其他\n\n做好工作。"
    corpus = write_corpus(tmp_path, {"long.txt": text})
    result = ingest_corpus(corpus, settings.chunking)
    doc = result.documents[0]
    chunks = result.chunks_of(doc.doc_id)
    limit = settings.chunking.max_chars
    assert max(len(c.text) for c in chunks) <= limit
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
    start = doc.text.index(LONG)
    covered = sorted((c.start, c.end) for c in chunks if start <= c.start < start + len(LONG))
    assert covered[0][0] == start and covered[-1][1] == start + len(LONG)  # nothing lost
    assert all(a[1] >= b[0] for a, b in itertools.pairwise(covered))


def test_a_document_that_is_one_long_line_is_bounded_too(tmp_path: Path, settings) -> None:
    corpus = write_corpus(tmp_path, {"one.txt": LONG, "head.txt": "关于标题的通知\n\n第一章 " + LONG[:50_000]})
    result = ingest_corpus(corpus, settings.chunking)
    limit = settings.chunking.max_chars
    assert max(len(c.text) for c in result.chunks) <= limit
    assert all(len(d.title) <= 201 for d in result.documents)
    assert all(len(label) <= 201 for c in result.chunks for label in c.heading_path)


def test_a_file_over_the_size_limit_is_skipped_and_index_says_why(tmp_path: Path, monkeypatch, capsys) -> None:
    big = "关于大文件的通知\n\n" + "做好工作。" * 120_000
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A, "big.txt": big})
    monkeypatch.setenv("POLICYQA_PATHS__CORPUS", str(corpus))
    monkeypatch.setenv("POLICYQA_PATHS__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICYQA_EMBEDDING__BACKEND", "fake")
    monkeypatch.setenv("POLICYQA_INGEST__MAX_FILE_MB", "1")
    assert main(["index", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "skipped: big.txt (1.7 MB is over the 1 MB limit (ingest.max_file_mb)" in out
    assert "added: a.txt" in out


def _docx_with_xml_of(megabytes: float) -> bytes:
    """A real .docx whose document.xml holds `megabytes` of short paragraphs (compresses ~250×)."""
    import docx

    base = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("关于测试的通知")
    document.save(base)
    para = "<w:p><w:r><w:t>科技创新发展科技创新发展科技创新发展</w:t></w:r></w:p>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                body = para * int(megabytes * 1024 * 1024 // len(para.encode()))
                data = data.replace(b"</w:body>", body.encode() + b"</w:body>")
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def test_a_docx_bomb_is_refused_before_parsing(tmp_path: Path, settings) -> None:
    bomb = _docx_with_xml_of(50)
    assert len(bomb) < 400_000  # a few hundred KB on disk …
    corpus = write_corpus(tmp_path, {"a.txt": POLICY_A})
    (corpus / "bomb.docx").write_bytes(bomb)
    started = time.monotonic()
    result = ingest_corpus(corpus, settings.chunking, limits=settings.ingest)
    assert time.monotonic() - started < 20  # … that python-docx would read for hours
    reason = {s.file: s.reason for s in result.skipped}["bomb.docx"]
    assert "expands to 50." in reason and "ingest.max_office_expanded_mb" in reason
    assert [d.source for d in result.documents] == ["a.txt"]


def test_a_file_that_takes_too_long_is_stopped(tmp_path: Path, settings) -> None:
    corpus = write_corpus(tmp_path, {"a.txt": POLICY_A, "c.txt": NOTICE_C})
    (corpus / "slow.docx").write_bytes(_docx_with_xml_of(1))  # ~40 s for python-docx here
    limits = IngestSettings(max_seconds_per_file=2, max_office_expanded_mb=100)
    started = time.monotonic()
    result = ingest_corpus(corpus, settings.chunking, limits=limits)
    assert time.monotonic() - started < 15
    reason = {s.file: s.reason for s in result.skipped}["slow.docx"]
    assert "longer than 2 s" in reason and "ingest.max_seconds_per_file" in reason
    assert sorted(d.source for d in result.documents) == ["a.txt", "c.txt"]  # the rest still ingest


def test_a_folder_left_by_a_killed_build_is_removed_by_the_next(tmp_path: Path, settings) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A})
    qa = build_assistant(fake_settings(settings, tmp_path, corpus))
    qa.reindex()
    index_dir = qa.settings.paths.index_dir
    live = current_folder(index_dir)
    assert live is not None
    orphan = index_dir / "gen-20261201T000000-dead00"  # as a SIGKILL mid-write leaves it
    orphan.mkdir()
    (orphan / "dense.faiss").write_bytes(os.urandom(1 << 20))
    (index_dir / ".CURRENT.dead00").write_text("gen-x", encoding="utf-8")
    report = qa.reindex()
    assert not orphan.exists() and not (index_dir / ".CURRENT.dead00").exists()
    assert any("unfinished build" in n and orphan.name in n for n in report.notices)
    assert current_folder(index_dir) is not None


def test_a_complete_generation_is_never_taken_for_a_leftover(tmp_path: Path, settings) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A})
    qa = build_assistant(fake_settings(settings, tmp_path, corpus))
    qa.reindex()
    from index.leftovers import clear_unfinished_builds

    index_dir = qa.settings.paths.index_dir
    live = current_folder(index_dir)
    assert live is not None
    assert clear_unfinished_builds(index_dir) == []
    assert (live / "manifest.json").is_file()


def test_a_failed_build_removes_its_folder_and_keeps_the_old_index(tmp_path: Path, settings, monkeypatch) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A})
    qa = build_assistant(fake_settings(settings, tmp_path, corpus))
    qa.reindex()
    index_dir = qa.settings.paths.index_dir
    before = {p.name for p in index_dir.glob("gen-*")}
    write_corpus(corpus, {"c.txt": NOTICE_C})

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("index.build.save_ledger", broken)
    with pytest.raises(OSError, match="disk full"):
        qa.reindex()
    assert {p.name for p in index_dir.glob("gen-*")} == before
    assert "30万元" in qa.ask("首次认定的高新技术企业奖励多少?").text


def test_sigterm_unwinds_like_ctrl_c_so_a_build_cleans_up() -> None:
    previous = signal.getsignal(signal.SIGTERM)
    try:
        _terminate_like_ctrl_c()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs at the next bytecode
    finally:
        signal.signal(signal.SIGTERM, previous)
