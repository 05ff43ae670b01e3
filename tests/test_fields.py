"""Field questions (文号, 落款日期, 签发人…) answered from metadata and cited where the source states them."""

from __future__ import annotations

from assistant.extractive import ExtractiveAnswerer
from assistant.fields import locate, target_document
from assistant.types import Hit
from config.settings import AnswerSettings
from index.types import Document, ProposalInfo, make_doc_id
from tests.handmade import chunk_of, hits_of, plan_for, ranked

SETTINGS = AnswerSettings(backend="extractive", persona="staff", max_citations=4)

REPLY = (
    "科技厅关于政协第0581号提案的答复\n"
    "来源:科技厅\u2003发布日期:2023-10-10 11:05\n"
    "张郡委员:\n"
    "一是加大政策供给力度。贯彻科技部等六部门《关于促进文化和科技深度融合的指导意见》(国科发高〔2019〕280号)精神。\n"
    "二是培育创新主体。截至2022年底,全区高新技术企业总数达到1573家。\n"
    "签 发 人:孙俊青\n\n承办部门:高新技术处\n\n联 系 人:佟永兴\n\n联系电话:0471-6328607\n"
    "科技厅\n\n2023年8月3日"
)
PLAN = (
    "發文機關: 康巴什區人民政府 成文日期: 2023年2月24日\n"
    "發文字號: 鄂康政發〔2023〕8號 發布日期: 2023-02-24\n"
    "康巴什區科技創新“十四五”規劃\n"
    "到2025年,研發投入占GDP比重達到2.2%以上。"
)


def _reply() -> tuple[Document, list[Hit]]:
    doc = Document(doc_id=make_doc_id("reply.txt"), source="reply.txt", text=REPLY,
                   title="科技厅关于政协第0581号提案的答复", script="simplified", issuer="科技厅",
                   written_date="2023-08-03", published_date="2023-10-10", doc_type="提案答复",
                   proposal=ProposalInfo(number="0581", proposer="张郡", signer="孙俊青",
                                         office="高新技术处", contact="佟永兴", phone="0471-6328607"))
    lines = REPLY.split("\n")
    meta = chunk_of(doc, lines[1])
    body = [chunk_of(doc, lines[3]), chunk_of(doc, lines[4])]
    closing = chunk_of(doc, REPLY[REPLY.index("签 发 人"):])
    chunks = [_kind(meta, "metadata"), *body, _kind(closing, "closing")]
    return doc, hits_of(doc, chunks)


def _plan() -> tuple[Document, list[Hit]]:
    doc = Document(doc_id=make_doc_id("plan.txt"), source="plan.txt", text=PLAN,
                   title="康巴什區科技創新“十四五”規劃", script="traditional",
                   issuer="康巴什區人民政府", doc_number="鄂康政發〔2023〕8號",
                   written_date="2023-02-24", published_date="2023-02-24", doc_type="规划")
    lines = PLAN.split("\n")
    chunks = [_kind(chunk_of(doc, "\n".join(lines[:2])), "metadata"), chunk_of(doc, lines[3])]
    return doc, hits_of(doc, chunks)


def _kind(chunk, kind: str):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(chunk, kinds=(kind,))


class _Answerer:
    """The extractive answerer over the documents of `hits`, planning as the engine does."""

    def __init__(self, hits: list[Hit]) -> None:
        self.docs = list({h.document.doc_id: h.document for h in hits}.values())
        chunks = {d.doc_id: [h.chunk for h in hits if h.document.doc_id == d.doc_id] for d in self.docs}
        self.inner = ExtractiveAnswerer(SETTINGS, chunks_of=lambda doc_id: chunks[doc_id],
                                        documents=lambda: self.docs)

    def answer(self, question: str, hits: list[Hit]):  # type: ignore[no-untyped-def]
        return self.inner.answer(plan_for(question, self.docs), ranked(question, hits))


def _answerer(hits: list[Hit]) -> _Answerer:
    return _Answerer(hits)


def _fields(question: str) -> tuple[str, ...]:
    return plan_for(question, []).fields


def _only_fields(question: str) -> bool:
    return plan_for(question, []).only_fields


def test_questions_name_the_fields_they_ask_for() -> None:
    assert _fields("0581号提案的答复是谁签发的?哪个处室承办,联系人是谁?") == (
        "signer", "office", "contact", "phone")
    assert _fields("康巴什規劃的發文字號和成文日期是？") == ("doc_number", "written_date")
    assert _fields("落款日期是哪天") == ("written_date",)
    assert _fields("统计公报的公报日期是哪天") == ("written_date",)  # the date the document bears
    assert _fields("网站发文日期是哪天") == ()  # a portal's label, read from its table
    assert _fields("解读是什么时候发布的") == ("published_date",)
    assert _fields("研发投入占比目标是多少") == ()
    assert _fields("科技资金来源有哪些") == ()  # a funding source is not the 来源 field


