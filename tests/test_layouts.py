"""Readers and metadata rules on small samples shaped like real pages (written for these tests).

One sample per layout the readers must cope with: a gov.cn fragment (metadata table, split
title, empty fields), a portal page with widgets and a hidden duplicate, a repost whose page
fields name the reposting site, a Markdown regulation, a Taiwan article list, a wrapped PDF and
an HTML table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.dates import parse_date
from index.ingest import ingest_corpus
from index.load import read_bytes
from index.readers.pdf import join_wrapped

GOVCN = """<div class="wrap"><table class="meta">
<tr><td><b>索 引 号：</b></td><td>000014349/2019-00031</td><td><b>主题分类：</b></td><td>科技、教育\\科技</td></tr>
<tr><td><b>发文机关：</b></td><td>国务院办公厅</td><td><b>成文日期：</b></td><td>2019年03月05日</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">国务院办公厅关于推进农业科技示范园区建设的意见</td></tr>
<tr><td><b>发文字号：</b></td><td>国办发〔2019〕12号</td><td><b>发布日期：</b></td><td>2019年03月11日</td></tr>
<tr><td><b>主 题 词：</b></td><td colspan="3"></td></tr></table>
<div class="body"><p>国务院办公厅关于推进农业科技</p><p>示范园区建设的意见</p><p>国办发〔2019〕12号</p>
<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>
<p>一、总体要求</p><p>到2022年，建成国家级示范园区150个，带动农民增收。</p>
<p>二、保障措施</p><p>各地区要加大财政投入，园区建设补助每个不超过500万元。</p>
<p>国务院办公厅</p><p>2019年3月5日</p></div>
<div class="share">扫一扫在手机打开当前页</div></div>"""

PORTAL = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>关于开展稳岗补贴申领工作的通知 - 某市人民政府门户网站</title>
<meta name="ArticleTitle" content="关于开展稳岗补贴申领工作的通知"><meta name="PubDate" content="2024-06-03 10:00">
<meta name="ContentSource" content="市人力资源社会保障局">
<style>.hide{display:none}@media print{.body{display:none}}</style></head>
<body><div class="nav"><a>首页</a> <a>政务公开</a> <a>政务服务</a></div>
<div class="crumb">当前位置：首页 > 政务公开 > 通知公告</div>
<h1>关于开展稳岗补贴申领工作的通知</h1>
<div class="attr"><span>发表时间：2024-06-03 10:00</span> <span>信息来源：市人力资源社会保障局</span>
<span class="count">浏览量：<b>-</b></span><span class="font">字号：<a>大</a> <a>中</a> <a>小</a></span></div>
<div class="body"><p>　　各有关单位：</p><p>　　一、补贴标准</p>
<p>　　<span>符合条件的企业</span><span>按上年度实际缴纳失业保险费的60%返还。</span></p>
<p>　　二、申请时间</p><p>　　2024年6月10日至7月31日。</p>
<p>　　某市人力资源和社会保障局</p><p>　　2024年6月3日</p></div>
<div class="bar">【打印本页】【关闭窗口】</div>
<div class="hide">关于开展稳岗补贴申领工作的通知 各有关单位：一、补贴标准
符合条件的企业按上年度实际缴纳失业保险费的60%返还。</div>
<div style="display: none">隐藏的第二份正文：补贴比例为90%。</div>
<div class="footer">版权所有：某市人民政府 网站标识码：1234567890</div></body></html>"""

REPOST = """<html><body><div>某区财政局政府信息公开</div>
<div>索引号：11440106007508528C/2024-00031</div><div>发布机构：某区财政局</div><div>成文日期：2024-03-14</div>
<div>名称：某市民政局 某市财政局关于印发某市长者饭堂补贴办法的通知</div><div>文号：</div><div>发布日期：2024-10-15</div>
<h1>某市民政局 某市财政局关于印发某市长者饭堂补贴办法的通知</h1>
<div>发布日期：2024-10-15&nbsp;&nbsp;浏览次数：<span>-</span></div>
<p>　　某民规字〔2024〕3号</p><p>各区民政局、财政局：</p><p>　　现将办法印发给你们，请遵照执行。</p>
<p>　　某市民政局　　某市财政局</p><p>　　2024年3月14日</p>
<p>某市长者饭堂补贴办法</p><p>　　第一条 为规范长者饭堂补贴，制定本办法。</p>
<p>　　第二条 助餐补贴每人每餐3元。</p></body></html>"""

MARKDOWN = """# 某省科技成果转化条例

2021年9月29日 某省第十三届人民代表大会常务委员会第二十九次会议通过

<!-- INFO END -->

## 第一章  总则

第一条 为了促进科技成果转化，制定本条例。

第二条 本条例适用于本省行政区域内的科技成果转化活动。

## 第二章  组织实施

第三条 县级以上人民政府科学技术主管部门负责科技成果转化工作。

第四条 本条例自2022年1月1日起施行。
"""

