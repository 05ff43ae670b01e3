"""Metadata parsing: dates in every form, 文号 variants, document types, traditional labels."""

from __future__ import annotations

import pytest

from index.clean import clean
from index.metadata import DOC_NUMBER, doc_type_of, parse_date


@pytest.mark.parametrize(("text", "iso"), [
    ("2023-02-24", "2023-02-24"),
    ("发布日期:2023-10-10 11:05", "2023-10-10"),
    ("2023年8月3日", "2023-08-03"),
    ("二〇一八年十一月十九日", "2018-11-19"),
    ("二〇二三年二月二十四日", "2023-02-24"),
    ("8月5日,科技部印发", "--08-05"),  # no year: stays partial
    ("没有日期", None),
])
def test_dates(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


NUMBERS = ["内政办发〔2018〕84号", "鄂康政发[2023]8号", "国发(2017)43号", "京政办发【2020】1号", "鄂康政發〔2023〕8號"]


@pytest.mark.parametrize("number", NUMBERS)
def test_document_number_variants(number: str) -> None:
    from index.normalize import normalize

    assert DOC_NUMBER.fullmatch(normalize(number))


@pytest.mark.parametrize(("title", "kind"), [
    ("关于对政协十三届一次会议第0581号提案的答复", "提案答复"),
    ("《内蒙古高质量发展科技赋能实施方案(2023—2025年)》解读", "解读"),
    ("内蒙古自治区科技创新合作三年行动计划", "行动计划"),
    ("关于促进县域创新驱动发展的实施意见", "实施意见"),
    ("康巴什区科技创新“十四五”规划", "规划"),
    ("关于印发某某办法的通知", "通知"),
    ("某某大事记", None),
])
def test_document_types_come_from_the_end_of_the_title(title: str, kind: str | None) -> None:
    assert doc_type_of(title) == kind


def test_traditional_labels_and_second_render_timestamps() -> None:
    from index.chunk import split_regions
    from index.metadata import extract

    text = ("發文機關: 某市人民政府 成文日期: 2023年2月24日\n標  題: 某市科技規劃\n發文字號: 某政發〔2023〕8號\n\n"
            "某市科技規劃\n\n一、目標\n\n到2025年,研發投入達到2%。")
    cleaned = clean(text)
    header, body, closing = split_regions(cleaned)
    meta = extract(cleaned, header, body, closing)
    assert (meta.issuer, meta.written_date, meta.doc_number) == ("某市人民政府", "2023-02-24", "某政發〔2023〕8號")
    assert meta.doc_type == "规划"
