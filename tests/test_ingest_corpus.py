"""Ingestion of the real sample corpus: metadata, cleaning, chunk spans and heading paths."""

from __future__ import annotations

import re

import pytest

from eval.dataset import load_dataset
from tests.conftest import DEV


def doc(ingested, prefix: str):
    return next(d for d in ingested.documents if d.source.startswith(prefix))


def test_five_documents_one_each(ingested) -> None:
    assert sorted(d.source[:3] for d in ingested.documents) == ["000", "001", "002", "003", "004"]
    assert ingested.skipped == []


def test_metadata_of_the_proposal_reply(ingested) -> None:
    d = doc(ingested, "000")
    assert d.title == "内蒙古自治区科学技术厅关于对内蒙古自治区政协十三届一次会议第0581号提案的答复"
    assert d.issuer == "内蒙古自治区科学技术厅"
    assert d.doc_type == "提案答复"
    assert d.written_date == "2023-08-03"
    assert d.published_date == "2023-10-10"
    assert d.doc_number is None  # a reply has no 文号
    p = d.proposal
    assert p is not None
    assert (p.number, p.proposer, p.session) == ("0581", "张郡", "政协十三届一次会议")
    assert p.title == "关于加强我区知识产权文化建设激发科技与文化创造活力的提案"
    assert (p.signer, p.office, p.contact, p.phone) == ("孙俊青", "高新技术处", "佟永兴", "0471-6328607")


def test_metadata_of_the_other_documents(ingested) -> None:
    d1, d2, d3, d4 = (doc(ingested, f"00{i}") for i in range(1, 5))
    assert (d1.title, d1.doc_type, d1.published_date, d1.doc_number) == (
        "内蒙古自治区科技创新合作三年行动计划", "行动计划", "2019-01-23", None)
    assert d2.doc_type == "解读" and d2.published_date == "2023-12-29"
    assert d2.issuer == "内蒙古自治区科技厅政策法规与监督处"
    assert (d3.doc_number, d3.written_date, d3.doc_type) == ("内政办发〔2018〕84号", "2018-11-19", "实施意见")
    assert d3.issuer == "内蒙古自治区人民政府办公厅"
    assert (d4.doc_number, d4.written_date, d4.published_date) == ("鄂康政發〔2023〕8號", "2023-02-24", "2023-02-24")
    assert (d4.issuer, d4.validity, d4.doc_type) == ("鄂爾多斯市康巴什區人民政府", "有效", "规划")
    assert d4.script == "traditional"
    assert all(d.script == "simplified" for d in (d1, d2, d3))


BOILERPLATE = ["当前位置", "字体:[", "分享到", "打印本页", "上一篇", "下一篇", "ICP备", "丰州南路78号",
               "网站地图", "信访局", "网站首页", "主辦:", "技術支持", "国产", "一区二区", "<video", "微信公众号",
               "13347081608", "蒙公网安备"]


@pytest.mark.parametrize("needle", BOILERPLATE)
def test_no_boilerplate_or_spam_in_any_chunk(ingested, needle: str) -> None:
    offenders = [c.chunk_id for c in ingested.chunks if needle in c.text]
    assert offenders == [], f"{needle!r} found in chunks {offenders}"


def test_spam_is_logged_as_dropped(ingested) -> None:
    assert any("spam" in msg and msg.startswith("004") for msg in ingested.dropped)


def test_no_two_chunks_share_text(ingested) -> None:
    texts = [re.sub(r"\s+", "", c.text) for c in ingested.chunks]
    assert len(texts) == len(set(texts))


def test_spans_are_exact_and_normalised_text_aligned(ingested) -> None:
    docs = {d.doc_id: d for d in ingested.documents}
    for c in ingested.chunks:
        assert docs[c.doc_id].text[c.start : c.end] == c.text
        assert len(c.text_norm) == len(c.text)
    ids = [c.chunk_id for c in ingested.chunks]
    assert len(ids) == len(set(ids))


def test_evidence_containment_at_least_95_percent(ingested, corpus_dir) -> None:
    items = load_dataset(DEV, corpus_dir)
    by_file = {d.source: d.doc_id for d in ingested.documents}
    total = contained = 0
    for item in items:
        for ev in item.evidence:
            total += 1
            contained += any(
                c.doc_id == by_file[ev.file] and c.start <= a and b <= c.end
                for c in ingested.chunks for a, b in ev.spans
            )
    share = contained / total
    print(f"\nevidence quotes inside one chunk: {contained}/{total} = {share:.3f}")
    assert share >= 0.95


def _path_of(ingested, prefix: str, needle: str) -> tuple[str, ...]:
    d = doc(ingested, prefix)
    chunk = next(c for c in ingested.chunks_of(d.doc_id) if needle in c.text)
    return chunk.heading_path[1:]




def test_heading_paths_sampled(ingested) -> None:
    assert _path_of(ingested, "001", "----坚持体制机制创新") == ("一、总体思路", "----坚持体制机制创新")
    assert _path_of(ingested, "001", "与蒙古国、俄罗斯、亚洲等国的合作")[:2] == (
        "三、重点任务", "(二)进行深度国别研究,构建外向型创新合作格局")
    assert _path_of(ingested, "001", "加强对科技创新合作项目的监测与评估") == ("四、保障措施", "(五)加强监测与评估")
    assert _path_of(ingested, "003", "林业和草原局)") == ("一、集聚创新资源,强化创新载体建设",)
    assert _path_of(ingested, "003", "市场监督管理局)") == ("四、利用“互联网+”手段,加速提升科技供给水平",)
    assert _path_of(ingested, "004", "依托鄂爾多斯碳中和研究院,通過技術創新") == (
        "第四章全力提升城市科技創新能級", "三、發展城市污染物減排利用技術", "(一)強化節能減排領域科技創新體系建設")
    # The chapter heading that lost its "第九章" in the body is recognised from the TOC.
    assert _path_of(ingested, "004", "成立由區政府主要領導為組長") == ("建立健全規劃組織實施機制", "一、加強組織領導")
    # "—、" stands for "一、".
    assert _path_of(ingested, "004", "進一步明晰建設數字政府")[1] == "—、推動政府治理數字技術進步"


def test_table_of_contents_of_004_is_not_content(ingested) -> None:
    d = doc(ingested, "004")
    body_heading = d.text.index("第一章謀篇布局新時期科技創新發展藍圖", d.text.index("、強化評估監督"))
    toc_end = d.text.rfind("\n", 0, body_heading) + 1  # the body's first heading line starts here
    first_toc = d.text.index("第一章謀篇布局新時期科技創新發展藍圖")
    assert first_toc < toc_end
    assert all(not (c.start < toc_end and c.end > first_toc) for c in ingested.chunks_of(d.doc_id))
    assert any(msg.startswith("004") and "table of contents" in msg for msg in ingested.dropped)


def test_the_second_render_yields_the_body_once(ingested) -> None:
    samples = (("000", "一是进一步加大政策供给力度"), ("001", "坚持引领发展转型"), ("002", "8月5日,科技部"))
    for prefix, needle in samples:
        d = doc(ingested, prefix)
        assert d.text.count(needle) == 2
        assert sum(needle in c.text for c in ingested.chunks_of(d.doc_id)) == 1


def test_signature_block_is_one_chunk(ingested) -> None:
    d = doc(ingested, "000")
    c = next(c for c in ingested.chunks_of(d.doc_id) if "签 发 人" in c.text)
    assert "联系电话:0471-6328607" in c.text and "2023年8月3日" in c.text
    assert c.kinds == ("closing",)