TAIWAN = """法規名稱：某某產業補助辦法
法規性質：命令
法規類別：行政＞經濟部＞產業目
最新異動日期：20200515
沿革內容：
1.中華民國一百零六年三月一日經濟部經工字第 10604600110  號令訂定發布全文 5 條
2.中華民國一百零九年五月十五日經濟部經工字第 10904601230  號
  令修正發布第 3 條條文

法規內容：

第 1 條
本辦法依產業創新條例第十條規定訂定之。

第 2 條
本辦法之補助對象如下：
一、中小企業。
二、新創事業。

第 3 條
補助金額以新臺幣五百萬元為限。
"""

TABLE = """<html><body><h1>某市积分制入户分值表</h1><table>
<tr><td><strong>类 别</strong></td><td><strong>指 标</strong></td><td><strong>分 值</strong></td></tr>
<tr><td rowspan="2">基础指标</td><td>本科学历</td><td>60分</td></tr>
<tr><td>大专学历</td><td>40分</td></tr>
<tr><td>加分指标</td><td>发明专利</td><td>每项10分</td></tr></table></body></html>"""


def _ingest(tmp_path: Path, settings, name: str, data: bytes):
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    result = ingest_corpus(folder, settings.chunking)
    doc = next(d for d in result.documents if d.source == name)
    return doc, result.chunks_of(doc.doc_id), result


def test_govcn_fragment_metadata_table_split_title_and_empty_field(tmp_path: Path, settings) -> None:
    doc, chunks, _ = _ingest(tmp_path, settings, "govcn.html", GOVCN.encode())
    assert doc.title == "国务院办公厅关于推进农业科技示范园区建设的意见"
    assert (doc.issuer, doc.doc_number) == ("国务院办公厅", "国办发〔2019〕12号")
    assert (doc.written_date, doc.published_date) == ("2019-03-05", "2019-03-11")
    assert doc.doc_type == "意见"
    # The empty 主题词 field did not swallow the title; the label / value cells became one line.
    assert "主 题 词：\n" in doc.text or doc.text.rstrip().find("主 题 词：") >= 0
    assert "标　　题：国务院办公厅关于推进农业科技示范园区建设的意见" in doc.text
    body = [c for c in chunks if not c.kinds]
    assert any("建成国家级示范园区150个" in c.text for c in body)
    assert not any("扫一扫" in c.text for c in chunks)


def test_portal_page_widgets_hidden_copies_and_title_from_meta(tmp_path: Path, settings) -> None:
    doc, chunks, _ = _ingest(tmp_path, settings, "portal.html", PORTAL.encode())
    assert doc.title == "关于开展稳岗补贴申领工作的通知"
    assert doc.published_date == "2024-06-03" and doc.written_date == "2024-06-03"
    assert doc.issuer == "某市人力资源和社会保障局"  # the sign-off, not the page's short 来源
    assert doc.doc_type == "通知"
    assert "隐藏的第二份正文" not in doc.text and "90%" not in doc.text
    assert doc.text.count("按上年度实际缴纳失业保险费的60%返还") == 1
    # Label and figure in two spans stay on one line.
    assert "符合条件的企业按上年度实际缴纳失业保险费的60%返还。" in doc.text
    joined = "\n".join(c.text for c in chunks)
    for widget in ("浏览量", "字号", "打印本页", "关闭窗口", "当前位置", "版权所有", "政务服务"):
        assert widget not in joined, widget


def test_repost_keeps_the_documents_own_issuer_and_number(tmp_path: Path, settings) -> None:
    doc, _, _ = _ingest(tmp_path, settings, "repost.html", REPOST.encode())
    assert doc.title == "某市民政局 某市财政局关于印发某市长者饭堂补贴办法的通知"
    assert doc.issuer == "某市民政局、某市财政局"  # not the reposting 某区财政局
    assert doc.doc_number == "某民规字〔2024〕3号"  # the page's 文号 field is empty; the body has it
    assert (doc.written_date, doc.published_date) == ("2024-03-14", "2024-10-15")
    assert "浏览次数" not in doc.text


def test_markdown_regulation_headings_and_adoption_line(tmp_path: Path, settings) -> None:
    doc, chunks, result = _ingest(tmp_path, settings, "reg.md", MARKDOWN.encode("gb18030"))
    assert doc.title == "某省科技成果转化条例"
    assert doc.issuer == "某省人民代表大会常务委员会"
    assert doc.written_date == "2021-09-29"
    assert doc.doc_type == "地方性法规"
    assert "#" not in doc.text and "INFO END" not in doc.text
    outline = [(depth, h) for depth, h, _ in result.outlines[doc.doc_id]]
    assert (1, "第一章  总则") in outline and (2, "第三条") in outline
    third = next(c for c in chunks if "科学技术主管部门" in c.text)
    assert third.heading_path[1] == "第二章  组织实施"


