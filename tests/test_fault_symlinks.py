"""Fault class: links out of the corpus. Sources are regular files inside the corpus folder.

A symbolic link to /etc/passwd used to be indexed, searchable and shown to anonymous visitors.
Now a link that resolves outside the folder, a linked folder and anything that is not a regular
file are left out and listed, by `policyqa index` and in the build report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.cli import main
from assistant.build import build_assistant
from index.ingest import ingest_corpus
from tests.index_helpers import POLICY_A, fake_settings, write_corpus

SECRET = "root:x:0:0:root:/root:/bin/bash 机密口令 hunter2"


@pytest.fixture()
def layout(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text(SECRET, encoding="utf-8")
    (outside / "more.txt").write_text(SECRET, encoding="utf-8")
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A})
    (corpus / "passwd.txt").symlink_to(outside / "passwd.txt")
    (corpus / "etc").symlink_to(outside, target_is_directory=True)
    (corpus / "sub").mkdir()
    (corpus / "sub" / "up.txt").symlink_to(Path("..") / ".." / "outside" / "passwd.txt")  # relative
    (corpus / "same.txt").symlink_to(corpus / "a.txt")  # inside: allowed
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    os.mkfifo(corpus / "pipe.txt")  # reading it would block forever
    return corpus


def _reasons(skipped) -> dict[str, str]:
    return {s.file: s.reason for s in skipped}


def test_links_out_of_the_corpus_are_skipped_and_listed(layout: Path, settings) -> None:
    result = ingest_corpus(layout, settings.chunking)
    assert sorted(d.source for d in result.documents) == ["a.txt", "same.txt"]
    assert not any(SECRET[:10] in d.text for d in result.documents)
    reasons = _reasons(result.skipped)
    assert "outside the corpus folder" in reasons["passwd.txt"]
    assert "outside the corpus folder" in reasons["sub/up.txt"]
    assert "outside the corpus folder" in reasons["etc/"] and "not read" in reasons["etc/"]
    assert "not a regular file" in reasons["pipe.txt"]
    assert "loop.txt" in reasons


def test_the_index_command_reports_them_and_search_never_finds_the_secret(
        layout: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("POLICYQA_PATHS__CORPUS", str(layout))
    monkeypatch.setenv("POLICYQA_PATHS__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICYQA_EMBEDDING__BACKEND", "fake")
    assert main(["index", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "skipped: passwd.txt (symbolic link to a file outside the corpus folder; not read)" in out
    assert "skipped: etc/ (link to a folder outside the corpus folder" in out
    assert main(["search", "机密口令 hunter2 root", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and not any("hunter2" in h["text"] for h in hits)


def test_the_build_report_lists_them_for_the_admin_view(layout: Path, tmp_path: Path, settings) -> None:
    qa = build_assistant(fake_settings(settings, tmp_path, layout))
    report = qa.reindex()
    assert "outside the corpus folder" in _reasons(report.skipped)["passwd.txt"]
    assert all(SECRET[:10] not in d.text for d in qa.documents())


def test_an_upload_folder_link_is_treated_the_same(tmp_path: Path, settings) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": POLICY_A})
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    qa = build_assistant(fake_settings(settings, tmp_path, corpus))
    uploads = qa.settings.paths.upload_dir
    uploads.mkdir(parents=True)
    (uploads / "x.txt").symlink_to(tmp_path / "secret.txt")
    report = qa.reindex()
    assert "outside the corpus folder" in _reasons(report.skipped)["uploads/x.txt"]
