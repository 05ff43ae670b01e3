"""The commitments ledger: extraction on the sample corpus, rules on hand-made text, filters,
exports and ledger answers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from assistant.ledger_answer import answer_from_ledger
from config.errors import IndexMissingError, PolicyQAError
from eval.commitments_eval import GOLD, load_gold, matches, score
from index.commitments import build_ledger, filter_ledger, load_ledger, save_ledger
from index.commitments.ledger import COLUMNS, write_csv, write_xlsx
from index.commitments.units import canonical_unit, split_units, unit_matches
from index.ingest import ingest_corpus
from index.normalize import normalize
from index.types import Chunk, Document, make_chunk_id, make_doc_id
from tests.handmade import plan_for


@pytest.fixture(scope="module")
def ledger(ingested):
    return build_ledger(ingested.documents, ingested.chunks)


@pytest.fixture(scope="module")
def gold():
    return load_gold(GOLD)


def _doc_of(ingested, prefix: str) -> Document:
    return next(d for d in ingested.documents if d.source.startswith(prefix))


def make_doc(source: str, sections: list[tuple[str, str]], **meta) -> tuple[Document, list[Chunk]]:
    """A document whose chunks are its sections: (heading or "", body) pairs, cut from its text."""
    title = meta.pop("title", "测试文件")
    parts, chunks, pos = [title, "\n\n"], [], len(title) + 2
    doc_id = make_doc_id(source)
    for heading, body in sections:
        text = (heading + "\n" if heading else "") + body
        path = (title, heading) if heading else (title,)
        chunks.append(Chunk(make_chunk_id(doc_id, pos, pos + len(text), text), doc_id, path, text,
                            normalize(text), pos, pos + len(text), ordinal=len(chunks)))
        parts.append(text + "\n\n")
        pos += len(text) + 2
    doc = Document(doc_id=doc_id, source=source, text="".join(parts), title=title,
                   script=meta.pop("script", "simplified"), **meta)
    return doc, chunks


# ---- the sample corpus -----------------------------------------------------------------------


def test_every_row_quotes_its_source_exactly(ingested, ledger):
    texts = {d.doc_id: d.text for d in ingested.documents}
    assert ledger
    for row in ledger:
        assert texts[row.doc_id][row.start:row.end] == row.text
    assert len({r.row_id for r in ledger}) == len(ledger)


def test_row_ids_are_stable_across_builds(ingested, ledger):
    again = build_ledger(ingested.documents, ingested.chunks)
    assert [r.row_id for r in again] == [r.row_id for r in ledger]


@pytest.mark.parametrize("kind", ["task", "target", "reply_meta", "reply_done", "reply_promise"])
def test_gold_rows_are_all_found(ledger, gold, kind):
    wanted = [g for g in gold if g["kind"] == kind]
    assert wanted
    missing = [g["anchor"] for g in wanted if not any(matches(g, r) for r in ledger)]
    assert missing == []


def test_all_eight_duty_lists_of_the_opinions_with_their_sections(ingested, ledger):
    doc = next(d for d in ingested.documents if d.doc_number and "84" in d.doc_number)
    tasks = [r for r in ledger if r.doc_id == doc.doc_id and r.kind == "task"]
    assert len(tasks) == doc.text.count("责任单位")
    numerals = "一二三四五六七八"
    assert [t.task[0] for t in tasks] == list(numerals[: len(tasks)])
    for t in tasks:
        assert "科技厅" in t.units
        assert not any(u.startswith("自治区") for u in t.units)


def test_targets_have_deadlines_and_values(ingested, ledger):
    plan = _doc_of(ingested, "001")
    targets = [r for r in ledger if r.doc_id == plan.doc_id and r.kind == "target"]
    assert targets and {r.deadline for r in targets} == {"2020"}
    for r in (r for r in ledger if r.kind == "target"):
        assert r.value and r.metric and r.deadline
        assert r.value in normalize(r.text) or r.value.isdigit()


def test_traditional_plan_targets_keep_the_source_script(ingested, ledger):
    doc = _doc_of(ingested, "004")
    targets = [r for r in ledger if r.doc_id == doc.doc_id and r.kind == "target"]
    assert targets and all(r.deadline == "2025" for r in targets)
    assert any("達到" in r.text for r in targets)  # quoted as the source writes it


def test_proposal_reply_rows(ingested, ledger):
    doc = _doc_of(ingested, "000")
    rows = [r for r in ledger if r.doc_id == doc.doc_id]
    meta = [r for r in rows if r.kind == "reply_meta"]
    assert len(meta) == 1 and meta[0].number == doc.proposal.number and meta[0].proposer == doc.proposal.proposer
    assert meta[0].reply_date == doc.written_date
    done = [r for r in rows if r.kind == "reply_done"]
    promised = [r for r in rows if r.kind == "reply_promise"]
    leads = ("一是", "二是", "三是", "四是")
    assert [r.text[:2] for r in done] == list(leads) and [r.text[:2] for r in promised] == list(leads)
    assert max(r.start for r in done) < min(r.start for r in promised)
    assert not any(r.kind in ("target", "task") for r in rows)


def test_eval_targets_precision_and_recall(ledger, gold):
    scores, _, _ = score(gold, ledger)
    target = next(s for s in scores if s.name == "target")
    assert target.precision >= 0.9 and target.recall >= 0.9


POLICY_MIX = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "policy-mix" / "docs"
POLICY_MIX_GOLD = Path(__file__).resolve().parent / "data" / "commitments_gold_policy_mix.json"


def test_ledger_of_a_second_corpus_meets_its_hand_checked_gold(settings):
    """policy-mix: 117 hand-checked rows (targets, tasks with units, reply items), see the gold's description."""
    result = ingest_corpus(POLICY_MIX, settings.chunking)
    scores, _, _ = score(load_gold(POLICY_MIX_GOLD), build_ledger(result.documents, result.chunks))
    overall = next(s for s in scores if s.name == "overall")
    print(f"\npolicy-mix ledger: precision {overall.precision:.3f}, recall {overall.recall:.3f}")
    assert overall.precision >= 0.9 and overall.recall >= 0.9
    task = next(s for s in scores if s.name == "task")
    assert task.gold >= 100 and task.recall >= 0.85


