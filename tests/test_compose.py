"""The first line of an extractive answer (assistant/compose.py): the asked-for fact as a short
verbatim span of the best quote."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.cite import split_sentences
from assistant.compose import _balanced, _bare, compose
from assistant.select import Pick, group
from tests.handmade import chunk_of, hits_of, make_document, plan_for


def test_the_first_line_never_ends_inside_a_quotation_it_did_not_open() -> None:
    assert _balanced("一次性奖励30万元研发经费”等具体措施") == "一次性奖励30万元研发经费"
    assert _balanced("提出“按一定比例补助") == "按一定比例补助"
    assert _balanced("《办法》规定每人补贴100元（含税）") == "《办法》规定每人补贴100元（含税）"
    # A source's stray closing bracket is no quotation: what follows it stays, verbatim.
    assert _balanced("全社会研究与试验发展R&D)经费投入达1.04亿元") == "全社会研究与试验发展R&D)经费投入达1.04亿元"


def test_a_particular_the_source_brackets_is_stated_without_them() -> None:
    assert _bare("（2023年4月12日）") == "2023年4月12日"  # a 落款 date in brackets
    assert _bare("（一）全市标准为每月1309元") == "（一）全市标准为每月1309元"  # not wrapped whole


def test_the_first_line_states_the_whole_questions_best_quote_before_a_parts() -> None:
    body = "联席会议设召集人1人，由分管教育工作的领导同志担任；设副召集人2人，由教育部主要负责同志担任。"
    doc = make_document("council.txt", "联席会议批复\n" + body, "联席会议批复")
    hit = hits_of(doc, [chunk_of(doc, body, (doc.title,))])[0]
    first, second = split_sentences(hit.chunk.text)[:2]
    # The part's sentence was rated against the part alone, so its probability is higher.
    picks = [Pick(hit, first, 0, 0.7), Pick(hit, second, 1, 0.9, part=True)]
    answer = compose(plan_for("联席会议由谁当召集人？具体是哪位领导？", [doc]), group(picks))
    assert answer.text.splitlines()[0] == "联席会议设召集人1人，由分管教育工作的领导同志担任[1]。"


def test_the_first_line_answers_what_the_question_asks_first() -> None:
    body = ("个人于2017年11月24日至2029年12月31日期间内投资新创公司达100万元，"
            "持有期间达二年者，得减除投资金额的百分之五十。")
    doc = make_document("rule.txt", "减除办法\n" + body, "减除办法")
    hit = hits_of(doc, [chunk_of(doc, body, (doc.title,))])[0]
    pick = Pick(hit, split_sentences(hit.chunk.text)[0], 0, 0.9)
    plan = plan_for("投资新创公司100万元，最多可以减除多少？要持股多久？", [doc])
    first = compose(plan, group([pick])).text.splitlines()[0]
    assert "百分之五十" in first and "2017年" not in first  # the amount, not a date of the sentence


@pytest.mark.parametrize(("question", "body", "first"), [
    # A date's month is not the figure asked.
    ("护理补贴每个月发多少？", "2025年1月起，重度残疾人护理补贴标准为每人每月280元。",
     "重度残疾人护理补贴标准为每人每月280元[1]。"),
    # Of two figures, the one whose clause shares the question's terms.
    ("农村特困人员的基本生活标准是多少？",
     "城镇特困人员基本生活标准为每人每月2094元，农村特困人员基本生活标准为每人每月2512元。",
     "农村特困人员基本生活标准为每人每月2512元[1]。"),
    # Nor is a figure the question gives itself.
    ("投资新创公司100万元，最多可以减除多少？", "个人投资新创公司达100万元并持有满二年的，可减除投资金额的百分之五十。",
     "可减除投资金额的百分之五十[1]。"),
])
def test_the_first_line_states_the_figure_asked(question: str, body: str, first: str) -> None:
    doc = make_document("rule.txt", "补贴办法\n" + body, "补贴办法")
    hit = hits_of(doc, [chunk_of(doc, body, (doc.title,))])[0]
    pick = Pick(hit, split_sentences(hit.chunk.text)[0], 0, 0.9)
    assert compose(plan_for(question, [doc]), group([pick])).text.splitlines()[0].endswith(first)


def test_a_labelled_answer_is_stated_with_what_its_label_names() -> None:
    body = "加强农畜产品品牌建设,提高全产业链收益。(责任单位:各盟行政公署,自治区科技厅、农牧厅、商务厅)"
    doc = make_document("opinion.txt", "实施意见\n" + body, "实施意见")
    hit = hits_of(doc, [chunk_of(doc, body, (doc.title,))])[0]
    label = next(s for s in split_sentences(hit.chunk.text) if "责任单位" in s.text)
    pick = Pick(hit, label, 1, 0.9)
    first = compose(plan_for("农畜产品品牌那一条的责任单位是谁？", [doc]), group([pick])).text.splitlines()[0]
    assert first == "责任单位:各盟行政公署,自治区科技厅、农牧厅、商务厅[1]。"


@pytest.mark.parametrize(("title", "question", "shown"), [
    # An answer names its source by title and 文号, as an official reply does.
    ("补贴办法", "护理补贴每个月发多少？", "根据《补贴办法》（甲民规〔2025〕2号）[1]："),
    # A title holding its 文号 already, or a first line stating it (the 文号 was asked), does not repeat it.
    ("补贴办法（甲民规〔2025〕2号）", "护理补贴每个月发多少？", "根据《补贴办法（甲民规〔2025〕2号）》[1]："),
    ("补贴办法", "补贴办法的文号是多少？", "根据《补贴办法》[1]："),
])
def test_the_source_line_names_each_document_by_title_and_number(title: str, question: str, shown: str) -> None:
    body = "重度残疾人护理补贴标准为每人每月280元。"
    doc = replace(make_document("rule.txt", title + "\n" + body, title), doc_number="甲民规〔2025〕2号")
    hit = hits_of(doc, [chunk_of(doc, body, (doc.title,))])[0]
    pick = Pick(hit, split_sentences(hit.chunk.text)[0], 0, 0.9)
    assert shown in compose(plan_for(question, [doc]), group([pick])).text.splitlines()


def test_a_comparisons_first_line_states_each_documents_figure() -> None:
    docs = [make_document(f"{name}.txt", f"{name}\n{body}", name) for name, body in (
        ("东湖区规划", "到2025年，研发投入强度达到2.2%以上。"),
        ("某省方案", "到2025年，全省研发投入强度达到1.5%。"))]
    hits = [hits_of(d, [chunk_of(d, d.text.split("\n")[1], (d.title,))])[0] for d in docs]
    picks = [Pick(h, split_sentences(h.chunk.text)[0], 0, p) for h, p in zip(hits, (0.9, 0.6), strict=True)]
    plan = plan_for("东湖区规划和某省方案的研发投入强度目标各是多少？", docs)
    assert plan.comparison
    first = compose(plan, group(picks)).text.splitlines()[0]
    assert first == "到2025年，研发投入强度达到2.2%以上[1]；到2025年，全省研发投入强度达到1.5%[2]。"


@pytest.mark.parametrize(("question", "first"), [
    # 哪一年 is answered by the year and what it dates.
    ("示范基地是哪一年认定为国家级的？", "2012年,示范基地被认定为国家级文化和科技融合示范基地[1]。"),
    # A year is no date for 什么时候 (a day is asked): no first line then.
    ("示范基地是什么时候认定的？", "根据《答复》[1]："),
])
def test_which_year_is_answered_by_the_year_and_what_it_dates(question: str, first: str) -> None:
    body = "2012年,示范基地被认定为国家级文化和科技融合示范基地。"
    doc = make_document("reply.txt", "答复\n" + body, "答复")
    hit = hits_of(doc, [chunk_of(doc, body, (doc.title,))])[0]
    pick = Pick(hit, split_sentences(hit.chunk.text)[0], 0, 0.9)
    assert compose(plan_for(question, [doc]), group([pick])).text.splitlines()[0] == first
