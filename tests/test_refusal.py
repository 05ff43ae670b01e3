"""When the extractive answerer refuses, on hand-made hits (no index, no model): the answer model
below its bar, or a rule with a plain reason — another year, a fee the sentence excludes, a topic
no passage holds, an amount or conditions asked that the sentences chosen do not state; and a
question of several parts that answers the parts it can and names the rest."""

from __future__ import annotations

from dataclasses import replace

from assistant.check import REFUSAL_PHRASE, check_answer
from assistant.cite import split_sentences
from assistant.extractive import ExtractiveAnswerer, _no_amount, _other_year
from assistant.features import candidates
from assistant.scorer import load_scorer
from assistant.select import Pick
from assistant.types import Hit
from tests.handmade import (
    chunk_of,
    extractive,
    hits_of,
    make_document,
    make_hits,
    plan_document,
    plan_for,
    reply_document,
    sections_of,
)


def test_unanswerable_question_is_refused_with_the_closest_passages() -> None:
    hits = make_hits()
    answer = extractive().answer("个人所得税专项附加扣除的标准是多少？", hits)
    assert answer.refused and not answer.citations
    assert answer.text.startswith(REFUSAL_PHRASE) and "个人所得税" in answer.text
    assert [h.chunk.chunk_id for h in answer.closest] == [h.chunk.chunk_id for h in hits[:3]]


def test_refusal_in_traditional() -> None:
    answer = extractive().answer("個人所得稅專項附加扣除標準是多少？", make_hits())
    assert answer.refused and answer.text.startswith("所提供的文件中沒有找到")


def test_asking_for_a_figure_the_passages_lack_is_refused() -> None:
    question = "整体迁入我区的高新技术企业奖励标准是多少？"
    hits = [h for h in make_hits() if "30万元" not in h.chunk.text]
    assert extractive().answer(question, hits).refused