# ---- rules on hand-made text -------------------------------------------------------------------


def test_document_without_commitments_yields_no_rows():
    doc, chunks = make_doc("plain.txt", [
        ("一、基本情况", "截至2022年底,全区高新技术企业总数达到1573家。2012年,示范基地被认定为国家级基地。"),
        ("二、主要做法", "各地区积极开展科普活动,服务企业4739家,形成了良好氛围(详见附件)。"),
    ], written_date="2023-08-03", doc_type="通知")
    assert build_ledger([doc], chunks) == []


def test_target_forms_and_deadline_inheritance():
    doc, chunks = make_doc("plan.txt", [
        ("(三)发展目标", "2027年,创新能力大幅提升。"),
        ("(三)发展目标", "——投入。研发经费投入强度不低于1%,技术合同成交额突破千亿元。"),
        ("二、任务", "到2026年,高新技术企业数量实现翻番,孵化器15家以上。下一句仍然算:占比超过35%。"),
        ("三、现状", "2020年,研发投入达到1.04亿元。"),
    ], written_date="2024-01-05")
    rows = build_ledger([doc], chunks)
    got = {(r.value, r.unit_of_measure, r.deadline) for r in rows}
    assert got == {("1", "%", "2027"), ("1000", "亿元", "2027"), ("翻番", "", "2026"), ("15", "家", "2026"),
                   ("35", "%", "2026")}


def test_duty_lists_with_lead_and_support_roles():
    doc, chunks = make_doc("duties.txt", [
        ("一、加强协同", "建立会商机制。(牵头单位:自治区科学技术厅;配合单位:财政厅、统计局)"),
        ("二、强化保障", "落实资金。(自治区财政厅牵头,科技厅配合)"),
    ])
    rows = build_ledger([doc], chunks)
    assert [(r.task, r.units, r.lead_units) for r in rows] == [
        ("一、加强协同", ("科技厅", "财政厅", "统计局"), ("科技厅",)),
        ("二、强化保障", ("财政厅", "科技厅"), ("财政厅",)),
    ]


# ---- units ------------------------------------------------------------------------------------


