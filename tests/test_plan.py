"""Reading a question once into a plan (assistant/plan.py) against a catalogue of documents."""

from __future__ import annotations

from assistant.catalogue import Catalogue
from assistant.plan import YEAR, Planner
from index.types import Document, make_doc_id


def _doc(name: str, title: str, number: str | None = None) -> Document:
    return Document(doc_id=make_doc_id(name), source=name, text=title, title=title, script="simplified",
                    doc_number=number)


DOCS = [
    _doc("a.txt", "某市促进就业若干规定"),
    _doc("b.txt", "国务院办公厅关于对真抓实干成效明显地方进一步加大激励支持力度的通知", "国办发〔2018〕117号"),
    _doc("c.txt", "某市老年人助餐配餐服务管理办法", "某民规字〔2024〕3号"),
]
PLANNER = Planner(Catalogue.of(DOCS))


def test_what_is_asked_and_of_which_kind() -> None:
    share = PLANNER.plan("研发投入后补助按多少比例给？")
    assert share.wants_figure and share.figure == "share"
    assert PLANNER.plan("首次认定奖励多少钱？").figure == "money"
    assert PLANNER.plan("申报几号截止？").asks("date")
    assert PLANNER.plan("哪个部门负责？").asks("unit")
    assert PLANNER.plan("方案对教师队伍定了哪些具体指标？").wants_figure
    # 有什么 asks an open question, not for a list: "占比有什么目标" wants the one figure.
    target = PLANNER.plan("方案对双师型教师占比有什么目标？")
    assert target.wants_figure and not target.asks("list")
    assert PLANNER.plan("申请要准备哪些材料？").asks("list")
    # 分别 distributes one question over its subjects; each asks a figure, not a list.
    each = PLANNER.plan("低保标准和护理补贴分别是多少？")
    assert each.wants_figure and each.comparison and not each.asks("list")


def test_particulars_and_whether_only_they_are_asked() -> None:
    only = PLANNER.plan("助餐配餐服务管理办法的文号和成文日期是什么？")
    assert only.fields == ("doc_number", "written_date") and only.only_fields
    mixed = PLANNER.plan("这个条例的施行日期？同时废止了哪部条例？")
    assert not mixed.only_fields and "validity" not in mixed.fields  # 废止了哪部 is not 是否有效
    assert PLANNER.plan("这个文件还有效吗").fields == ("validity",)
    # Asked who issued it, however many issuers: 哪两个单位发布的, 哪几个部门联合印发的.
    for question in ("这份公报是哪两个单位发布的？", "这个办法是哪几个部门联合印发的？", "这个通知是哪个部门发的？"):
        assert PLANNER.plan(question).fields == ("issuer",), question


def test_parts_of_a_question_and_subjects_listed_before_ge() -> None:
    assert len(PLANNER.plan("补贴标准是多少？申请要什么材料？").parts) == 2
    listed = PLANNER.plan("甲市和乙市的低保标准分别是多少？")
    assert [p.standalone for p in listed.parts] == ["甲市的低保标准是多少", "乙市的低保标准是多少"]
    assert not PLANNER.plan("研发经费和研发投入在哪些文件里提到?").parts
    told = PLANNER.plan("家里有老人，也在领低保，甲市低保标准和乙市护理补贴分别是多少？")
    assert [p.standalone for p in told.parts] == ["甲市低保标准是多少", "乙市护理补贴是多少"]


def test_clauses_joined_by_dunhao_are_parts_when_each_asks() -> None:
    both = PLANNER.plan("这个条例哪天通过、哪天施行？")
    assert [p.standalone for p in both.parts] == ["这个条例哪天通过", "哪天施行"]
    assert both.fields == ("written_date", "effective_date") and both.only_fields  # both are particulars
    assert not PLANNER.plan("培训、鉴定补贴多少？").parts  # a list of subjects, one question


def test_the_day_a_regulation_was_adopted_is_its_written_date() -> None:
    assert PLANNER.plan("这个条例是什么时候通过的？").fields == ("written_date",)
    assert not PLANNER.plan("申请什么时候通过审核？").fields


def test_a_short_part_leans_on_the_subject_the_question_opened_with() -> None:
    plan = PLANNER.plan("联席会议有哪些成员单位？多久开一次会？")
    opened = {t.text: t.weight for t in plan.parts[0].terms}
    short = {t.text: t.weight for t in plan.parts[1].terms}
    assert "联席会议" in short and short["联席会议"] == opened["联席会议"] / 2
    assert "成员" not in short  # what the first part asks is not the subject
    done = PLANNER.plan("到2020年实际建成了多少工作站？完成率多少？")
    assert done.actual and done.parts[1].actual and done.parts[1].years == ("2020",)


def test_a_short_part_takes_the_documents_the_question_names() -> None:
    plan = PLANNER.plan("某市老年人助餐配餐服务管理办法里补贴怎么申请？电话多少？")
    assert plan.documents == (DOCS[2].doc_id,)
    assert all(p.documents == (DOCS[2].doc_id,) for p in plan.parts)


