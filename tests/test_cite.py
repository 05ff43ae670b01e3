"""Sentence splitting, markers, numbers, quotes and script conversion shared by both answerers."""

from __future__ import annotations

from assistant.cite import (
    best_span,
    canonical_markers,
    citation_from_hit,
    marker_numbers,
    numbers_in,
    renumber_markers,
    split_sentences,
    strip_markers,
    to_answer_script,
)
from index.normalize import detect_script, to_traditional
from tests.handmade import make_hits


def test_sentences_have_exact_offsets_and_split_on_chinese_terminators() -> None:
    text = "　　第一句。第二句！第三句？第四句；第五句\n第六句"
    sentences = split_sentences(text)
    expected = ["第一句。", "第二句！", "第三句？", "第四句；", "第五句", "第六句"]
    assert [s.text for s in sentences] == expected
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_quotes_and_brackets_are_not_split_and_closers_stay_with_their_sentence() -> None:
    text = "他说：“好。走。”然后离开。规划（到2025年。暂定）执行。“最后一句。”"
    sentences = [s.text for s in split_sentences(text)]
    assert sentences == [
        "他说：“好。走。”然后离开。", "规划（到2025年。暂定）执行。", "“最后一句。”"
    ]


def test_an_unclosed_quote_does_not_swallow_the_next_line() -> None:
    text = "（三）“互联网+“资源利用。下一句。\n新的一行。"
    sentences = [s.text for s in split_sentences(text)]
    assert "新的一行。" in sentences
    assert "下一句。" in sentences


def test_a_line_break_of_a_fixed_width_layout_does_not_cut_a_sentence() -> None:
    text = ("第 3 條 勞工結婚者給予婚假八日，工資照給；勞工因喪事依下列規定給\n"
            "  予喪假，工資照給：\n"
            "一、父母、養父母、繼父母、配偶喪亡者，給予喪假八日，工資照給。")
    sentences = [s.text for s in split_sentences(text)]
    assert sentences[1] == "勞工因喪事依下列規定給\n  予喪假，工資照給："  # the wrap is no sentence end
    assert sentences[2].startswith("一、父母")  # an item after a colon opens its own
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text
    # Short lines (names, a table's cells) are lines of their own.
    assert len(split_sentences("召集人\n孙春兰　国务院副总理\n成员\n某某　教育部部长")) == 4


def test_marker_forms_are_parsed_and_canonicalised() -> None:
    assert marker_numbers("甲[1]乙［2］丙【3,4】丁[5、6]戊[7-9]") == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    # Markers written after the full stop move before it, so they stay with their sentence.
    assert canonical_markers("奖励30万元。[1][2]其次【3，4】！") == "奖励30万元[1][2]。其次[3][4]！"
    assert strip_markers("奖励[1]30万元[2]。") == "奖励30万元。"
    assert renumber_markers("甲[3][5]乙[3][9]。", {3: 1, 5: 2}) == "甲[1][2]乙[1]。"
    assert marker_numbers("〔2018〕84号") == []


def test_numbers_are_normalised_across_widths_units_and_split_decimals() -> None:
    assert numbers_in("奖励３０万元") == {"300000"} == numbers_in("奖励300000元")
    assert numbers_in("資金2771. 4萬元") == numbers_in("资金2771.4万元") == {"27714000"}
    assert numbers_in("共1,573家") == {"1573"}
    assert numbers_in("投入1.04亿元") == {"104000000"}
    assert numbers_in("突破百亿元") == {"10000000000"}
    assert numbers_in("比重达到2.2%以上") == {"2.2"}


def test_markers_and_list_ordinals_are_not_numbers_of_the_answer() -> None:
    assert numbers_in("1. 营造良好生态[3]\n(2) 培育主体[4]") == set()
    assert numbers_in("到2025年[1]") == {"2025"}


def test_citation_offsets_point_into_the_document_text() -> None:
    hit = make_hits()[0]
    text = hit.chunk.text
    start = text.index("对首次认定")
    end = text.index("。", start) + 1
    citation = citation_from_hit(1, hit, start, end)
    assert citation.quote == "对首次认定的高新技术企业，一次性奖励30万元研发经费。"
    assert hit.document.text[citation.start : citation.end] == citation.quote
    assert citation.paragraph == text and citation.paragraph_start == hit.chunk.start
    assert citation.title == hit.document.title and citation.date == "2023-08-03"


def test_best_span_prefers_the_sentence_with_the_claims_words_and_numbers() -> None:
    passage = make_hits()[1].chunk.text
    start, end = best_span(passage, "三年里共支持攻关项目31项[2]。")
    assert passage[start:end] == "2021—2023年，支持关键技术攻关项目31项，支持资金3069万元。"
    start, end = best_span(passage, "重点是加强关键技术研发[2]。")
    assert passage[start:end] == "二是加强关键技术研发。"


def test_answer_script_converts_text_but_keeps_quoted_source_as_written() -> None:
    sources = [h.chunk.text for h in make_hits()]
    text = (
        "康巴什区要求「研发投入稳步提升」，"
        "自治区规定「一次性奖励30万元研发经费」，这是“全新说法”。"
    )
    out = to_answer_script(text, "traditional", sources)
    assert "康巴什區" in out
    assert "「研發投入穩步提升」" in out  # the source is traditional
    assert "「一次性奖励30万元研发经费」" in out  # the source is simplified: kept as it is
    assert "“全新說法”" in out  # not from any source: converted like the rest
    assert detect_script(out) == "traditional"
    assert to_answer_script("研發投入「穩步提升」", "simplified") == "研发投入「穩步提升」"
    assert len(out) == len(text)


def test_a_sentence_already_traditional_is_not_converted_again() -> None:
    # OpenCC's s2t, run over traditional text, swaps characters both scripts share for rarer
    # variants (核定 → 覈定); a quote of a traditional source must stay as written.
    text = "經中央目的事業主管機關核定之公司。个人投资经核定的公司。"
    out = to_traditional(text)
    assert out.startswith("經中央目的事業主管機關核定之公司。")
    assert "個人投資經" in out  # the simplified sentence is converted
    assert len(out) == len(text) and detect_script(out) == "traditional"
    # A line of the answer's own words around a traditional title converts its own words.
    line = "根据《科技創新規劃》（甲發〔2024〕1號）[1]："
    assert to_traditional(line) == "根據《科技創新規劃》（甲發〔2024〕1號）[1]："