def test_unit_names_normalise_to_one_unit():
    forms = ["自治区科技厅", "科技厅", "内蒙古自治区科学技术厅", "自治區科學技術廳"]
    assert {canonical_unit(f) for f in forms} == {"科技厅"}
    assert unit_matches("内蒙古自治区科学技术厅", "科技厅")


def test_split_units_keeps_compounds_and_joined_names():
    units = split_units("各盟行政公署、市人民政府,旗县级人民政府,自治区科技厅、工业和信息化厅、人社厅,某某自治区税务局")
    assert units == ("各盟行政公署、市人民政府", "旗县级人民政府", "科技厅", "工业和信息化厅",
                     "人力资源社会保障厅", "税务局")
    assert split_units("科技厅和财政厅以及统计局") == ("科技厅", "财政厅", "统计局")


# ---- filters, exports, storage ----------------------------------------------------------------


def test_filter_ledger(ledger):
    tasks = filter_ledger(ledger, unit="自治区科学技术厅", kind="task")
    assert tasks and all("科技厅" in r.units and r.kind == "task" for r in tasks)
    y2020 = filter_ledger(ledger, year=2020, kind="target")
    assert y2020 and all(r.deadline == "2020" for r in y2020)
    by_number = filter_ledger(ledger, doc="内政办发〔2018〕84号")
    assert by_number and {r.doc_id for r in by_number} == {by_number[0].doc_id}
    replies = filter_ledger(ledger, kind="reply")
    assert {r.kind for r in replies} == {"reply_meta", "reply_done", "reply_promise"}
    with pytest.raises(PolicyQAError, match="target"):
        filter_ledger(ledger, kind="goal")


