"""Extractive follow-ups: "那康巴什呢？" after a question about the region, without an LLM.

A follow-up is short and leans on the previous turn: it starts with 那/那么/还有/另外 or ends
with 呢, and names a new subject. The previous question is carried forward with its subject of
the same kind (a place, a year, a body, a document) replaced by the new one; when no such
subject is found, the new subject is put in front of the previous question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.normalize import normalize

History = Sequence[tuple[str, str]]
MAX_FOLLOWUP_CHARS = 16
_LEAD = re.compile(r"^(?:那么|那|还有|另外|如果是|换成|对于)\s*")
_TAIL = re.compile(r"(?:的情况|怎么样|如何|又如何|又是多少|是多少|的呢|呢|吗)?\s*[?？。!！]*\s*$")
# A name starts at the beginning, after a non-Chinese character or after a particle (里, 的…).
_START = r"(?:(?<![\u4e00-\u9fff\d])|(?<=[里的和与及由在对向从跟]))"
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(r"\d{4}\s*年?|“?十[一二三四五六七八九]五”?")),
    ("body", re.compile(_START + r"[\u4e00-\u9fff]{1,8}?(?:厅|局|委员会|委|办公室|办|处|中心|研究院|政府)")),
    ("document", re.compile(r"《[^《》]+》|" + _START + r"[\u4e00-\u9fff]{2,10}?(?:规划|方案|意见|计划|办法)")),
    ("place", re.compile(r"内蒙古自治区|自治区|全区|我区|内蒙古|全国|全市|" + _START
                         + r"[\u4e00-\u9fff]{2,5}?(?:市|盟|旗|县|区)(?![域块别场])")),
)


def is_followup(question: str) -> bool:
    """Short, and leaning on the last turn: a leading 那/那么/还有/另外 or a trailing 呢."""
    norm = normalize(question).strip()
    if len(norm) > MAX_FOLLOWUP_CHARS:
        return False
    return bool(_LEAD.match(norm)) or bool(re.search(r"呢\s*[?？]*\s*$", norm))


def new_subject(question: str) -> str:
    """The subject a follow-up names: "那康巴什呢？" -> "康巴什"."""
    return _TAIL.sub("", _LEAD.sub("", question.strip())).strip(" ，,、")


def resolve_followup(question: str, history: History) -> str:
    """`question` made to stand alone using the last question in `history` (else unchanged)."""
    if not history or not is_followup(question):
        return question
    previous = resolve_followup(history[-1][0], history[:-1])
    subject = new_subject(question)
    if not subject:
        return previous
    if is_followup(history[-1][0]) and len(history) > 1:
        earlier = new_subject(history[-1][0])  # a chain: replace the subject it brought in
        if earlier and earlier in previous:
            return previous.replace(earlier, subject, 1)
    kind = _kind_of(subject)
    kinds = [kind] if kind else ["place", "body"]
    for name in kinds:
        pattern = dict(_KINDS)[name]
        m = pattern.search(previous)
        if m:
            return previous[: m.start()] + subject + previous[m.end():]
    return f"{subject}{previous}"


def _kind_of(subject: str) -> str | None:
    norm = normalize(subject)
    for name, pattern in _KINDS:
        if name != "place" and pattern.fullmatch(norm):
            return name
    if _KINDS[-1][1].fullmatch(norm):
        return "place"
    return None  # an unknown name (康巴什): tried as a place first, then as a body