def test_only_fields_when_every_asking_clause_asks_a_field() -> None:
    assert _only_fields("规划的文号是多少?成文日期是哪天?")
    assert not _only_fields("规划是哪天发布的,研发投入目标是多少?")


def test_written_date_is_cited_where_the_source_states_it() -> None:
    _, hits = _reply()
    answer = _answerer(hits).answer("张郡委员那件提案的答复,落款日期是哪天?", hits)
    assert not answer.refused
    assert [c.quote for c in answer.citations] == ["2023年8月3日"]
    assert REPLY[answer.citations[0].start:answer.citations[0].end] == "2023年8月3日"
    assert "成文日期：2023年8月3日[1]" in answer.text  # a bare value is named


def test_one_labelled_field_of_a_line_of_several_is_quoted() -> None:
    _, hits = _plan()
    answer = _answerer(hits).answer("康巴什规划的文号是多少?成文日期是哪天?", hits)
    quoted = "\n".join(c.quote for c in answer.citations)
    assert "成文日期: 2023年2月24日" in quoted and "發文字號: 鄂康政發〔2023〕8號" in quoted
    assert "發文機關" not in quoted and "發布日期" not in quoted  # only the asked fields of each line
    for c in answer.citations:
        assert PLAN[c.start:c.end] == c.quote


def test_sign_off_fields_come_together_with_the_phone() -> None:
    _, hits = _reply()
    answer = _answerer(hits).answer("0581号提案的答复是谁签发的?哪个处室承办,联系人是谁?", hits)
    assert len(answer.citations) == 1  # adjacent lines of one block are one citation
    quote = answer.citations[0].quote
    for value in ("孙俊青", "高新技术处", "佟永兴", "0471-6328607"):
        assert value in quote
        assert value in answer.text.splitlines()[0]  # the first line states all four, in the order asked


def test_a_particular_asked_that_the_document_lacks_is_named_not_skipped() -> None:
    _, hits = _reply()  # the reply states its sign-off, not a 文号
    answer = _answerer(hits).answer("0581号提案的答复是谁签发的?文号是多少?", hits)
    assert not answer.refused and "孙俊青" in "".join(c.quote for c in answer.citations)
    assert answer.text.splitlines()[-1] == "所提供的文件中没有找到关于“文号”的内容。"
    # Implied particulars are not listed: a 联系人 question also looks for the phone.
    both = _answerer(hits).answer("0581号提案的答复联系人是谁?", hits)
    assert "没有找到" not in both.text


def test_the_number_of_a_cited_document_comes_from_the_passage_stating_it() -> None:
    _, hits = _reply()  # the reply itself has no 文号
    answer = _answerer(hits).answer("答复里引用的六部门文化和科技深度融合指导意见,文号是多少?", hits)
    assert not answer.refused
    assert "国科发高〔2019〕280号" in answer.citations[0].quote


def test_a_field_no_passage_states_is_refused() -> None:
    _, hits = _reply()
    answer = _answerer(hits[:3]).answer("0581号提案答复的文号是多少?", hits[:3])
    assert answer.refused


def test_target_document_is_the_named_one_else_the_best_hit() -> None:
    reply, reply_hits = _reply()
    plan, plan_hits = _plan()
    docs = [reply, plan]
    assert target_document(plan_for("第0581号提案的答复哪天签发", docs), plan_hits, docs) == reply
    assert target_document(plan_for("康巴什规划的文号", docs), reply_hits, docs) == plan
    assert target_document(plan_for("成文日期是哪天", docs), plan_hits, docs) == plan


def test_of_two_named_documents_the_one_stating_the_particular_is_its_target() -> None:
    rules = Document(doc_id=make_doc_id("rules.txt"), source="rules.txt", text="某市积分入户办法\n某府规〔2025〕8号",
                     title="某市积分入户办法", script="simplified", doc_number="某府规〔2025〕8号")
    faq = Document(doc_id=make_doc_id("faq.txt"), source="faq.txt", text="某市积分入户热点问答\n申报时间为10月。",
                   title="某市积分入户热点问答", script="simplified")
    docs = [faq, rules]
    plan = plan_for("某市积分入户热点问答和某市积分入户办法，办法的文号是哪个？", docs)
    assert plan.documents[0] == faq.doc_id and rules.doc_id in plan.documents
    assert target_document(plan, [], docs) == rules


def test_locate_returns_none_for_a_value_the_document_lacks() -> None:
    doc, hits = _plan()
    assert locate(doc, [h.chunk for h in hits], "signer") is None


