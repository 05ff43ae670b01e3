"""The Gradio app without a browser: escaping, admin gating, upload checks, chat flow, API."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import replace
from pathlib import Path

import gradio as gr
import pytest

from app.ui.admin import password_ok
from app.ui.app import build_app, launch_options
from app.ui.base import Turn
from app.ui.chat import Chat, make_filters
from app.ui.conversations import ConversationStore
from app.ui.docs import document_view, documents_table
from app.ui.export import answer_markdown, copy_markdown
from app.ui.files import Downloads
from app.ui.readiness import Readiness
from app.ui.render import (
    answer_message,
    citation_card,
    esc,
    esc_md,
    highlighted,
    sources_panel,
)
from app.ui.session import ChatState
from app.ui.uploads import check_upload, sanitize_filename, stage_uploads
from assistant.types import Answer
from config.errors import IngestError
from tests.fake_assistant import EVIL, FakeAssistant, evil_document

PW_ENV = "POLICYQA_ADMIN_PASSWORD"


@pytest.fixture
def fake(settings, tmp_path: Path) -> FakeAssistant:
    return FakeAssistant(settings.with_overrides(paths={"data_dir": tmp_path / "data"}))


def _no_live_markup(html: str) -> None:
    for tag in ("<script", "<img", "<iframe", "<svg"):
        assert tag not in html.lower(), f"unescaped {tag} in output"


def _evil_answer(fake: FakeAssistant) -> Answer:
    return fake.ask("恶意测试段落研发投入奖励")


# ---- rendering ------------------------------------------------------------------------------


def test_evil_document_is_cited_by_the_fake(fake):
    answer = _evil_answer(fake)
    assert answer.citations and answer.citations[0].doc_id == evil_document().doc_id


def test_answer_message_escapes_model_output_and_links_markers():
    text = f"答复{EVIL}见[1]，另见[7]。[link](javascript:alert(1))"
    answer = Answer("q", text, (), refused=False, script="simplified")
    msg = answer_message(replace(answer, citations=()), turn=2)
    _no_live_markup(msg)
    assert "&lt;script&gt;" in msg
    assert "](javascript" not in msg  # the Markdown link syntax is broken by escaping
    assert 'href="#pq-src-2-7"' not in msg  # no card 7 exists: the marker stays plain text


def test_markers_link_to_cards_of_their_turn(fake):
    answer = fake.ask("首次认定的高新技术企业奖励多少？")
    msg = answer_message(answer, turn=3)
    assert 'href="#pq-src-3-1"' in msg
    panel = sources_panel([Turn("a", answer)] * 4, fake.chunks_of)
    assert 'id="pq-src-3-1"' in panel and 'id="pq-src-0-1"' in panel
    assert panel.count(" hidden") == 3  # only the newest turn's cards are visible at first


def test_source_card_escapes_document_text_and_highlights_quote(fake):
    answer = _evil_answer(fake)
    c = answer.citations[0]
    card = citation_card(c, 0, fake.chunks_of(c.doc_id))
    _no_live_markup(card)
    assert "&lt;img src=x onerror=" in card
    assert f"<mark>{esc(c.quote)}</mark>" in card
    assert "展开上下文" in card


def test_context_is_the_documents_cleaned_chunks_not_the_raw_text(fake):
    answer = fake.ask("首次认定的高新技术企业奖励多少？")
    c = answer.citations[0]
    chunks = fake.chunks_of(c.doc_id)
    card = citation_card(c, 0, chunks)
    window = card.split('<div class="pq-window">', 1)[1]
    neighbour = next(ch for ch in chunks if ch.chunk_id != c.chunk_id)
    assert esc(neighbour.text[:20]) in window and "<mark>" in window
    # a line of the source that is in no chunk (a site's navigation, say) never shows
    assert "展开上下文" not in citation_card(c, 0, [])


def test_highlight_clamps_offsets_and_escapes():
    assert highlighted("a<b>c", 1, 4) == "a<mark>&lt;b&gt;</mark>c"
    assert highlighted("abc", 5, 9) == "abc"


def test_documents_table_and_view_escape_everything(fake):
    docs = fake.documents()
    table = documents_table(docs, {d.doc_id: 1 for d in docs})
    evil = evil_document()
    view = document_view(evil, fake.chunks_of(evil.doc_id))
    for html in (table, view):
        _no_live_markup(html)
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert 'href="#pq-doc-c0"' in view  # the outline links into the text


def test_refusal_shows_closest_passages(fake):
    answer = fake.ask("火星移民签证怎么办理")
    assert answer.refused and answer.closest
    msg = answer_message(answer, 0)
    assert "未在文档中找到答案" in msg
    panel = sources_panel([Turn("q", answer)], fake.chunks_of)
    assert "最接近的段落" in panel and "pq-card" in panel


def test_traditional_answer_gets_traditional_labels(fake):
    answer = fake.ask("首次認定的高新技術企業獎勵多少？")
    assert answer.script == "traditional"
    assert "來源" in answer_message(answer, 0)


def test_markdown_export_has_citations(fake):
    answer = fake.ask("首次认定的高新技术企业奖励多少？")
    md = answer_markdown(answer)
    c = answer.citations[0]
    assert md.startswith("# 首次认定") and f"《{c.title}》" in md and f"> {c.quote}" in md


def test_exports_keep_checker_flags_and_notices(fake):
    answer = replace(fake.ask("首次认定的高新技术企业奖励多少？"), flagged=("奖励100万元。",),
                     notices=("LLM 不可用，已改用摘录式回答。",))
    for md in (answer_markdown(answer), copy_markdown(answer)):
        assert "奖励100万元。" in md and "未能在引用段落中核实" in md and "已改用摘录式回答" in md


def test_copy_markdown_has_footnotes_and_no_markup(fake):
    answer = fake.ask("首次认定的高新技术企业奖励多少？")
    md = copy_markdown(answer)
    c = answer.citations[0]
    assert "[^1]" in md.splitlines()[0] and f"[^1]: 《{c.title}》" in md and c.quote.strip() in md
    for markup in ("<a", "pq-cite", "\\(", "&#"):
        assert markup not in md


def test_an_apostrophe_is_not_shown_as_an_entity():
    assert esc_md("It's") == "It's"
    assert "&#x27;" not in answer_message(Answer("q", "Xi'an 的政策[1]", (), refused=False, script="simplified"), 0)


# ---- chat flow --------------------------------------------------------------------------------


def _chat(fake: FakeAssistant) -> Chat:
    return Chat(fake, ConversationStore.in_folder(fake.settings.paths.data_dir), Readiness.ready(), Downloads())


def test_respond_streams_then_finishes_with_sources(fake):
    chat = _chat(fake)
    state = ChatState(owner="browser-1")
    steps = list(chat.respond("首次认定的高新技术企业奖励多少？", "staff", None, [], state))
    assert len(steps) >= 3  # the echo, at least one partial answer, the final answer
    assert steps[1][1][-1]["content"].endswith("▍")
    _box, messages, sources, state, browser, _convs, copies, file = steps[-1]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "pq-src-0-1" in sources and len(state.turns) == 1 and state.conversation
    assert browser == {"owner": "browser-1", "conversation": state.conversation}
    assert fake.calls[-1]["persona"] == "staff"
    assert Path(file["value"]).read_text(encoding="utf-8") == answer_markdown(state.turns[0].answer)
    assert "[^1]" in copies and "pq-cite" not in copies.replace("pq-copy", "")
    list(chat.respond("那第二条呢？", "citizen", None, messages, state))
    assert fake.calls[-1]["history"] == [("首次认定的高新技术企业奖励多少？", state.turns[0].answer.text)]


def test_downloads_reuse_a_folder_per_content_and_prune_old_ones():
    downloads = Downloads(max_age_s=60)
    first = downloads.write_text("answer.md", "# 回答一")
    assert downloads.write_text("answer.md", "# 回答一") == first  # the same answer twice: one file
    second = downloads.write_text("answer.md", "# 回答二")
    assert second.parent != first.parent
    old = time.time() - 120
    os.utime(first.parent, (old, old))
    downloads.prune()
    assert not first.parent.exists() and second.exists()
    downloads.close()
    assert not downloads.root.exists()


def test_filters_from_controls():
    assert make_filters([], [], "不限", "不限") is None
    f = make_filters(["d1"], ["规划"], "2020", "不限")
    assert f is not None and f.doc_ids == ("d1",) and f.year_from == 2020 and f.year_to is None


# ---- admin gating and uploads -------------------------------------------------------------------


def _tab_labels(app: gr.Blocks) -> set[str]:
    return {b.label for b in app.blocks.values() if isinstance(b, gr.Tab)}


def test_admin_tab_absent_without_password(fake, monkeypatch):
    monkeypatch.delenv(PW_ENV, raising=False)
    labels = _tab_labels(build_app(fake))
    assert "问答" in labels and "文档" in labels and "管理" not in labels
    monkeypatch.setenv(PW_ENV, "s3cret")
    assert "管理" in _tab_labels(build_app(fake))


def test_password_check():
    assert password_ok("s3cret", "s3cret")
    assert not password_ok("s3cre", "s3cret") and not password_ok("", "") and not password_ok("x", None)


@pytest.mark.parametrize(("given", "expected"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\win.DOCX", "win.docx"),
    ("关于促进县域创新驱动发展的实施意见.pdf", "关于促进县域创新驱动发展的实施意见.pdf"),
    ("a<script>b.txt", "a_script_b.txt"),
    ("\x00evil\n.md", "evil.md"),
])
def test_sanitize_filename(given, expected):
    assert sanitize_filename(given) == expected


def test_sanitize_filename_rejects_empty():
    for bad in ("", "../..", "..."):
        with pytest.raises(IngestError):
            sanitize_filename(bad)


def test_check_upload_type_and_size(tmp_path):
    good = tmp_path / "ok.txt"
    good.write_text("政策正文", encoding="utf-8")
    assert check_upload(good, "ok.txt", 1024) == "ok.txt"
    with pytest.raises(IngestError, match=r"不支持 \.exe"):
        check_upload(good, "run.exe", 1024)
    with pytest.raises(IngestError, match="上限"):
        check_upload(good, "ok.txt", 4)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match="空"):
        check_upload(empty, "empty.txt", 1024)


def test_staging_refuses_duplicate_clean_names(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x.txt").write_text("1", encoding="utf-8")
    (b / "x.txt").write_text("2", encoding="utf-8")
    staged = stage_uploads([(a / "x.txt", "x.txt"), (b / "x.txt", "../x.txt")], 1024)
    assert len(staged.files) == 1 and len(staged.rejected) == 1


# ---- the API endpoint ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _raw_call(port: int, body: bytes) -> str:
    """POST /gradio_api/call/ask with a raw JSON body; the event stream, decoded."""
    import json
    import urllib.request

    base = f"http://127.0.0.1:{port}/gradio_api/call/ask"
    req = urllib.request.Request(base, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        event_id = json.loads(resp.read())["event_id"]
    with urllib.request.urlopen(f"{base}/{event_id}", timeout=10) as resp:
        raw = resp.read().decode("utf-8")
    # "event: error\ndata: {...}" -> the event name and the decoded data lines
    return "\n".join(line if not line.startswith("data: ") else json.dumps(json.loads(line[6:]), ensure_ascii=False)
                     for line in raw.splitlines())


def test_api_endpoint_answers(fake, monkeypatch):
    from gradio_client import Client

    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    app = build_app(fake)
    options = launch_options(fake.settings, app, port=_free_port())
    assert options["server_name"] == "127.0.0.1"
    app.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        client = Client(f"http://127.0.0.1:{options['server_port']}/", verbose=False)
        result = client.predict("首次认定的高新技术企业奖励多少？", "cppcc", api_name="/ask")
        assert result["refused"] is False and result["citations"][0]["number"] == 1
        assert "[1]" in result["answer"] and fake.calls[-1]["persona"] == "cppcc"
        assert result["flagged"] == [] and result["notices"] == [] and result["conversation"]
        follow = client.predict("那第二条呢？", "cppcc", result["conversation"], api_name="/ask")
        assert follow["conversation"] == result["conversation"]
        assert fake.calls[-1]["history"] == [("首次认定的高新技术企业奖励多少？", result["answer"])]
        with pytest.raises(Exception, match="persona"):
            client.predict("问题", "nobody", api_name="/ask")
        for bad in (12345, ["列表"]):
            with pytest.raises(Exception, match="问题无法识别"):
                client.predict(bad, "citizen", api_name="/ask")
        # A lone surrogate cannot even be encoded by the client: send the JSON escape raw.
        events = _raw_call(options["server_port"], b'{"data": ["\\ud800\\u95ee", "citizen", ""]}')
        assert "event: error" in events and "问题无法识别" in events
        assert client.predict(api_name="/status")["ready"] is True
    finally:
        app.close()


def test_serve_command_is_registered():
    from app.cli import build_parser

    args = build_parser().parse_args(["serve", "--port", "8123", "--host", "127.0.0.1"])
    assert args.command == "serve" and args.port == 8123 and args.host == "127.0.0.1"


def test_example_questions_are_made_from_the_indexed_documents() -> None:
    from dataclasses import replace

    from app.ui.chat_tab import document_examples
    from assistant.catalogue import Catalogue
    from assistant.plan import Planner
    from tests.handmade import plan_document, reply_document

    reply, plan = reply_document(), plan_document()  # the reply has no 文号, the plan has one
    undated = replace(reply, doc_id="x", title="某局关于某事的通知", written_date=None, issuer="某局")
    docs = [reply, plan, undated, replace(reply, doc_id="y", title="")]
    examples = document_examples(docs)
    assert examples == ("《某局关于某事的通知》是哪个部门发布的？", f"《{plan.title}》的文号是多少？",
                        f"《{reply.title}》是哪天印发的？")
    planner = Planner(Catalogue.of(docs))
    assert [planner.plan(q).fields for q in examples] == [("issuer",), ("doc_number",), ("written_date",)]
    assert document_examples(docs, n=1) == examples[:1] and document_examples([]) == ()
