"""The post-generation checker: markers, numbers and wording against the cited passages."""

from __future__ import annotations

from assistant.check import check_answer
from tests.handmade import make_hits, passage_citations


def _check(text: str):
    return check_answer(text, passage_citations(make_hits()))


def test_a_supported_answer_passes() -> None:
    result = _check(
        "首次认定的高新技术企业可获一次性奖励30万元研发经费[1]。"
        "2021—2023年共支持攻关项目31项[2]。"
    )
    assert result.ok
    assert [s.markers for s in result.sentences] == [(1,), (2,)]


def test_a_number_missing_from_the_cited_passage_is_flagged() -> None:
    invented = "首次认定的高新技术企业可获一次性奖励50万元研发经费[1]。"
    result = _check(invented + "支持攻关项目31项[2]。")
    assert [f.sentence for f in result.flagged] == [invented]
    assert "50万" in result.flagged[0].reason


def test_a_number_only_in_an_uncited_passage_is_still_flagged() -> None:
    result = _check("支持关键技术攻关项目31项[1]。")  # 31项 is in passage 2, not 1
    assert len(result.flagged) == 1 and "31" in result.flagged[0].reason


def test_numbers_match_across_unit_width_and_split_decimal_forms() -> None:
    assert _check("首次认定的高新技术企业奖励３０万元研发经费[1]。").ok
    assert _check("首次认定的高新技术企业奖励300000元研发经费[1]。").ok
    assert _check("“十三五”期间累计争取上级财政科技资金2771.4万元[4]。").ok


def test_numbers_from_the_cited_documents_header_are_supported() -> None:
    assert _check("该规划的文号是鄂康政发〔2023〕8号[3]。").ok


def test_markers_to_passages_not_given_are_removed_and_reported() -> None:
    result = _check("首次认定的高新技术企业一次性奖励30万元研发经费[1][9]。另有奖励措施[7]。")
    assert result.invalid_markers == (7, 9)
    assert "[9]" not in result.valid_text and "[7]" not in result.valid_text
    assert "30万元研发经费[1]。" in result.valid_text
    assert [f.sentence for f in result.flagged] == ["另有奖励措施。"]
    assert "[7]" in result.flagged[0].reason


def test_sentences_without_markers_are_flagged_but_refusals_and_lead_ins_are_not() -> None:
    result = _check("具体如下：\n首次认定的高新技术企业奖励30万元研发经费。")
    assert [f.reason for f in result.flagged] == ["没有标注引用"]
    assert _check("所提供的文件中没有找到关于个人专利资助的规定。").ok


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    result = _check("首次认定的高新技术企业奖励30万元研发经费。[1]支持攻关项目31项。[2]")
    assert result.ok
    assert result.valid_text == "首次认定的高新技术企业奖励30万元研发经费[1]。支持攻关项目31项[2]。"


def test_a_sentence_about_something_else_is_flagged_even_with_a_marker() -> None:
    result = _check("个人申请发明专利每件可获资助[1]。")
    assert [f.reason for f in result.flagged] == ["与所引段落内容不符"]
