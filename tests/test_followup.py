"""Extractive follow-ups: carry the previous question forward with the new subject."""

from __future__ import annotations

from assistant.followup import is_followup, new_subject, resolve_followup

REGION = [("自治区到2025年研发投入强度目标是多少？", "……[1]")]


def test_detects_follow_ups_by_shape() -> None:
    assert is_followup("那康巴什呢？")
    assert is_followup("还有2020年的")
    assert is_followup("鄂尔多斯市呢")
    assert not is_followup("康巴什区到2025年研发投入强度目标是多少？")
    assert new_subject("那么康巴什呢？") == "康巴什"


def test_a_new_place_replaces_the_old_one() -> None:
    assert resolve_followup("那康巴什呢？", REGION) == "康巴什到2025年研发投入强度目标是多少？"


def test_a_new_year_replaces_the_year() -> None:
    assert resolve_followup("那2020年呢？", REGION) == "自治区到2020年研发投入强度目标是多少？"


def test_a_new_body_replaces_the_body_not_the_words_before_it() -> None:
    history = [("县域创新意见里发展改革委负责哪些工作？", "")]
    assert resolve_followup("那么科技厅呢？", history) == "县域创新意见里科技厅负责哪些工作？"


def test_chains_replace_the_subject_the_last_follow_up_brought() -> None:
    history = [*REGION, ("那康巴什呢？", "")]
    assert resolve_followup("还有鄂尔多斯市呢", history) == "鄂尔多斯市到2025年研发投入强度目标是多少？"


def test_standalone_questions_and_empty_history_are_left_alone() -> None:
    assert resolve_followup("那康巴什呢？", []) == "那康巴什呢？"
    standalone = "康巴什区高新技术企业到十四五末要达到多少家？"
    assert resolve_followup(standalone, REGION) == standalone


def test_subject_of_unknown_kind_is_put_in_front() -> None:
    history = [("到2025年技术市场成交额目标是多少？", "")]
    assert resolve_followup("那康巴什呢？", history).startswith("康巴什")
