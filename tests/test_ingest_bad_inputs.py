"""Bad and unusual inputs: each gets a clear reason or is ingested, and never stops the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest import ingest_corpus
from index.load import decode_bytes, read_file

BODY = (
    "一、总体要求\n\n各地区要加大科技投入,到2025年研发投入强度达到2%。\n\n"
    "二、保障措施\n\n加强组织领导,落实责任分工。"
)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "good.txt").write_text("关于加强科技投入的通知\n\n发布日期:2024-01-02\n\n" + BODY, encoding="utf-8")
    return tmp_path


def reasons(result) -> dict[str, str]:
    return {s.file: s.reason for s in result.skipped}


def test_empty_and_binary_files_are_skipped_with_reasons(corpus: Path, settings) -> None:
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 10)
    result = ingest_corpus(corpus, settings.chunking)
    assert [d.source for d in result.documents] == ["good.txt"]
    assert reasons(result)["empty.txt"] == "empty file"
    assert "binary" in reasons(result)["binary.txt"]


def test_gbk_and_utf16_files_are_decoded(corpus: Path, settings) -> None:
    for name, encoding, rate in (("gbk.txt", "gbk", "3%"), ("utf16.txt", "utf-16", "4%")):
        text = f"关于促进县域创新驱动发展的实施意见\n\n一、目标\n\n研发投入强度达到{rate}。"
        (corpus / name).write_bytes(text.encode(encoding))
    result = ingest_corpus(corpus, settings.chunking)
    docs = {d.source: d for d in result.documents}
    for name, rate in (("gbk.txt", "3%"), ("utf16.txt", "4%")):
        assert docs[name].title == "关于促进县域创新驱动发展的实施意见"
        assert any(f"研发投入强度达到{rate}" in c.text for c in result.chunks_of(docs[name].doc_id))


def test_truncated_pdf_is_reported_and_a_good_pdf_is_read(corpus: Path, settings) -> None:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 10, "Notice on science funding\n\nArticle 1. Funding rises by 12% a year.")
    data = bytes(pdf.output())
    (corpus / "good.pdf").write_bytes(data)
    (corpus / "truncated.pdf").write_bytes(data[: len(data) // 3])
    result = ingest_corpus(corpus, settings.chunking)
    assert "truncated.pdf" in reasons(result)
    assert "PDF" in reasons(result)["truncated.pdf"]
    good = next(d for d in result.documents if d.source == "good.pdf")
    assert "12%" in good.text


def test_html_script_and_style_never_reach_the_text(corpus: Path, settings) -> None:
    page = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<div>当前位置: 首页 > 政策</div><h1>关于加强科技投入的通知</h1>"
        "<p>发布日期:2024-03-01</p><script>alert('x')</script>"
        "<p>一、总体要求</p><p>各地区要加大科技投入,研发投入强度达到2%。&lt;b&gt;</p></body></html>"
    )
    (corpus / "page.html").write_text(page, encoding="utf-8")
    result = ingest_corpus(corpus, settings.chunking)
    d = next(d for d in result.documents if d.source == "page.html")
    assert "alert" not in d.text and "color:red" not in d.text
    chunks = result.chunks_of(d.doc_id)
    assert any("研发投入强度达到2%" in c.text for c in chunks)
    assert not any("当前位置" in c.text for c in chunks)
    assert d.title == "关于加强科技投入的通知" and d.published_date == "2024-03-01"


def test_docx_heading_styles_become_headings(corpus: Path, settings) -> None:
    import docx

    document = docx.Document()
    document.add_heading("关于推进科技创新的实施方案", level=0)
    document.add_heading("总体目标", level=1)
    document.add_paragraph("到2025年,全区研发投入强度达到1.5%。")
    document.add_heading("重点任务", level=1)
    document.add_paragraph("建设一批创新平台,培育高新技术企业。")
    document.save(corpus / "plan.docx")
    result = ingest_corpus(corpus, settings.chunking)
    d = next(d for d in result.documents if d.source == "plan.docx")
    chunk = next(c for c in result.chunks_of(d.doc_id) if "培育高新技术企业" in c.text)
    assert chunk.heading_path[-1] == "重点任务"


def test_corrupt_docx_is_reported(corpus: Path, settings) -> None:
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")  # a truncated zip
    result = ingest_corpus(corpus, settings.chunking)
    assert "DOCX" in reasons(result)["broken.docx"]
    assert [d.source for d in result.documents] == ["good.txt"]


def test_a_20_mb_text_file_is_ingested(corpus: Path, settings) -> None:
    para = "各旗县要落实科技创新政策,加大研发投入,培育创新主体,提升服务水平。"
    line = "第{n}条 " + para * 3 + "编号{n}。\n\n"
    count = 20_000_000 // len(line.encode()) + 1
    text = "关于大规模文本的测试通知\n\n" + "".join(line.format(n=n) for n in range(count))
    (corpus / "big.txt").write_text(text, encoding="utf-8")
    assert (corpus / "big.txt").stat().st_size >= 20_000_000
    result = ingest_corpus(corpus, settings.chunking)
    big = next(d for d in result.documents if d.source == "big.txt")
    chunks = result.chunks_of(big.doc_id)
    assert len(chunks) > 1000
    assert all(big.text[c.start : c.end] == c.text for c in chunks[:: len(chunks) // 50])


def test_unsupported_types_are_listed_not_fatal(corpus: Path, settings) -> None:
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n")
    result = ingest_corpus(corpus, settings.chunking)
    assert reasons(result)["image.png"] == "unsupported file type"


def test_decode_prefers_utf8_then_gb18030() -> None:
    assert decode_bytes("科技厅".encode()) == "科技厅"
    assert decode_bytes("科技厅".encode("gb18030")) == "科技厅"


def test_read_file_names_the_problem(tmp_path: Path) -> None:
    from config.errors import IngestError

    with pytest.raises(IngestError, match="unsupported file type"):
        read_file(tmp_path / "x.xls")


def test_missing_corpus_folder_is_a_clear_error(tmp_path: Path, settings) -> None:
    from config.errors import IngestError

    with pytest.raises(IngestError, match="corpus folder not found"):
        ingest_corpus(tmp_path / "nope", settings.chunking)
