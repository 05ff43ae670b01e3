"""Figures in any notation (index/numbers.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from index.normalize import normalize
from index.numbers import quantities, values


@pytest.mark.parametrize(("text", "value"), [
    ("每人每月一百一十一元", Decimal(111)),
    ("安排资金三千万元", Decimal(30_000_000)),
    ("奖励30万元", Decimal(300_000)),
    ("累计争取2771. 4万元", Decimal(27_714_000)),  # a scraper's split decimal
    ("补贴１５００元", Decimal(1500)),  # full-width digits, normalised
    ("共1,234家", Decimal(1234)),
])
def test_a_figure_has_one_value_in_any_notation(text: str, value: Decimal) -> None:
    assert value in values(normalize(text))


def test_percentages_in_words_and_signs_are_shares() -> None:
    assert [q.unit for q in quantities(normalize("不低于百分之七十"))] == ["%"]
    assert quantities(normalize("不低于百分之七十"))[0].value == Decimal(70)
    assert quantities(normalize("占比40%"), r"%|％|百分之")  # the asked units


def test_a_range_gives_both_ends_and_units_filter_the_kind() -> None:
    ages = quantities(normalize("年龄在18至45周岁之间"))
    assert {q.value for q in ages} >= {Decimal(18), Decimal(45)}
    assert not quantities(normalize("奖励30万元"), r"%|％|百分之")  # money is not a share
    assert not quantities(normalize("按一定比例给予补助"))  # no figure at all


def test_a_fraction_in_words_is_a_share_not_a_count_of_points() -> None:
    assert [(q.value, q.unit) for q in quantities(normalize("就餐费用的四分之一"))] == [(Decimal(25), "%")]
    assert [(q.value, q.unit) for q in quantities(normalize("占教师总数超过一半"))] == [(Decimal(50), "%")]
    assert values(normalize("三分之二以上")) == {Decimal("66.67")}
    assert values(normalize("加四分")) == {Decimal(4)}