def test_documents_are_named_by_loose_title_serial_number_or_full_number() -> None:
    assert PLANNER.plan("某市促进就业规定里失业登记怎么办？").documents == (DOCS[0].doc_id,)
    assert PLANNER.plan("117号文印发后哪个文件停止执行？").documents == (DOCS[1].doc_id,)
    assert PLANNER.plan("国办发〔2018〕117号要求什么？").documents == (DOCS[1].doc_id,)


def test_a_comparison_names_its_second_document_by_words_of_its_title_too() -> None:
    docs = [_doc("p.txt", "甲区科技创新驱动十四五发展规划"),
            _doc("q.txt", "某省人民政府办公厅关于促进县域创新驱动发展的实施意见"),
            _doc("r.txt", "某省科学技术厅关于政协提案的答复")]
    # The plan is named in full, the opinion only by two words of its title.
    question = "某省县域创新文件和甲区科技创新驱动十四五发展规划，对研发费用加计扣除分别怎么要求的？"
    plan = Planner(Catalogue.of(docs)).plan(question)
    assert set(plan.documents) == {docs[0].doc_id, docs[1].doc_id}

def test_a_name_or_number_no_document_has_is_missing() -> None:
    assert "国办发〔2019〕5号" in PLANNER.plan("国办发〔2019〕5号规定了什么？").missing
    assert PLANNER.plan("《某省养老服务条例》规定了什么？").missing == ("《某省养老服务条例》",)
    assert not PLANNER.plan("某市促进就业规定里失业登记怎么办？").missing
    # "那份实施意见" points at a document; it is not a title the corpus lacks.
    assert not PLANNER.plan("县域创新那份实施意见里，星创天地的创业方向集中在哪些方面？").missing


def test_asking_for_money_or_age_is_not_a_key_term() -> None:
    assert [t.text for t in PLANNER.plan("低保一个月多少钱？").terms] == ["低保", "一个月"]
    assert "多少岁" not in [t.text for t in PLANNER.plan("多少岁可以申请？").terms]


def test_places_years_and_actual_outcomes() -> None:
    plan = PLANNER.plan("深圳市2025年最低生活保障标准是多少？")
    assert plan.places == ("深圳市",) and plan.years == ("2025",)
    assert PLANNER.plan("到2020年实际建成了多少家？").actual
    assert not PLANNER.plan("到2025年要建成多少家？").actual
    assert YEAR.findall("累计完成2001万美元，2021—2023年") == ["2021", "2023"]  # an amount is no year
    # Years counted from a stated one are asked too; with no stated year nothing is guessed.
    assert PLANNER.plan("今年（2026年）护理补贴每月多少？比去年涨了多少？").years == ("2026", "2025")
    assert PLANNER.plan("2024年的标准和前年比呢？").years == ("2024", "2022")
    assert PLANNER.plan("今年的标准比去年涨了多少？").years == ()


def test_a_traditional_question_keeps_its_script() -> None:
    plan = PLANNER.plan("就業金卡的有效期間是多久？")
    assert plan.script == "traditional" and plan.asks("date")


def test_a_period_answers_how_often() -> None:
    from assistant.features import has_kind

    plan = PLANNER.plan("联席会议多久开一次会？")
    assert plan.asks("date")
    assert has_kind(plan, "联席会议原则上每年召开两次会议")
    assert not has_kind(plan, "联席会议由召集人主持")


def test_the_years_a_title_covers() -> None:
    from assistant.plan import period_years

    assert period_years("某区科技创新“十四五”规划") == {"2021", "2022", "2023", "2024", "2025"}
    assert period_years("“十五”计划纲要") == {"2001", "2002", "2003", "2004", "2005"}
    assert period_years("实施方案(2023—2025年)") == {"2023", "2024", "2025"}
    assert period_years("2019年工作要点") == {"2019"}
    assert period_years("第十五届运动会组织办法") == set()  # a bare 十五 is a number


def test_a_document_cited_only_by_title_is_missing_when_its_content_is_asked() -> None:
    from assistant.features import missing_names
    from assistant.types import Hit
    from tests.handmade import chunk_of

    text = ("某区科技创新规划\n依据《某市“十四五”科技创新规划》（某政发〔2021〕9号）等文件编制本规划。"
            "研发投入强度达到2.2%。")
    doc = Document(doc_id=make_doc_id("plan.txt"), source="plan.txt", text=text, title="某区科技创新规划",
                   script="simplified")
    planner = Planner(Catalogue.of([doc]))
    hits = [Hit(chunk=chunk_of(doc, text.split("\n")[1]), document=doc, rank=1, fused_score=1.0)]
    content = planner.plan("某市“十四五”科技创新规划定的研发投入强度目标是多少？")
    assert content.missing == ("某市“十四五”科技创新规划",)
    assert missing_names(content, hits) == content.missing
    number = planner.plan("某市“十四五”科技创新规划的文号是多少？")
    assert number.missing and not missing_names(number, hits)  # the citation states its 文号


def test_what_a_clause_asks_about_is_the_key_term_before_its_question_word() -> None:
    assert PLANNER.plan("方案具体分了哪几个方面的行动?").focus == ("方案",)
    assert PLANNER.plan("科技赋能方案的目标完成得怎么样?").focus == ("完成",)
    # What an actor is asked to do: the actor is the focus, not the verb asking it.
    assert PLANNER.plan("积分入户工作中，税务机关负责哪些事？").focus == ("税务机关",)