def test_csv_and_xlsx_round_trip(ledger, tmp_path: Path):
    from openpyxl import load_workbook

    write_csv(ledger, tmp_path / "l.csv")
    with open(tmp_path / "l.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    text_col = [h for h, _ in COLUMNS].index("原文")
    assert table[0] == [h for h, _ in COLUMNS] and len(table) == len(ledger) + 1
    assert [line[text_col] for line in table[1:]] == [r.text for r in ledger]
    write_xlsx(ledger, tmp_path / "l.xlsx")
    sheet = load_workbook(tmp_path / "l.xlsx").active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == len(ledger) + 1 and [v[text_col] for v in values[1:]] == [r.text for r in ledger]


def test_json_save_and_load(ledger, tmp_path: Path):
    path = tmp_path / "index" / "ledger.json"
    save_ledger(ledger, path)
    assert load_ledger(path) == ledger
    with pytest.raises(IndexMissingError):
        load_ledger(tmp_path / "missing.json")
    path.write_text(json.dumps({"format": 99, "rows": []}), encoding="utf-8")
    with pytest.raises(PolicyQAError, match="format"):
        load_ledger(path)


# ---- ledger answers ---------------------------------------------------------------------------


def test_unit_question_lists_every_row_with_a_citation_each(ingested, ledger):
    answer = answer_from_ledger(plan_for("科技厅负责哪些事项?", ingested.documents), ledger, ingested.documents)
    expected = [r for r in ledger if "科技厅" in r.units and r.kind in ("task", "reply_promise")]
    assert answer is not None and len(answer.citations) == len(expected)
    texts = {d.doc_id: d.text for d in ingested.documents}
    for n, c in enumerate(answer.citations, start=1):
        assert c.number == n and f"[{n}]" in answer.text
        assert texts[c.doc_id][c.start:c.end] == c.quote and c.quote in c.paragraph


def test_year_target_question_is_complete(ingested, ledger):
    answer = answer_from_ledger(plan_for("到2025年有哪些目标?", ingested.documents), ledger, ingested.documents)
    expected = [r for r in ledger if r.kind == "target" and r.year == 2025]
    assert answer is not None and [c.quote for c in answer.citations] == [r.text for r in expected]


def test_proposal_promise_question(ingested, ledger):
    answer = answer_from_ledger(plan_for("0581号提案答复承诺了什么", ingested.documents), ledger, ingested.documents)
    assert answer is not None
    kinds = [r.kind for c in answer.citations for r in ledger if r.start == c.start and r.doc_id == c.doc_id]
    assert kinds.count("reply_promise") == 4 and "reply_done" not in kinds


def test_traditional_question_gets_a_traditional_answer(ingested, ledger):
    question = "內政辦發〔2018〕84號第二條的責任單位有哪些？"
    answer = answer_from_ledger(plan_for(question, ingested.documents), ledger, ingested.documents)
    assert answer is not None and len(answer.citations) == 1
    assert answer.citations[0].heading_path[-1].startswith("二、")
    assert "責任單位" in answer.text


def test_other_questions_are_left_to_retrieval(ingested, ledger):
    for question in ("我们公司首次认定高企，自治区奖励多少？", "第9999号提案答复了什么"):
        assert answer_from_ledger(plan_for(question, ingested.documents), ledger, ingested.documents) is None


def test_reply_headings_are_recognised_generally():
    doc, chunks = make_doc("reply.txt", [
        ("一、已开展工作", "我厅组织开展专项行动,成效明显。"),
        ("二、下步工作打算", "一是完善政策体系;二是加大资金支持。"),
    ], issuer="自治区科学技术厅", doc_type="提案答复", written_date="2024-06-01")
    rows = build_ledger([doc], chunks)
    assert [(r.kind, r.task) for r in rows] == [
        ("reply_meta", ""), ("reply_done", "我厅组织开展专项行动,成效明显"),
        ("reply_promise", "完善政策体系"), ("reply_promise", "加大资金支持"),
    ]
    assert all(r.units == ("科技厅",) for r in rows)


def test_a_proposal_is_found_by_its_proposer_or_its_title(ingested, ledger):
    for question in ("针对张郡委员的提案,科技厅承诺下一步做哪几项工作?",
                     "在知识产权文化建设那件提案的答复里,科技厅对下一步工作做了哪些表态?"):
        answer = answer_from_ledger(plan_for(question, ingested.documents), ledger, ingested.documents)
        assert answer is not None, question
        kinds = [r.kind for c in answer.citations for r in ledger if r.start == c.start and r.doc_id == c.doc_id]
        assert kinds == ["reply_promise"] * 4


def test_target_lists_keep_to_the_named_document_and_leave_particular_figures_to_retrieval(ingested, ledger):
    plan = plan_for("康巴什规划到2025年有哪些目标?", ingested.documents)
    answer = answer_from_ledger(plan, ledger, ingested.documents)
    assert answer is not None and {c.source for c in answer.citations} == {"004_4d3c98ad61faea77.txt"}
    question = "康巴什规划对财政科技支出有什么指标?企业研发经费占比要稳定在多少?"
    assert answer_from_ledger(plan_for(question, ingested.documents), ledger, ingested.documents) is None


def test_a_target_question_about_what_no_target_measures_is_left_to_retrieval(ingested, ledger):
    for question in ("康巴什规划对双师型教师占比有什么目标?", "方案对双师型教师队伍建设定了哪些具体指标?"):
        assert answer_from_ledger(plan_for(question, ingested.documents), ledger, ingested.documents) is None
    # A topic some target measures keeps the list, narrowed to it.
    answer = answer_from_ledger(plan_for("康巴什规划的研发投入有哪些目标?", ingested.documents), ledger,
                                ingested.documents)
    assert answer is not None and all("投入" in c.quote for c in answer.citations)


def test_another_proposal_named_on_a_replys_page_is_not_answered_from_that_reply(ingested, ledger):
    # The 0581 reply's page links to the 0588 reply (上一篇); asking about 0588 is not about 0581.
    question = "科技厅对政协十三届一次会议0588号提案是怎么答复的?提了哪些下一步措施?"
    assert answer_from_ledger(plan_for(question, ingested.documents), ledger, ingested.documents) is None


def test_a_question_about_one_promised_item_gets_that_item(ingested, ledger):
    question = "在张郡委员那件提案的答复里,科技厅说下一步怎么培育文化科技领域的创新主体?"
    answer = answer_from_ledger(plan_for(question, ingested.documents), ledger, ingested.documents)
    assert answer is not None and len(answer.citations) == 1
    assert answer.citations[0].quote.startswith("二是培育文化科技领域创新主体")
