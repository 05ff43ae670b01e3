"""Which sentences the extractive answer quotes (assistant/select.py `choose`), given hand-made
hits and chosen probabilities: the parts of a question, the sides of a comparison, each document
named, and the sentences that join a quote."""

from __future__ import annotations

import re

import pytest

from assistant.cite import split_sentences
from assistant.compose import compose
from assistant.features import candidates
from assistant.scorer import load_scorer
from assistant.select import Pick, choose, group, items_quoted, scored
from assistant.types import Hit
from tests.handmade import chunk_of, hits_of, make_document, plan_for, reply_items


def test_a_part_set_against_a_named_document_is_answered_from_another() -> None:
    district_text = ("东湖区科技创新十四五规划\n到2025年,东湖区全社会研发经费投入占GDP的比重达到2.2%以上。"
                     "规模以上工业企业研发投入强度显著增长,研发投入目标全面完成。")
    region_text = "某省科技赋能实施方案解读\n到2025年,全社会研发经费投入年均增长高于12%,研发投入强度达到1.5%。"
    district = make_document("district.txt", district_text, "东湖区科技创新十四五规划")
    region = make_document("region.txt", region_text, "某省科技赋能实施方案解读")
    body_d, body_r = district_text.split("\n")[1], region_text.split("\n")[1]
    hits = [Hit(chunk=chunk_of(district, body_d, (district.title,)), document=district, rank=1, fused_score=1.0),
            Hit(chunk=chunk_of(region, body_r, (region.title,)), document=region, rank=2, fused_score=0.6)]
    question = "到2025年,全省研发投入强度目标和东湖区的目标各是多少?"
    plan = plan_for(question, [district, region])
    assert plan.contrasted == {district.doc_id}
    scorer = load_scorer()
    cands, probs = scored(plan, hits, scorer)
    picks = choose(plan, hits, cands, probs, scorer, limit=3)
    assert [p.hit.document.source for p in picks if p.part] == ["region.txt"]
    # Listed subjects sharing the frame that names the document stay in it.
    assert not plan_for("东湖区十四五规划里研发投入和高新技术企业的目标分别是多少?", [district, region]).contrasted


def test_a_part_naming_its_document_is_rated_among_that_documents_passages() -> None:
    plan_text = "东湖区科技创新规划\n" + "\n".join(f"第{i}项 东湖区建成院士专家工作站{i}家。" for i in range(1, 9))
    action_text = "某省科技合作行动计划\n到2020年,建成院士专家工作站180家,引进院士190位。"
    district = make_document("district.txt", plan_text, "东湖区科技创新规划")
    action = make_document("action.txt", action_text, "某省科技合作行动计划")
    chunks = [chunk_of(district, line, (district.title,)) for line in plan_text.split("\n")[1:]]
    hits = [*hits_of(district, chunks),  # eight passages of the district plan come first
            Hit(chunk=chunk_of(action, action_text.split("\n")[1], (action.title,)), document=action, rank=9,
                fused_score=0.1)]
    question = "东湖区建成了几家院士专家工作站?某省科技合作行动计划定的院士专家工作站目标是多少家?"
    plan = plan_for(question, [district, action])
    scorer = load_scorer()
    cands, probs = scored(plan, hits, scorer)
    picks = choose(plan, hits, cands, probs, scorer, limit=3)
    assert any(p.hit.document.source == "action.txt" for p in picks)


def test_a_comparison_hears_the_other_document_at_a_lower_bar() -> None:
    a = make_document("a.txt", "甲文件\n支持企业在科创板挂牌融资。", "甲文件")
    b = make_document("b.txt", "乙规划\n对在科创板挂牌的企业给予后补助支持。", "乙规划")
    hits = [Hit(chunk=chunk_of(d, d.text.split("\n")[1], (d.title,)), document=d, rank=i, fused_score=1 / i)
            for i, d in enumerate((a, b), 1)]
    scorer = load_scorer(None)
    plan = plan_for("科创板挂牌融资，两份文件分别有啥支持？", [a, b])
    assert plan.comparison
    cands = candidates(plan, hits)
    probs = [scorer.add_at * 1.2, scorer.add_at * 0.6]  # the other side is likely, not sure
    picks = choose(plan, hits, cands, probs, scorer, limit=4)
    assert {p.hit.document.doc_id for p in picks} == {a.doc_id, b.doc_id}


def test_a_sentence_between_two_quoted_ones_of_a_passage_joins_them() -> None:
    body = ("反渗透技术在应用中存在一些问题：一是预处理要求高，运行成本较高；"
            "二是所用膜基本是进口产品，国产技术未发挥优势；三是制造、使用成本比传统方式高。")
    doc = make_document("reply.txt", "节水复函\n" + body, "节水复函")
    hits = hits_of(doc, [chunk_of(doc, body, (doc.title,))])
    plan = plan_for("复函说反渗透技术应用中成本高吗？", [doc])
    assert not plan.asks("list")
    cands = candidates(plan, hits)
    assert [c.index for c in cands] == [0, 1, 2]
    scorer = load_scorer(None)
    probs = [scorer.add_at * 1.5, 0.0, scorer.add_at * 1.2]  # the middle item looks unlikely alone
    picks = choose(plan, hits, cands, probs, scorer, limit=4)
    assert sorted(p.index for p in picks) == [0, 1, 2]


