"""Question analysis: intents, key terms, titles, focus and soft term matching."""

from __future__ import annotations

import pytest

from assistant.intent import analyze, compact, coverage, key_terms, term_match


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("首次认定的高新技术企业奖励多少？", "amount"),
        ("县域创新意见有哪些基金？", "list"),
        ("这一条的责任单位是谁？", "responsible"),
        ("这个规划是什么时候印发的？", "date"),
        ("县域创新意见的文号是什么？", "date"),
        ("试验区是依托哪个机构建设的？", "entity"),
        ("农村牧区的孩子有机会去科技馆吗", "yesno"),
        ("星创天地主要扶持什么样的创业", "fact"),
    ],
)
def test_primary_intent(question: str, intent: str) -> None:
    assert analyze(question).intent == intent


def test_a_question_can_ask_several_things() -> None:
    a = analyze("答复是谁签发的？哪个处室承办，联系人是谁？")
    assert a.asks("responsible") and a.asks("entity")


def test_which_items_is_a_list_not_an_amount() -> None:
    a = analyze("科技厅承诺下一步做哪几项工作？")
    assert a.intent == "list" and a.wants_items and not a.wants_number
    b = analyze("到2020年各建几个？")
    assert b.wants_number and not b.wants_items


def test_key_terms_drop_question_words_and_normalise_script() -> None:
    terms = [t.text for t in analyze("康巴什區十三五期間累計爭取到上級財政科技資金多少？").terms]
    assert "资金" in terms and "财政" in terms  # traditional question, simplified terms
    assert not {"多少", "资金多少", "？"} & set(terms)


def test_rare_words_weigh_more_than_common_ones() -> None:
    weights = {t.text: t.weight for t in key_terms("发明专利的发展")}
    assert weights["发明专利"] > weights["发展"]


def test_titles_and_focus() -> None:
    a = analyze("《内蒙古自治区创新联合体备案管理办法(试行)》有哪些条件？")
    assert a.titles == ("内蒙古自治区创新联合体备案管理办法(试行)",)
    assert analyze("科技赋能方案的目标完成得怎么样？").focus == ("完成",)


def test_term_match_is_soft_but_not_loose() -> None:
    assert term_match("科技馆", compact("各级各类科技场馆")) == 0.7
    assert term_match("比例", compact("占GDP的比重达到2.2%")) == 1.0  # interchangeable word
    assert term_match("资助", compact("给予补助资金")) == 0.0


def test_coverage_weights_terms() -> None:
    terms = analyze("个人申请发明专利有资助吗").terms
    assert coverage(terms, compact("个人申请发明专利给予资助")) == pytest.approx(1.0)
    assert coverage(terms, compact("申请")) < 0.3


def test_intensity_matches_a_share_of_gdp_but_not_a_mere_proportion() -> None:
    from assistant.intent import term_match

    assert term_match("强度", "研发经费投入占gdp的比重达到2.2%") == 1.0
    assert term_match("比重", "研发投入强度达到1.5%") == 1.0
    assert term_match("强度", "按一定比例对符合条件企业的研发投入给予补助") < 1.0


def test_abbreviations_match_the_words_texts_write() -> None:
    from assistant.intent import compact, key_terms, term_match

    assert "高企" in [t.text for t in key_terms("截至2022年底全区有多少家高企?")]  # not 家高企
    assert term_match("高企", compact("全区高新技术企业总数达到1573家")) == 1.0
    assert term_match("发改委", compact("自治区发展改革委、科技厅")) == 1.0
    assert term_match("补贴", compact("给予后补助支持")) == 1.0
    assert term_match("高企", compact("科技型中小企业")) < 0.5  # an abbreviation widens one way only


def test_one_mistyped_character_still_matches_but_less() -> None:
    from assistant.intent import compact, term_match

    assert term_match("科创版", compact("在科创板挂牌的企业")) == 0.6
    assert term_match("特排员到", compact("企业科技特派员服务")) == 0.6  # jieba glued 到 on
    assert term_match("伊金霍洛旗", compact("康巴什区与高新区")) == 0.0
    assert term_match("2030", compact("到2025年")) < 0.5  # numbers are never taken as mistyped


def test_bm25_query_gets_the_written_forms_of_abbreviations() -> None:
    from assistant.vocabulary import expand

    assert "高新技术企业" in expand("多少家高企")
    assert "规模以上" in expand("規上企業")  # traditional input is normalised first
    assert expand("研发投入强度") == "研发投入强度"


def test_an_unknown_name_is_one_term_not_pieces_glued_to_its_neighbours() -> None:
    from assistant.intent import key_terms

    terms = [t.text for t in key_terms("伊金霍洛旗到2025年高企要发展到多少家?")]
    assert "伊金霍洛旗" in terms and not any(t.endswith("到") for t in terms)
    assert "特排员" in [t.text for t in key_terms("企业科技特排员到现在服务了多少家企业?")]


def test_items_listed_before_one_question_word_are_each_asked() -> None:
    from assistant.intent import analyze

    a = analyze("康巴什数字经济核心产业占比、公民科学素质比例定的目标是多少?")
    assert len(a.items) == 2 and not a.parts
    assert analyze("康巴什规划管到哪一年?").items == ()


def test_which_units_and_which_three_wording() -> None:
    from assistant.intent import analyze

    assert analyze("科学普及那一条由哪些单位负责?").asks("responsible")
    a = analyze("三清零指的是哪三个")
    assert a.asks("list") and a.wants_items
