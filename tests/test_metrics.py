"""Metric functions on tiny hand-made runs whose values are worked out by hand."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from eval import metrics as m
from eval.dataset import Evidence

A = "a.txt"
B = "b.txt"
# One quote printed twice in a.txt (a page rendered twice): spans 100–120 and 900–920.
EV_TWICE = Evidence(A, "q", ((100, 120), (900, 920)))
EV_A2 = Evidence(A, "r", ((300, 340),))
EV_B = Evidence(B, "s", ((50, 60),))
MISS = m.Span(A, 0, 50)
HIT_COPY1 = m.Span(A, 110, 130)
HIT_COPY2 = m.Span(A, 880, 905)
HIT_A2 = m.Span(A, 320, 330)
HIT_B = m.Span(B, 55, 58)


def test_overlap_is_half_open_and_same_file() -> None:
    assert not m.covers(m.Span(A, 80, 100), EV_TWICE)  # ends where the quote starts
    assert m.covers(m.Span(A, 80, 101), EV_TWICE)
    assert not m.covers(m.Span(B, 100, 120), EV_TWICE)  # same offsets, other file


def test_quote_found_twice_counts_at_each_place() -> None:
    assert m.covers(HIT_COPY1, EV_TWICE) and m.covers(HIT_COPY2, EV_TWICE)


def test_hit_at_k_and_mrr() -> None:
    ranked = [MISS, MISS, HIT_COPY2, HIT_A2]
    assert m.hit_at_k(ranked, [EV_TWICE], 2) == 0.0
    assert m.hit_at_k(ranked, [EV_TWICE], 3) == 1.0
    assert m.reciprocal_rank(ranked, [EV_TWICE]) == pytest.approx(1 / 3)
    assert m.reciprocal_rank(ranked, [EV_TWICE], k=2) == 0.0


def test_empty_results_score_zero_and_no_evidence_is_not_applicable() -> None:
    assert m.hit_at_k([], [EV_TWICE], 5) == 0.0
    assert m.reciprocal_rank([], [EV_TWICE]) == 0.0
    assert m.ndcg_at_k([], [EV_TWICE]) == 0.0
    assert m.recall_at_k([], [EV_TWICE, EV_A2], 5) == 0.0
    assert m.hit_at_k([HIT_COPY1], [], 5) is None
    assert m.citation_precision([], [EV_TWICE]) is None
    assert m.citation_recall([], [EV_TWICE]) == 0.0  # a refusal cites nothing


def test_ties_keep_the_pipeline_order() -> None:
    # Two chunks with equal scores: the metric reads ranks from list order, nothing else.
    assert m.reciprocal_rank([MISS, HIT_COPY1], [EV_TWICE]) == 0.5
    assert m.reciprocal_rank([HIT_COPY1, MISS], [EV_TWICE]) == 1.0


def test_recall_is_share_of_evidence_items() -> None:
    ranked = [HIT_A2, MISS, MISS, MISS, MISS, HIT_COPY1]
    assert m.recall_at_k(ranked, [EV_TWICE, EV_A2], 5) == 0.5
    assert m.recall_at_k(ranked, [EV_TWICE, EV_A2], 6) == 1.0


def test_cross_document_question_needs_all_evidence() -> None:
    cross = [EV_TWICE, EV_B]
    assert m.is_cross_document(cross)
    assert m.recall_at_k([HIT_COPY1, MISS], cross, 5) == 0.0  # only one side found
    assert m.recall_at_k([HIT_COPY1, HIT_B], cross, 5) == 1.0
    assert m.hit_at_k([HIT_COPY1], cross, 5) == 1.0  # hit@k still asks for any evidence
    assert m.citation_recall([HIT_B], cross) == 0.0


def test_ndcg_gives_no_gain_to_a_second_copy() -> None:
    ev = [EV_TWICE, EV_A2]
    ideal = 1 + 1 / math.log2(3)
    # Both copies of the same quote at ranks 1 and 2, the other item at rank 3.
    got = m.ndcg_at_k([HIT_COPY1, HIT_COPY2, HIT_A2], ev)
    assert got == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert m.ndcg_at_k([HIT_COPY1, HIT_A2, HIT_COPY2], ev) == pytest.approx(1.0)
    # One big chunk covering both items at rank 1 is as good as the ideal (capped at 1).
    big = m.Span(A, 90, 350)
    assert m.ndcg_at_k([big], ev) == 1.0


def test_citation_precision_and_recall() -> None:
    ev = [EV_TWICE, EV_A2]
    cited = [HIT_COPY2, MISS, HIT_B, HIT_A2]
    assert m.citation_precision(cited, ev) == 0.5
    assert m.citation_recall(cited, ev) == 1.0
    assert m.citation_recall([MISS, HIT_COPY1], ev) == 0.5


def test_refusal_figures() -> None:
    assert m.refusal_accuracy([True, True, False]) == pytest.approx(2 / 3)
    assert m.false_refusal_rate([False, False, False, True]) == 0.25
    assert m.refusal_accuracy([]) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("累计争取上级财政科技资金2771. 4萬元", Decimal("27714000")),
        ("２７７１.４万元", Decimal("27714000")),
        ("27,714,000元", Decimal("27714000")),
        ("投入总量达到375亿元", Decimal("37500000000")),
        ("研发投入1. 04億元", Decimal("104000000")),
        ("比重达到2.2%以上", Decimal("2.2")),
    ],
)
def test_number_normalisation(text: str, value: Decimal) -> None:
    assert m.extract_numbers(text) == {value}


def test_ascii_comma_between_clauses_is_not_a_thousands_separator() -> None:
    # The scraper turned "，" into ",": "1800人,服务企业4739家" holds two numbers.
    assert m.extract_numbers("1800人,服务企业4739家") == {Decimal(1800), Decimal(4739)}
    assert m.extract_numbers("项目60项,100项") == {Decimal(60), Decimal(100)}


def test_number_recall() -> None:
    gold = "累计争取上级财政科技资金2771.4万元,占1.16%。"
    assert m.number_recall(gold, "累計爭取上級財政科技資金2771. 4萬元") == 0.5
    assert m.number_recall(gold, "资金2771.4万元,比重1. 16%") == 1.0
    assert m.number_recall("没有数字", "anything 12") is None
    # The same figures in Chinese numerals (a Taiwan law's dates, a share in words).
    roc = "自民國106年11月24日施行，減除投資金額50%"
    assert m.number_recall(roc, "自中華民國一百零六年十一月二十四日施行，得就投資金額百分之五十限度內減除") == 1.0
    assert m.number_recall(roc, "自中華民國一百零七年施行") == 0.0
    assert m.number_recall(gold, "") == 0.0


def test_dates_match_across_formats() -> None:
    assert m.number_recall("2023年12月29日发布", "发布日期:2023-12-29 09:12") == 1.0


def test_percentile_and_mean() -> None:
    assert m.percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert m.percentile([5.0], 95) == 5.0
    assert m.percentile([1.0, 2.0, 3.0, 4.0, 100.0], 95) == pytest.approx(80.8)
    assert m.percentile([], 50) is None
    assert m.mean([1.0, None, 0.0]) == 0.5
    assert m.mean([None]) is None