def test_a_quoted_line_that_names_its_field_gets_no_second_label() -> None:
    _, hits = _plan()
    answer = _answerer(hits).answer("康巴什規劃的發文字號是什麼？", hits)
    assert "發文字號: 鄂康政發〔2023〕8號[1]" in answer.text and "文號：" not in answer.text


def test_a_named_documents_particulars_answer_even_when_no_passage_shares_the_words() -> None:
    _, reply_hits = _reply()
    _, plan_hits = _plan()
    answerer = _answerer(reply_hits + plan_hits)  # knows both documents and all their chunks
    body_only = plan_hits[1:]  # retrieval missed the metadata block
    question = "康巴什规划是哪个部门发的?文号多少?"
    answer = answerer.answer(question, body_only)
    assert not answer.refused
    assert "鄂康政發〔2023〕8號" in " ".join(c.quote for c in answer.citations)
    # A document the question does not name gets no such rescue.
    assert answerer.answer("伊金霍洛旗规划是哪个部门发的?", body_only).refused


NOTICE = (
    "统一编号： GZ0320250043\n索 引 号：\n014717475N/2025-0040295\n发布机构：\n某市民政局\n"
    "文  号： 某民规字〔2025〕2号\n实施日期： 2025年06月01日\n失效日期： 2026年06月01日\n主 题 词：\n"
    "某市民政局关于印发\n2025年救助标准的通知\n"
    "一、全市城乡最低生活保障标准为每人每月1309元。"
)


def _notice() -> tuple[Document, list[Hit]]:
    doc = Document(doc_id=make_doc_id("notice.html"), source="notice.html", text=NOTICE,
                   title="某市民政局关于印发2025年救助标准的通知", script="simplified", issuer="某市民政局",
                   doc_number="某民规字〔2025〕2号", doc_type="通知")
    table = NOTICE[: NOTICE.index("一、")].rstrip("\n")
    chunks = [_kind(chunk_of(doc, table), "metadata"), chunk_of(doc, NOTICE[NOTICE.index("一、"):])]
    return doc, hits_of(doc, chunks)


def _labelled(question: str) -> list[tuple[str, str]]:
    from assistant.fields import labelled_quotes

    _, hits = _notice()
    return [(q.field, q.sentence.text) for q in labelled_quotes([h.chunk for h in hits], question)]


def test_a_label_of_the_documents_table_named_in_the_question_is_quoted() -> None:
    # A label with its value on the same line, and one with its value on the next line.
    assert _labelled("救助标准通知的统一编号是多少") == [("统一编号", "统一编号： GZ0320250043")]
    assert _labelled("救助标准通知的索引号多少") == [("索引号", "014717475N/2025-0040295")]
    # 有效期 is stated by the dates the table gives for it.
    assert _labelled("救助标准通知的有效期？") == [("实施日期", "实施日期： 2025年06月01日"),
                                                 ("失效日期", "失效日期： 2026年06月01日")]


def test_only_a_question_naming_a_tables_label_reads_the_table() -> None:
    from assistant.fields import asks_labelled

    assert asks_labelled("救助标准通知的索引号多少") and asks_labelled("这个通知的有效期？")
    assert not asks_labelled("救助标准通知里低保标准是多少")
    assert not asks_labelled("资金来源有哪些")  # a two-character label (来源) is no ask


def test_an_empty_label_followed_by_the_documents_text_states_nothing() -> None:
    assert _labelled("救助标准通知的主题词是什么") == []
    assert _labelled("低保标准是多少") == []  # no label named


def test_a_tables_label_answers_with_the_other_particulars_asked() -> None:
    _, hits = _notice()
    answer = _answerer(hits).answer("救助标准通知的文号和索引号？有效期多久？", hits)
    quoted = [c.quote for c in answer.citations]
    assert any("某民规字〔2025〕2号" in q for q in quoted)
    assert any("014717475N/2025-0040295" in q for q in quoted)
    assert any("2026年06月01日" in q for q in quoted)
    # The first line states each particular in the order asked, the bare value with its label.
    first = answer.text.splitlines()[0]
    assert first.index("某民规字") < first.index("索引号：014717475N") < first.index("2025年06月01日")


def test_asking_when_a_document_takes_effect_asks_its_effective_date() -> None:
    for question in ("条例的施行日期？", "办法哪天施行？", "这个规定从什么时候起实施", "何时生效"):
        assert "effective_date" in _fields(question), question
    assert "effective_date" not in _fields("科技赋能实施方案是哪天印发的？")