def test_taiwan_article_list_roc_dates_and_promulgation(tmp_path: Path, settings) -> None:
    doc, chunks, result = _ingest(tmp_path, settings, "tw.txt", TAIWAN.encode())
    assert doc.title == "某某產業補助辦法" and doc.script == "traditional"
    assert doc.written_date == "2020-05-15"  # the latest amendment, 民國109年
    assert doc.doc_number == "經濟部經工字第10904601230號令"
    assert doc.issuer == "經濟部"
    outline = [h for _, h, _ in result.outlines[doc.doc_id]]
    assert outline[:3] == ["第 1 條", "第 2 條", "一、中小企業"]
    item = next(c for c in chunks if "一、中小企業" in c.text)
    assert "第 2 條" in item.heading_path or "第 2 條" in item.text


@pytest.mark.parametrize(("text", "iso"), [
    ("民國113年8月7日", "2024-08-07"), ("中華民國一百十三年八月七日", "2024-08-07"),
    ("中華民國一百零八年十二月二十六日", "2019-12-26"), ("二〇〇六年十月十八日", "2006-10-18"),
    ("108年12月26日", "2019-12-26"), ("2023/4/12", "2023-04-12"),
])
def test_roc_and_chinese_numeral_dates(text: str, iso: str) -> None:
    assert parse_date(text) == iso


def test_compact_dates_only_when_asked() -> None:
    assert parse_date("20191226") is None
    assert parse_date("20191226", compact=True) == "2019-12-26"


def test_wrapped_pdf_lines_join_into_paragraphs() -> None:
    lines = [
        "第 5 條",
        "雇主聘僱外國專業人才在我國從事前條第四款之專業工作，除依第七條規定不須申請許可者外，應檢具",
        "相關文件，向勞動部申請許可。",
        "第 6 條",
        "外國人取得國內外大學之碩士以上學位，或教育部公告世界頂尖大學之學士以上學位者，受聘僱在我國",
        "、文化藝術領域從事專業工作。",
    ]
    assert join_wrapped(lines) == [
        "第 5 條",
        "雇主聘僱外國專業人才在我國從事前條第四款之專業工作，除依第七條規定不須申請許可者外，應檢具相關文件，向勞動部申請許可。",
        "第 6 條",
        "外國人取得國內外大學之碩士以上學位，或教育部公告世界頂尖大學之學士以上學位者，受聘僱在我國、文化藝術領域從事專業工作。",
    ]


def test_wrapped_pdf_end_to_end(tmp_path: Path, settings) -> None:
    fpdf = pytest.importorskip("fpdf")
    font = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    if not font.is_file():
        pytest.skip("a CJK font is needed to write the sample PDF (Debian fonts-wqy-microhei)")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.add_font("wqy", fname=str(font))
    pdf.set_font("wqy", size=11)
    text = ("外國專業人才延攬辦法\n第 1 條\n" + "為加強延攬及僱用外國專業人才，以提升國家競爭力，" * 4
            + "特制定本法。\n第 2 條\n本法之主管機關為國家發展委員會。")
    pdf.multi_cell(0, 8, text)
    doc, chunks, _ = _ingest(tmp_path, settings, "law.pdf", bytes(pdf.output()))
    # The long article was wrapped over several printed lines; the reader joined them.
    assert "以提升國家競爭力，為加強延攬" in doc.text.replace("\n", "|")
    assert any(c.heading_path[1:] == ("第 2 條",) and "國家發展委員會" in c.text for c in chunks)


def test_html_table_rows_keep_their_column_headers() -> None:
    text = read_bytes(TABLE.encode(), ".html").text
    assert "类别：基础指标；指标：本科学历；分值：60分" in text
    assert "类别：基础指标；指标：大专学历；分值：40分" in text  # the merged cell repeats
    assert "类别：加分指标；指标：发明专利；分值：每项10分" in text


def test_layout_table_holding_the_article_is_not_flattened() -> None:
    body = "".join(f"<p>第{i}段：本段讲述政策的具体内容，包括申请条件、办理流程和补贴标准。</p>" for i in range(12))
    page = f"<html><body><table><tr><td>{body}</td></tr></table></body></html>"
    lines = [ln for ln in read_bytes(page.encode(), ".html").text.splitlines() if ln.strip()]
    assert len(lines) == 12
