"""Follow-ups made to stand alone from the conversation: a new subject, a pronoun, a new topic."""

from __future__ import annotations

from assistant.followup import new_subject, resolve
from index.analysis import default_analyzer

AN = default_analyzer()
TARGET = [("全省到2025年研发投入强度目标是多少？", "……[1]")]


def _resolve(question: str, history: list[tuple[str, str]]) -> str:
    return resolve(question, history, AN)[0]


def test_short_questions_leaning_on_the_last_turn_are_follow_ups() -> None:
    assert resolve("那青山区呢？", TARGET, AN)[1]
    assert resolve("还有2020年的呢", TARGET, AN)[1]
    assert not resolve("青山区到2025年研发投入强度目标是多少？", TARGET, AN)[1]
    assert new_subject("那么青山区呢？") == "青山区"


def test_a_new_place_replaces_the_old_one() -> None:
    assert _resolve("那青山区呢？", TARGET) == "青山区到2025年研发投入强度目标是多少？"


def test_a_new_year_replaces_the_year() -> None:
    assert _resolve("那2020年呢？", TARGET) == "全省到2020年研发投入强度目标是多少？"


def test_a_new_body_replaces_the_body_not_the_words_before_it() -> None:
    history = [("县域创新意见里发展改革委负责哪些工作？", "")]
    assert _resolve("那么科技厅呢？", history) == "县域创新意见里科技厅负责哪些工作？"


def test_chains_replace_the_subject_the_last_follow_up_brought() -> None:
    history = [*TARGET, ("那青山区呢？", "")]
    assert _resolve("还有白云市呢", history) == "白云市到2025年研发投入强度目标是多少？"


def test_an_attribute_is_asked_of_the_previous_topic() -> None:
    history = [("高校毕业生就业见习补贴是多少？", "")]
    out = _resolve("那申请条件呢？", history)
    assert out.startswith("高校毕业生就业见习补贴") and "申请条件" in out


def test_a_pronoun_stands_for_the_previous_topic() -> None:
    history = [("高校毕业生就业见习补贴标准是多少？", "")]
    out, followup = resolve("这个由哪个部门负责？", history, AN)
    assert followup and out.startswith("高校毕业生就业见习补贴") and out.endswith("由哪个部门负责？")


def test_a_pronoun_in_a_question_with_its_own_subject_is_left_alone() -> None:
    history = [("高校毕业生就业见习补贴标准是多少？", "")]
    question = "该办法对养老机构运营补贴和护理人员岗位津贴分别怎么规定？"
    assert resolve(question, history, AN) == (question, False)


def test_a_change_of_topic_and_an_empty_history_are_left_alone() -> None:
    assert resolve("那青山区呢？", [], AN) == ("那青山区呢？", False)
    standalone = "青山区高新技术企业到十四五末要达到多少家？"
    assert resolve(standalone, TARGET, AN) == (standalone, False)


def test_a_subject_of_unknown_kind_is_put_in_front() -> None:
    history = [("到2025年技术市场成交额目标是多少？", "")]
    assert _resolve("那青山呢？", history).startswith("青山")