def test_a_documents_own_effective_date_comes_before_an_amendments() -> None:
    from assistant.fields import effective_date

    assert effective_date("第九条 本办法自2019年1月1日起施行。") == "2019-01-01"
    text = ("修正條文自一百零九年一月一日施行。\n"
            "本辦法自中華民國一百零六年十一月二十四日施行至一百十八年十二月三十一日止。")
    assert effective_date(text) == "2017-11-24"
    assert effective_date("本办法自公布之日起施行。") is None  # no date stated


LAW = (
    "法规名称：某某条例\n沿革内容：\n1.2020年3月26日通过公布全文；并自2020年6月1日起施行\n"
    "第一条 为了促进人才发展，制定本条例。\n"
    "第六十条 本条例自2020年6月1日起施行。"
)


def test_the_effective_date_is_quoted_from_the_documents_own_statement() -> None:
    doc = Document(doc_id=make_doc_id("law.txt"), source="law.txt", text=LAW, title="某某条例",
                   script="simplified", written_date="2020-03-26", doc_type="条例")
    history = LAW[: LAW.index("第一条")].rstrip("\n")
    chunks = [_kind(chunk_of(doc, history), "metadata"), chunk_of(doc, LAW[LAW.index("第一条"):])]
    hits = hits_of(doc, chunks)
    answer = _answerer(hits).answer("某某条例的施行日期？", hits)
    assert [c.quote for c in answer.citations] == ["第六十条 本条例自2020年6月1日起施行。"]
    assert not answer.text.startswith("施行日期")  # the quote says what it states


def test_a_value_is_stated_as_its_line_writes_it() -> None:
    from assistant.fields import verbatim

    line = "名称：甲市民政局 甲市财政局关于印发养老服务办法的通知"
    assert verbatim(line, "甲市民政局、甲市财政局") == "甲市民政局 甲市财政局"
    assert verbatim(line, "乙市民政局") == ""


def test_an_issuer_found_in_a_title_line_leads_with_the_issuer_alone() -> None:
    text = "名称：甲市民政局 甲市财政局关于印发养老服务办法的通知\n第一条 为了规范养老服务，制定本办法。"
    doc = Document(doc_id=make_doc_id("care.html"), source="care.html", text=text,
                   title="甲市民政局 甲市财政局关于印发养老服务办法的通知", script="simplified",
                   issuer="甲市民政局、甲市财政局", doc_type="通知")
    chunks = [_kind(chunk_of(doc, text.split("\n")[0]), "metadata"), chunk_of(doc, text.split("\n")[1])]
    hits = hits_of(doc, chunks)
    answer = _answerer(hits).answer("养老服务办法的发文机关是哪个？", hits)
    assert answer.text.splitlines()[0] == "发文机关：甲市民政局 甲市财政局[1]。"
    assert answer.citations[0].quote.startswith("名称：甲市民政局")  # the quote is the whole line


WRAPPED = (
    "勞工請假規則\n"
    "法規沿革：\n"
    "1.中華民國七十四年三月二十日內政部令訂定發布全文 13 條\n"
    "2.中華民國一百年十月十四日行政院勞工委員會勞動 2 字第 100013251\n"
    "  5 號令修正發布第 3 條條文\n"
    "第 1 條 本規則依勞動基準法第四十三條規定訂定之。"
)


def _law() -> tuple[Document, list[Hit]]:
    doc = Document(doc_id=make_doc_id("law.txt"), source="law.txt", text=WRAPPED, title="勞工請假規則",
                   script="traditional", doc_number="行政院勞工委員會勞動2字第1000132515號令", doc_type="規則")
    history = WRAPPED[WRAPPED.index("法規沿革"): WRAPPED.index("第 1 條")].rstrip("\n")
    body = WRAPPED[WRAPPED.index("第 1 條"):]
    return doc, hits_of(doc, [_kind(chunk_of(doc, history), "metadata"), chunk_of(doc, body)])


def test_a_number_a_fixed_width_layout_wrapped_onto_two_lines_is_found_and_shown_whole() -> None:
    doc, hits = _law()
    quote = locate(doc, [h.chunk for h in hits], "doc_number")
    assert quote is not None and "100013251\n  5 號令" in quote.sentence.text
    answer = _answerer(hits).answer("勞工請假規則的文號是什麼？", hits)
    assert "第 1000132515 號令" in answer.text.splitlines()[0]


def test_a_named_document_naming_no_place_answers_a_question_giving_one() -> None:
    _, hits = _law()
    # 台灣 is nowhere in the law, which names no place of its own: it is still the one asked about.
    answer = _answerer(hits).answer("台灣《勞工請假規則》的文號是什麼？", hits)
    assert not answer.refused and "1000132515" in answer.text.splitlines()[0]