def test_a_question_not_answered_as_a_whole_gets_the_parts_that_are_and_names_the_rest(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ex = extractive()
    refuses = ExtractiveAnswerer._refuses

    def whole_refused(self, plan, cands, probs, hits):  # type: ignore[no-untyped-def]
        # The whole question falls below the bar (as long multi-part questions do); each part
        # is judged by the real rules.
        return bool(plan.parts) or refuses(self, plan, cands, probs, hits)

    monkeypatch.setattr(ExtractiveAnswerer, "_refuses", whole_refused)
    answer = ex.answer("首次认定的高新技术企业奖励多少？个人所得税专项附加扣除的标准是多少？", make_hits())
    assert not answer.refused and any("30万元" in c.quote for c in answer.citations)
    assert all("个人所得税" not in c.quote for c in answer.citations)
    gap = answer.text.splitlines()[-1]
    assert gap.startswith(REFUSAL_PHRASE) and "个人所得税专项附加扣除" in gap and "高新技术企业" not in gap
    assert check_answer(answer.text, answer.citations).ok  # the gap line needs no citation
    # No part answered: a plain refusal of the whole question.
    none = ex.answer("个人所得税专项附加扣除的标准是多少？大病医疗扣除多少？", make_hits())
    assert none.refused and not none.citations and none.text.startswith(REFUSAL_PHRASE)


def test_a_year_outside_the_period_of_the_plan_found_is_another_year() -> None:
    text = "某区科技创新“十四五”规划\n\n全社会研发投入占地区生产总值的比重达到2.2%以上。"
    doc = make_document("plan.txt", text, "某区科技创新“十四五”规划")
    hits = [Hit(chunk=chunk_of(doc, text.split("\n\n")[1], (doc.title,)), document=doc, rank=1, fused_score=1.0)]

    def other(question: str) -> bool:
        plan = plan_for(question, [doc])
        cands = candidates(plan, hits)
        return _other_year(plan, cands, [1.0] * len(cands), add_at=0.5)

    # The plan covers 2021–2025 and its sentence states no year: 2030's target is not in it.
    assert other("某区到2030年研发投入占比目标是多少？")
    assert not other("某区到2025年研发投入占比目标是多少？")
    assert not other("某区研发投入占比目标是多少？")


def test_a_sentence_naming_the_asked_fee_only_to_exclude_it_does_not_answer() -> None:
    text = ("人才公寓租赁公告\n租金标准\n甲小区32.5元/平方米/月、乙小区18元/平方米/月（上述费用不含物业管理费）。\n"
            "租赁期限\n租赁期限不超过3年。")
    _, hits = sections_of("rent.txt", text)
    assert extractive().answer("甲小区的物业管理费每平方米多少钱？", hits).refused
    rent = extractive().answer("甲小区的租金每平方米多少钱？", hits)
    assert not rent.refused and "32.5元" in rent.text


def test_a_question_whose_topic_no_passage_holds_is_refused_with_all_its_parts() -> None:
    # The passages are about enterprise awards and research targets; nothing about patents. A
    # part alone ("每件给多少") finds a figure. An answer model that never refuses shows that
    # the topic rule alone refuses it.
    eager = replace(load_scorer(None), refuse_below=0.0)
    question = "个人申请发明专利有资助吗？每件给多少？"
    assert plan_for(question, [reply_document(), plan_document()]).parts
    answer = extractive(scorer=eager).answer(question, make_hits())
    assert answer.refused and not answer.citations and answer.text.startswith(REFUSAL_PHRASE)
    assert answer.closest  # the closest passages are still shown
    # The same question over a passage about it is answered.
    text = "专利资助办法\n对个人申请并获得授权的发明专利，每件资助3000元。"
    doc = make_document("patent.txt", text, "专利资助办法")
    patent = hits_of(doc, [chunk_of(doc, text.split("\n")[1], (doc.title,))])
    answered = extractive(scorer=eager).answer(question, patent + make_hits())
    assert not answered.refused and "3000元" in answered.text


def test_asked_how_much_the_quotes_must_state_an_amount() -> None:
    eager = replace(load_scorer(None), refuse_below=0.0)  # only the rule under test refuses

    def hits_for(body: str) -> list[Hit]:
        doc = make_document("county.txt", "县域创新实施意见\n" + body, "县域创新实施意见")
        return hits_of(doc, [chunk_of(doc, body, (doc.title,))])

    # A number in a name the sentence quotes (“金融30条”) is no amount.
    vague = hits_for("推进创业担保贷款，落实“金融30条”，贷款额度不设上限，为创新创业者提供金融支持。")
    answer = extractive(scorer=eager).answer("创业担保贷款一个人最多能贷多少？有没有贴息？", vague)
    assert answer.refused and answer.closest
    # Asked whether there is a limit, a sentence without a figure may answer ("不设上限").
    doc = vague[0].document
    picks = [Pick(vague[0], split_sentences(vague[0].chunk.text)[0], 0, 0.9)]
    assert _no_amount(plan_for("创业担保贷款一个人最多能贷多少？", [doc]), picks)
    assert not _no_amount(plan_for("创业担保贷款的贷款额度有没有上限？", [doc]), picks)
    stated = hits_for("创业担保贷款个人最高可贷20万元，并按规定给予贴息。")
    amount = extractive(scorer=eager).answer("创业担保贷款一个人最多能贷多少？有没有贴息？", stated)
    assert not amount.refused and "20万元" in amount.text


def test_asked_what_conditions_apply_the_passages_quoted_must_state_some() -> None:
    eager = replace(load_scorer(None), refuse_below=0.0)  # only the rule under test refuses

    def hits_for(body: str) -> list[Hit]:
        doc = make_document("reply.txt", "提案答复\n" + body, "提案答复")
        return hits_of(doc, [chunk_of(doc, body, (doc.title,))])

    question = "创新联合体备案要满足哪些条件？"
    passing = hits_for("鼓励企业通过组建创新联合体、建设共性技术平台，加快推进科技融合发展。")
    assert extractive(scorer=eager).answer(question, passing).refused
    stating = hits_for("申请备案的创新联合体应当由龙头企业牵头组建，成员单位不少于5家。")
    answer = extractive(scorer=eager).answer(question, stating)
    assert not answer.refused and "应当由龙头企业牵头" in answer.text


def test_a_part_asking_how_much_is_missed_when_its_sentences_state_no_amount(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    refuses = ExtractiveAnswerer._refuses

    def whole_refused(self, plan, cands, probs, hits):  # type: ignore[no-untyped-def]
        return bool(plan.parts) or refuses(self, plan, cands, probs, hits)  # each part by the real rules

    monkeypatch.setattr(ExtractiveAnswerer, "_refuses", whole_refused)
    eager = replace(load_scorer(None), refuse_below=0.0)
    # “金融30条” names a policy: a figure to the candidates' kind check, no amount to the answer.
    body = ("落实“金融30条”，推进创业担保贷款，为创新创业者提供金融支持。"
            "创业担保贷款由申请人向县级人力资源社会保障部门申请办理。")
    doc = make_document("county.txt", "县域创新实施意见\n" + body, "县域创新实施意见")
    hits = hits_of(doc, [chunk_of(doc, body, (doc.title,))])
    answer = extractive(scorer=eager).answer("创业担保贷款一个人最多能贷多少？去哪里申请？", hits)
    assert not answer.refused and any("人力资源社会保障部门" in c.quote for c in answer.citations)
    gap = answer.text.splitlines()[-1]
    assert gap.startswith(REFUSAL_PHRASE) and "最多能贷" in gap