@pytest.mark.parametrize(("question", "items"), [
    # Asked what comes under the heading: every item of it.
    ("针对提案,科技厅对下一步重点工作做了哪些表态？", 3),
    # Asked about one item's own subject: that item.
    ("培育文化科技领域创新主体要做哪些事？", 1),
])
def test_a_list_question_whose_best_sentence_titles_an_item_gets_the_items_it_asks_about(
        question: str, items: int) -> None:
    doc, chunks = reply_items()
    hits = hits_of(doc, chunks)
    plan = plan_for(question, [doc])
    assert plan.asks("list") and not plan.wants_items and not plan.parts
    cands = candidates(plan, hits)
    scorer = load_scorer(None)
    probs = [scorer.add_at * 1.5 if c.sentence.text.startswith("二是") else 0.0 for c in cands]
    picks = choose(plan, hits, cands, probs, scorer, limit=4, chunks_of=lambda doc_id: chunks)
    assert sum(bool(re.match("[一二三]是", p.sentence.text)) for p in picks) == items


def test_asked_of_each_named_document_one_rated_low_still_answers_with_its_closest_sentence() -> None:
    county = make_document("county.txt", "县域创新实施意见\n大力推进企业研发费用税前加计扣除政策落实。",
                           "县域创新实施意见")
    district = make_document("district.txt", "东湖区科技创新规划\n落实研发费用加计扣除等政策，做到应享尽享。",
                             "东湖区科技创新规划")
    docs = [county, district]
    hits = [Hit(chunk=chunk_of(d, d.text.split("\n")[1], (d.title,)), document=d, rank=i, fused_score=1 / i)
            for i, d in enumerate((district, county), 1)]
    plan = plan_for("县域创新实施意见和东湖区规划,对研发费用加计扣除分别怎么要求的?", docs)
    assert set(plan.documents) == {county.doc_id, district.doc_id} and plan.comparison and not plan.parts
    cands = candidates(plan, hits)
    scorer = load_scorer(None)
    probs = [scorer.add_at * 1.5 if c.hit.document is district else 0.0 for c in cands]  # the county's rated low
    picks = choose(plan, hits, cands, probs, scorer, limit=3)
    assert {p.hit.document.source for p in picks} == {"county.txt", "district.txt"}


def test_a_title_quoted_alone_gives_way_to_its_passages_figures() -> None:
    title = "（十二）多措并举打造教师队伍。"
    body = (title + "加强师范院校建设，优化结构布局。"
            "实施教师素质提高计划，建立100个教师培养培训基地，教师每年至少1个月在企业实训。"
            "从2019年起，专业教师原则上从具有3年以上企业工作经历的人员中公开招聘。")
    doc = make_document("plan.txt", "改革方案\n" + body, "改革方案")
    hits = hits_of(doc, [chunk_of(doc, body, (doc.title, title.rstrip("。")))])
    plan = plan_for("方案对教师队伍建设定了哪些具体指标？", [doc])
    assert plan.wants_figure
    cands = candidates(plan, hits)
    assert [c.index for c in cands] == [0, 1, 2, 3]
    scorer = load_scorer(None)
    probs = [scorer.add_at * 1.2, scorer.add_at * 0.2, 0.05, 0.01]  # the title is rated best
    picks = choose(plan, hits, cands, probs, scorer, limit=4)
    quoted = [p.sentence.text for p in picks]
    assert quoted[0].startswith("实施教师素质提高计划")  # the likelier of the two stating figures
    assert any(q.startswith("从2019年起") for q in quoted) and any(q.startswith("实施") for q in quoted)


def test_one_thing_asked_by_name_is_answered_by_the_best_sentence_alone() -> None:
    body = "第三条 本法之主管机关为甲委员会。第十条 本法所定事项，涉及其他机关职掌者，由各该机关办理。"
    doc = make_document("law.txt", "人才法\n" + body, "人才法")
    hits = hits_of(doc, [chunk_of(doc, sentence + "。", (doc.title,)) for sentence in body.rstrip("。").split("。")])
    scorer = load_scorer(None)
    for question, quoted in (("《人才法》的主管机关是哪个单位？", 1), ("《人才法》里哪些机关管这些事？", 2)):
        plan = plan_for(question, [doc])
        cands = candidates(plan, hits)
        probs = [scorer.add_at * 1.5, scorer.add_at * 1.3]  # both likely; the first is likelier
        picks = choose(plan, hits, cands, probs, scorer, limit=4)
        assert len(picks) == quoted, question
        assert picks[0].sentence.text.startswith("第三条")


def test_a_whole_enumeration_is_counted_and_a_cut_one_is_not() -> None:
    body = "复函认为存在一些问题：一是预处理要求高；二是膜依赖进口；三是成本比传统方式高。"
    doc = make_document("reply.txt", "节水复函\n" + body, "节水复函")
    hits = hits_of(doc, [chunk_of(doc, body, (doc.title,))])
    plan = plan_for("复函认为存在哪些问题？", [doc])
    picks = [Pick(hits[0], s, i, 0.9) for i, s in enumerate(split_sentences(body))]
    assert [p.sentence.text[:2] for p in picks] == ["复函", "二是", "三是"]
    assert items_quoted(picks) == 3
    assert items_quoted(picks[:2]) == 0  # 三是 follows in the passage: not the whole list
    assert items_quoted(picks[:1]) == 0  # one item is no enumeration
    answer = compose(plan, group(picks))
    assert answer.text.splitlines()[0] == "共3项[1]。"
