"""Refusal signals and decision on hand-made hits; threshold choice of the calibration script."""

from __future__ import annotations

from dataclasses import replace

from assistant.intent import analyze
from assistant.refusal import RefusalSignals, decide, signals
from eval.calibrate_refusal import Scored, choose_threshold
from tests.handmade import make_hits

THRESHOLD = 0.54


def test_a_question_the_passages_answer_scores_high() -> None:
    sig = signals(analyze("首次认定的高新技术企业一次性奖励多少研发经费？"), make_hits())
    assert sig.coverage > 0.8 and sig.score >= THRESHOLD
    assert not decide(analyze("首次认定的高新技术企业一次性奖励多少研发经费？"), make_hits(),
                      THRESHOLD).refuse


def test_an_unrelated_question_is_refused() -> None:
    decision = decide(analyze("个人所得税专项附加扣除的标准是多少？"), make_hits(), THRESHOLD)
    assert decision.refuse and decision.signals.score < THRESHOLD


def test_the_asked_about_word_matters() -> None:
    hits = make_hits()
    found = signals(analyze("高新技术企业研发经费的奖励怎么样？"), hits)
    missing = signals(analyze("高新技术企业研发经费的签证怎么样？"), hits)
    assert found.focus == 1.0 and missing.focus == 0.0
    assert missing.score < found.score


def test_a_named_document_that_is_absent_is_refused_whatever_the_score() -> None:
    question = "《内蒙古自治区创新联合体备案管理办法(试行)》对高新技术企业奖励多少？"
    decision = decide(analyze(question), make_hits(), threshold=0.0)
    assert decision.refuse and decision.signals.missing_titles
    present = "《康巴什區科技創新“十四五”規劃》的研發投入目標是多少？"
    assert not signals(analyze(present), make_hits()).missing_titles


def test_a_number_the_passages_lack_lowers_the_score() -> None:
    hits = make_hits()
    with_known = signals(analyze("2021—2023年支持关键技术攻关项目多少项？"), hits)
    with_unknown = signals(analyze("2019—2020年支持关键技术攻关项目多少项？"), hits)
    assert "2019" in with_unknown.missing_numbers and not with_known.missing_numbers
    assert with_unknown.score < with_known.score


def test_no_hits_means_refusal() -> None:
    assert decide(analyze("高企奖励多少？"), [], THRESHOLD).refuse


def test_a_higher_threshold_refuses_more() -> None:
    a = analyze("高新技术企业同样给予奖励吗？")
    score = signals(a, make_hits()).score
    assert not decide(a, make_hits(), score - 0.01).refuse
    assert decide(a, make_hits(), score + 0.01).refuse


def _row(score: float, answerable: bool, titles: tuple[str, ...] = ()) -> Scored:
    sig = RefusalSignals(None, score, score, 1.0, (), titles, score)
    return Scored("x", "q", answerable, sig)


def test_threshold_choice_separates_and_ignores_hard_rules() -> None:
    rows = [_row(0.9, True), _row(0.7, True), _row(0.3, False), _row(0.5, False),
            _row(0.95, False, ("某办法",))]  # refused by the title rule, not by the score
    cut, accuracy = choose_threshold(rows)
    assert 0.5 < cut < 0.7 and accuracy == 1.0
    overlapping = [*rows, replace(_row(0.8, False))]
    assert choose_threshold(overlapping)[1] < 1.0


def test_a_document_named_without_marks_is_checked_too() -> None:
    absent = "内蒙古自治区创新联合体备案管理办法(试行)对高新技术企业奖励多少？"
    assert analyze(absent).names
    decision = decide(analyze(absent), make_hits(), threshold=0.0)
    assert decision.refuse and decision.signals.missing_titles
    # A reader's short form of an indexed document's title is that document.
    short = "康巴什科技创新十四五规划的研发投入目标是多少？"
    assert analyze(short).names and not signals(analyze(short), make_hits()).missing_titles
    # A plain question has no formal name in it.
    assert not analyze("高新技术企业研发经费奖励多少？").names


def test_a_proposal_number_no_document_holds_is_refused() -> None:
    assert decide(analyze("第0588号提案的答复里高新技术企业奖励多少？"), make_hits(), 0.0).refuse
    assert not decide(analyze("第0581号提案的答复里高新技术企业奖励多少？"), make_hits(), THRESHOLD).refuse
