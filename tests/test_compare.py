"""Comparison questions: which documents a question names, per-part questions, merged answers."""

from __future__ import annotations

from assistant.compare import comparison_scopes, is_comparison, merge_answers, named_documents, scoped_question
from assistant.types import Answer, Citation
from index.types import Document


def _doc(doc_id: str, title: str, doc_type: str) -> Document:
    return Document(doc_id=doc_id, source=f"{doc_id}.txt", text="", title=title, script="simplified",
                    doc_type=doc_type)


DOCS = [
    _doc("reply", "内蒙古自治区科学技术厅关于对政协第0581号提案的答复", "提案答复"),
    _doc("plan", "康巴什区科技创新“十四五”规划", "规划"),
    _doc("scheme", "《内蒙古高质量发展科技赋能实施方案(2023—2025年)》解读", "解读"),
    _doc("county", "内蒙古自治区人民政府办公厅关于促进县域创新驱动发展的实施意见", "实施意见"),
]


def test_comparison_wording_is_recognised() -> None:
    assert is_comparison("赋能方案和康巴什规划各自的要求是什么?")
    assert is_comparison("自治区的目标和康巴什区的比,哪个高?")
    assert not is_comparison("康巴什规划管到哪一年?")


def test_documents_are_found_by_their_distinctive_name_words() -> None:
    named = named_documents("规上工业企业研发活动方面,自治区赋能方案和康巴什规划各自的要求是什么?", DOCS)
    assert {d.doc_id for d in named[:2]} == {"scheme", "plan"}
    assert named_documents("研发投入是多少?", DOCS) == []


def test_two_named_documents_give_two_scopes_and_the_names_leave_the_part_question() -> None:
    scopes = comparison_scopes("科技厅的提案答复和康巴什规划分别提了什么举措?", DOCS)
    assert scopes is not None
    assert [ids for _, ids in scopes][:2] in ([("reply",), ("plan",)], [("plan",), ("reply",)])
    part = scopes[0][0]
    assert "康巴什" not in part and "提案答复" not in part
    assert "举措" in part and "科技" in part  # topic words shared by many titles stay


def test_one_named_document_is_compared_with_the_rest() -> None:
    scopes = comparison_scopes("自治区到2025年的研发投入目标,和康巴什区的比,哪个高?", DOCS)
    assert scopes is not None and len(scopes) == 2
    assert scopes[0][1] == ("plan",)
    assert set(scopes[1][1]) == {"reply", "scheme", "county"}


def test_not_a_comparison_gives_no_scopes() -> None:
    assert comparison_scopes("康巴什规划的研发投入目标是多少?", DOCS) is None


def test_a_part_question_is_kept_when_stripping_would_empty_it() -> None:
    assert scoped_question("康巴什规划", DOCS[1:2], DOCS) == "康巴什规划"


def _cite(n: int, doc_id: str) -> Citation:
    return Citation(number=n, chunk_id=f"c{doc_id}{n}", doc_id=doc_id, source=f"{doc_id}.txt", title=doc_id,
                    doc_number=None, date=None, heading_path=(), quote="q", start=0, end=1)


def test_merged_answer_renumbers_markers_and_skips_refused_parts() -> None:
    a = Answer("q", "根据《甲》[1]：\n甲说[1]。", (_cite(1, "a"),), refused=False, script="simplified")
    b = Answer("q", "根据《乙》[1][2]：\n乙说[1]。\n又说[2]。", (_cite(1, "b"), _cite(2, "b")), refused=False,
               script="simplified")
    none = Answer("q", "所提供的文件中没有找到……", (), refused=True, script="simplified")
    merged = merge_answers("q", [a, none, b])
    assert not merged.refused
    assert [c.number for c in merged.citations] == [1, 2, 3]
    assert "乙说[2]" in merged.text and "又说[3]" in merged.text and "甲说[1]" in merged.text
    assert merge_answers("q", [none]).refused


def test_items_of_one_named_document_listed_with_fenbie_are_not_a_comparison() -> None:
    # "分别" over items of one document asks for each item, not for two documents.
    assert comparison_scopes("到十四五末,康巴什的创新平台、高新技术企业分别要达到多少?", DOCS) is None
    # One document set against a second subject is still a comparison.
    scopes = comparison_scopes("研发活动方面,自治区层面和康巴什区分别提了什么目标?", DOCS)
    assert scopes is not None and len(scopes) == 2
    assert comparison_scopes("康巴什规划里每项任务的牵头和责任单位分别是谁?", DOCS) is None
