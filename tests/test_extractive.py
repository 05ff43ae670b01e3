"""The extractive answerer on hand-made hits (no index, no model), plus one end-to-end test; when
it refuses is in test_refusal.py."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assistant.check import check_answer
from assistant.extractive import ExtractiveAnswerer, _other_year
from assistant.features import candidates
from assistant.scorer import load_scorer
from assistant.select import choose
from assistant.types import Answer, Hit
from config.settings import AnswerSettings
from index.normalize import detect_script
from tests.handmade import (
    ANSWER_SETTINGS,
    chunk_of,
    extractive,
    hits_of,
    make_document,
    make_hits,
    plan_document,
    plan_for,
    ranked,
    reply_document,
    reply_items,
    sections_of,
)

OPINION = (
    "关于促进县域创新驱动发展的实施意见\n\n"
    "一、集聚创新资源,强化创新载体建设\n"
    "各地区要强化县域科技体制机制创新。鼓励县域创建国家级创新型县(市)。"
    "(责任单位:自治区科技厅、发展改革委、教育厅)\n"
    "二、加大政策支撑,促进科技成果转移转化\n"
    "有条件的盟市可设立科技成果转化、创业投资引导等基金。"
    "(责任单位:自治区地方金融监督管理局、科技厅)\n"
)


def _opinion_hits() -> list[Hit]:
    doc = make_document("003_opinion.txt", OPINION, "关于促进县域创新驱动发展的实施意见")
    sections = OPINION.split("\n")[2:6]
    chunks = [chunk_of(doc, "\n".join(sections[i : i + 2]), (doc.title, sections[i]))
              for i in (0, 2)]
    return hits_of(doc, chunks)


def _lines(answer: Answer) -> list[str]:
    return answer.text.splitlines()


def test_amount_question_quotes_the_figure_with_exact_offsets() -> None:
    hits = make_hits()
    answer = extractive().answer("首次认定的高新技术企业奖励多少？", hits)
    assert not answer.refused and answer.citations
    assert "30万元" in answer.text
    assert f"根据《{hits[0].document.title}》[1]：" in _lines(answer)  # the source is named
    assert "30万元" in _lines(answer)[0]  # the figure asked for comes first
    for c in answer.citations:
        doc = next(h.document for h in hits if h.document.doc_id == c.doc_id)
        assert doc.text[c.start : c.end] == c.quote
    assert any("30万元" in c.quote for c in answer.citations)


def test_every_sentence_carries_a_marker_of_a_real_citation() -> None:
    answer = extractive().answer("支持关键技术攻关项目多少项、资金多少？", make_hits())
    numbers = {c.number for c in answer.citations}
    for line in _lines(answer)[1:]:
        marks = {int(n) for n in re.findall(r"\[(\d+)\]", line)}
        assert marks and marks <= numbers
    assert check_answer(answer.text, answer.citations).ok


def test_traditional_question_gets_the_whole_answer_in_traditional() -> None:
    answer = extractive().answer("首次認定的高新技術企業獎勵多少？", make_hits())
    assert answer.script == "traditional" and any(line.startswith("根據《") for line in _lines(answer))
    assert "一次性獎勵30萬元研發經費" in answer.text  # the simplified source's quote, converted
    assert any(c.quote.startswith("对首次认定的高新技术企业，一次性奖励30万元研发经费。") for c in answer.citations)


def test_simplified_question_on_traditional_source_gets_a_simplified_answer() -> None:
    answer = extractive().answer("康巴什到2025年研发投入占比目标是多少？", make_hits())
    source_line = next(line for line in _lines(answer) if line.startswith("根据《"))
    assert answer.script == "simplified" and detect_script(source_line) == "simplified"
    assert "2.2%" in answer.text and "研发投入" in answer.text and "研發投入" not in answer.text
    assert any("研發投入" in c.quote for c in answer.citations)  # the citation keeps the source's text


def test_responsibility_question_answers_with_that_sections_note() -> None:
    answer = extractive().answer("设立成果转化基金那一条的责任单位是谁？", _opinion_hits())
    assert len(answer.citations) == 1
    assert "(责任单位:自治区地方金融监督管理局" in answer.citations[0].quote  # with the task it closes


def test_which_items_lists_every_sibling_in_order_even_beyond_the_hits() -> None:
    doc, chunks = reply_items()
    hits = [Hit(chunk=c, document=doc, rank=i, fused_score=1 / i)
            for i, c in enumerate(chunks[:2], 1)]  # the third item was not retrieved
    answerer = extractive(chunks_of=lambda doc_id: chunks)
    answer = answerer.answer("针对提案,下一步重点工作有哪几项？", hits)
    quotes = [c.quote for c in answer.citations]
    assert quotes == ["一是营造良好的创新生态。", "二是培育文化科技领域创新主体。",
                      "三是推动文化科技融合数字化发展。"]
    without_store = extractive().answer("针对提案,下一步重点工作有哪几项？", hits)
    assert len(without_store.citations) == 2


def test_max_citations_bounds_answers_but_each_part_keeps_its_sentence() -> None:
    one = AnswerSettings(backend="extractive", persona="citizen", max_citations=1)
    question = "研发经费和研发投入在哪些文件里提到?"  # two documents say it
    assert len(extractive().answer(question, make_hits()).citations) == 2
    assert len(extractive(one).answer(question, make_hits()).citations) == 1
    two_parts = extractive(one).answer("支持关键技术攻关项目多少项？研发投入比重多少？", make_hits())
    assert len(two_parts.citations) == 2


def test_stream_yields_the_text_then_the_answer() -> None:
    items = list(extractive().stream("首次认定的高新技术企业奖励多少？", make_hits()))
    assert isinstance(items[-1], Answer) and all(isinstance(i, str) for i in items[:-1])
    assert len(items) > 2 and "".join(items[:-1]) == items[-1].text


def test_follow_up_uses_the_previous_question() -> None:
    history = [("首次认定的高新技术企业奖励多少？", "……")]
    answer = extractive().answer("那整体迁入的呢？", make_hits(), history=history)
    assert not answer.refused


@pytest.mark.slow
def test_end_to_end_on_the_sample_corpus_with_the_real_model(tmp_path, settings, corpus_dir) -> None:
    from assistant.build import build_assistant
    from index.build import build_index

    local = settings.with_overrides(paths={"corpus": corpus_dir, "data_dir": tmp_path / "data"})
    build_index(local, progress=False)
    assistant = build_assistant(local)
    answer = assistant.ask("康巴什區十三五期間累計爭取到上級財政科技資金多少?", backend="extractive")
    assert not answer.refused and "2771. 4萬元" in answer.text
    assert answer.script == "traditional"
    refused = assistant.ask("个人申请发明专利自治区有资助吗?每件给多少?", backend="extractive")
    assert refused.refused and refused.closest


def test_each_part_of_a_question_gets_its_own_sentence() -> None:
    question = "支持关键技术攻关项目多少项?康巴什研发投入占比要达到多少?"
    assert len(plan_for(question, []).parts) == 2
    answer = extractive().answer(question, make_hits())
    quotes = " ".join(c.quote for c in answer.citations)
    assert "31项" in quotes and "2.2%" in quotes


def test_a_figure_of_the_wrong_kind_does_not_answer() -> None:
    assert plan_for("后补助按多少比例给?", []).figure is not None
    assert plan_for("研发投入强度目标是多少?", []).figure is None  # the kind is not said
    # The passages give a sum of money, not the proportion asked for: less likely an answer.
    hits = make_hits()
    docs = [reply_document(), plan_document()]
    answerer = ExtractiveAnswerer(ANSWER_SETTINGS)

    def p(question: str) -> float:
        return answerer.answer_probability(plan_for(question, docs), ranked(question, hits))

    assert p("首次认定的高新技术企业按多少比例奖励?") < p("首次认定的高新技术企业奖励多少钱?") - 0.1
    assert not extractive().answer("首次认定的高新技术企业奖励多少钱?", make_hits()).refused


def test_a_question_naming_its_document_is_not_answered_from_another() -> None:
    docs = [reply_document(), plan_document()]
    answerer = extractive(documents=lambda: docs)
    answer = answerer.answer("康巴什规划里研发投入占比和上级财政科技资金、高新技术企业奖励是多少?", make_hits())
    assert answer.citations and {c.source for c in answer.citations} == {"004_plan.txt"}


def test_each_listed_item_gets_its_sentence_even_a_weaker_one() -> None:
    answer = extractive().answer("首次认定的高新技术企业奖励、上级财政科技资金各是多少?", make_hits())
    quotes = " ".join(c.quote for c in answer.citations)
    assert "30万元" in quotes and "2771. 4萬元" in quotes


def test_which_documents_say_it_gets_one_sentence_from_each() -> None:
    assert plan_for("“八项措施”在哪些文件里被要求落实?", []).wants_documents
    assert not plan_for("奖补政策都有哪些文件?", []).wants_documents  # which documents exist, not who says it
    hits = make_hits()
    answer = extractive().answer("研发经费和研发投入在哪些文件里提到?", hits)
    assert sorted(c.source for c in answer.citations) == ["000_reply.txt", "004_plan.txt"]  # one each


def test_a_replys_acknowledgement_is_never_quoted() -> None:
    text = ("关于设立服务热线提案的答复\n\n"
            "您提出的《关于设立服务热线的提案》收悉。现将有关情况答复如下。"
            "目前已开通12345政务服务便民热线，受理群众诉求。感谢您对政府工作的关心和支持。")
    doc = make_document("reply.txt", text, "关于设立服务热线提案的答复")
    hits = [Hit(chunk=chunk_of(doc, text.split("\n\n")[1], (doc.title,)), document=doc, rank=1, fused_score=1.0)]
    quoted = [c.sentence.text for c in candidates(plan_for("服务热线的提案是怎么答复的？", [doc]), hits)]
    assert quoted == ["目前已开通12345政务服务便民热线，受理群众诉求。"]


def test_a_later_sentence_of_the_article_that_refers_back_to_the_quote_joins_it() -> None:
    article = ("第五条 纳税人的子女接受全日制学历教育的相关支出，按照每个子女每月1000元的标准定额扣除。"
               "学历教育包括义务教育、高中阶段教育和高等教育。"
               "年满3岁至小学入学前处于学前教育阶段的子女，按本条第一款规定执行。")
    text = "专项附加扣除办法\n" + article + "\n第六条 纳税人接受学历继续教育的支出，每月400元。"
    doc = make_document("tax.txt", text, "专项附加扣除办法")
    hits = hits_of(doc, [chunk_of(doc, article, (doc.title, "第五条")),
                         chunk_of(doc, text.split("\n")[2], (doc.title, "第六条"))])
    answer = extractive().answer("子女教育每个月能扣除多少？", hits)
    assert "1000元" in answer.text
    assert any("按本条第一款规定执行" in c.quote for c in answer.citations)


def test_a_back_reference_in_traditional_script_joins_the_quote_too() -> None:
    article = ("第 5 條\n公司申請核定為新創事業公司者，應於設立登記日起二年內，檢附下列文件向主管機關申請之：\n"
               "一、營運計畫。\n二、股東名冊。\n前項申請不得逾中華民國一百十八年十二月三十一日。")
    text = "新創事業辦法\n" + article
    doc = make_document("startup.txt", text, "新創事業辦法")
    hits = hits_of(doc, [chunk_of(doc, article, (doc.title, "第 5 條"))])
    answer = extractive().answer("公司要在什麼期限內申請核定為新創事業公司？", hits)
    assert any("前項申請不得逾" in c.quote for c in answer.citations)


def test_a_list_asked_gets_every_item_of_an_enumeration_in_the_passage() -> None:
    body = ("膜分离技术在实际应用中也存在一些问题：一是预处理工艺要求高，运行成本较高；"
            "二是国内工程用膜基本上是进口产品。国产膜还没有发挥应有的优势；"
            "三是膜组件制造成本比传统处理方式高。膜分离技术在电子、电力等行业应用潜力较大。")
    doc = make_document("water.txt", "节水复函\n" + body, "节水复函")
    hits = hits_of(doc, [chunk_of(doc, body, (doc.title,))])
    quotes = " ".join(c.quote for c in extractive().answer("复函认为膜分离技术应用中存在哪些问题？", hits).citations)
    assert "二是" in quotes and "三是膜组件制造成本" in quotes
    assert "应用潜力较大" not in quotes  # after the last item: not part of the list


def test_an_item_quoted_brings_the_sentence_announcing_its_enumeration() -> None:
    body = ("人才公寓按类别受理。申请企业需在本区依法注册、依法纳税，且需满足以下条件之一：\n"
            "（1）纳入规模以上统计的软件业企业；\n（2）纳入规模以上统计的国家高新技术企业；")
    doc = make_document("flat.txt", "人才公寓公告\n" + body, "人才公寓公告")
    hits = hits_of(doc, [chunk_of(doc, body, (doc.title,))])
    answer = extractive().answer("规上软件企业怎么申请人才公寓？", hits)
    quotes = " ".join(c.quote for c in answer.citations)
    assert "纳入规模以上统计的软件业企业" in quotes
    assert "且需满足以下条件之一：" in quotes  # "之一": any one item will do
    assert "人才公寓按类别受理" not in quotes
    assert "条件之一[1]：" in answer.text  # the marker goes before the colon


def test_the_sentence_announcing_items_never_takes_the_first_line() -> None:
    body = ("住房租金按以下标准扣除：\n（一）直辖市、省会城市，扣除标准为每月1500元；\n"
            "（二）其他城市，扣除标准为每月800元。")
    doc = make_document("tax.txt", "扣除办法\n" + body, "扣除办法")
    hits = hits_of(doc, [chunk_of(doc, body, (doc.title,))])
    answer = extractive().answer("在省会城市租房，住房租金每月能扣多少？", hits)
    assert "住房租金按以下标准扣除" in " ".join(c.quote for c in answer.citations)
    assert "1500元" in _lines(answer)[0]  # the amount leads, not the announcement


def test_two_documents_named_by_their_places_each_answer() -> None:
    east = make_document("east.txt", "江苏省人才条例\n第九条 劳务费支出由项目承担单位据实列支，不单设比例限制。",
                         "江苏省人才条例")
    west = make_document("west.txt",
                         "苏州市科技创新条例\n第五条 项目承担人员的劳务费可以从项目经费中支出，不受比例限制。",
                         "苏州市科技创新条例")
    other = make_document("other.txt", "某县招商办法\n第二条 招商引资项目给予奖励。", "某县招商办法")
    docs = [east, west, other]
    hits = [Hit(chunk=chunk_of(d, d.text.split("\n")[1], (d.title,)), document=d, rank=i, fused_score=1 / i)
            for i, d in enumerate(docs, 1)]
    plan = plan_for("科研项目的劳务费有没有比例限制？江苏和苏州的条例怎么规定的？", docs)
    assert set(plan.documents) == {east.doc_id, west.doc_id}
    question = "科研项目的劳务费有没有比例限制？江苏和苏州的条例怎么规定的？"
    answer = extractive(documents=lambda: docs).answer(question, hits)
    assert {c.doc_id for c in answer.citations} == {east.doc_id, west.doc_id}


def test_a_five_year_plans_target_answers_its_last_year_before_another_years_figure() -> None:
    text = ("某区科技创新“十四五”规划\n发展基础\n2020年，全社会研发经费投入占GDP比重1.16%。\n"
            "主要目标\n全社会研发经费投入占GDP的比重达到2.2%以上。")
    doc, hits = sections_of("plan.txt", text)
    plan = plan_for("某区到2025年研发经费投入要占GDP多少？", [doc])
    cands = candidates(plan, hits)
    scorer = load_scorer(None)
    probs = [scorer.add_at * 0.9, scorer.add_at * 0.6]  # the 2020 figure looks likelier
    # The plan covers 2021–2025: its target with no year of its own is the 2025 one.
    assert not _other_year(plan, cands, probs, scorer.add_at)
    picks = choose(plan, hits, cands, probs, scorer, limit=4)
    assert picks[0].sentence.text.startswith("全社会研发经费投入占GDP的比重达到2.2%")


def test_the_year_a_document_was_issued_does_not_conflict_with_the_years_it_recounts() -> None:
    text = "关于加大激励支持力度的通知\n将2016年实施的24项督查激励措施调整增加为30项督查激励措施。"
    undated = make_document("notice.txt", text, "关于加大激励支持力度的通知")
    hits = [Hit(chunk=chunk_of(undated, text.split("\n")[1], (undated.title,)), document=undated, rank=1,
                fused_score=1.0)]
    plan = plan_for("国办2018年的督查激励措施一共多少项？", [undated])
    assert candidates(plan, hits)[0].features["year_conflict"] == 1.0  # 2016 is not 2018
    dated = replace(undated, written_date="2018-12-10")
    hits = [replace(hits[0], document=dated)]
    assert candidates(plan, hits)[0].features["year_conflict"] == 0.0  # the 2018 document recounts 2016


def test_what_a_quoted_term_means_is_answered_where_each_document_uses_it() -> None:
    shy = replace(load_scorer(None), refuse_below=1.0)  # an answer model that refuses everything
    texts = {"a.txt": ("投资减除办法", "个人投资新创公司，得减除之金额以新台币三百万元为限。本办法自公布日施行。"),
             "b.txt": ("人才延揽法", "外国人才薪资所得超过新台币三百万元部分之半数免予计入所得。本法由主管机关解释。")}
    hits: list[Hit] = []
    for name, (title, body) in texts.items():
        doc = make_document(name, title + "\n" + body, title)
        hits += hits_of(doc, [chunk_of(doc, body, (title,))])
    answer = extractive(scorer=shy).answer("这两部法规都提到「新台币三百万元」，意思一样吗？", hits)
    assert not answer.refused
    assert sorted(c.source for c in answer.citations) == ["a.txt", "b.txt"]
    assert all("三百万元" in c.quote for c in answer.citations)
    # Without asking what it means, the answer model decides as before.
    assert extractive(scorer=shy).answer("这两部法规里「新台币三百万元」的上限能提高吗？", hits).refused
