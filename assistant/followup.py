"""Follow-up questions made to stand alone from the conversation, without an LLM.

Three kinds, recognised by general Chinese question patterns:

- "那X呢" / "还有X呢" — a short question naming a new subject: the previous question again,
  with its subject of the same kind (a place, a year, a body, a document) replaced by X; an
  attribute asked of the same subject ("那申请条件呢") is asked of the previous topic;
- a pronoun for what was just discussed ("这个由哪个部门负责？", "它的申请条件是什么", "该政策什么
  时候截止"): the pronoun is replaced by the previous question's topic;
- anything else is a new question (a change of topic) and stands alone as asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.analysis import Analyzer
from index.normalize import normalize

History = Sequence[tuple[str, str]]
MAX_FOLLOWUP_CHARS = 16
_LEAD = re.compile(r"^(?:那么|那|还有|另外|如果是|换成|对于|至于)\s*")
_TAIL = re.compile(r"(?:的情况|怎么样|如何|又如何|又是多少|是多少|是什么|的呢|呢|吗)?\s*[?？。!！]*\s*$")
# What stands for the subject just discussed.
_PRONOUN = re.compile(
    r"这个(?:政策|办法|文件|规定|通知|补贴|项目|事|事情)?|这项(?:政策|补贴|工作|措施)?|此项|该项|"
    r"该(?:政策|办法|文件|规定|通知|补贴|项目|条例|措施|方案|公告|通告|意见|计划|规划)|上述(?:政策|规定|补贴)?|"
    r"^它|^其|这笔(?:钱|补贴|资金)?|那个(?:政策|补贴|项目)?|那项(?:政策|补贴)?")
# A name starts at the beginning, after a non-Chinese character or after a particle.
_START = r"(?:(?<![\u4e00-\u9fff\d])|(?<=[里的和与及由在对向从跟]))"
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(r"\d{4}\s*年?|“?十[一二三四五六七八九]五”?")),
    ("body", re.compile(_START + r"[\u4e00-\u9fff]{1,8}?(?:厅|局|委员会|委|办公室|办|处|中心|研究院|政府)")),
    ("document", re.compile(r"《[^《》]+》|" + _START
                            + r"[\u4e00-\u9fff]{2,10}?(?:规划|方案|意见|计划|办法|条例|通知)")),
    ("place", re.compile(r"全国|全省|全市|全区|全县|本省|本市|本区|" + _START
                         + r"[\u4e00-\u9fff]{2,6}?(?:省|自治区|市|自治州|州|盟|地区|县|区|旗|镇|街道)"
                         + r"(?![域块别场级委长])")),
)
# Attributes one asks of a subject ("那申请条件呢？"): asked of the previous topic.
_ATTRIBUTE = re.compile(r"条件|材料|标准|金额|期限|时间|流程|程序|对象|地点|地址|电话|方式|渠道|要求"
                        r"|依据|范围|费用|截止")


def resolve(question: str, history: History, analyzer: Analyzer) -> tuple[str, bool]:
    """`question` made to stand alone using the conversation, and whether it was a follow-up."""
    if not history:
        return question, False
    previous, _ = resolve(history[-1][0], history[:-1], analyzer)
    norm = normalize(question).strip()
    if _is_short_followup(norm):
        subject = new_subject(question)
        if not subject:
            return previous, True
        return _substitute(previous, subject, history), True
    pronoun = _PRONOUN.search(norm)
    if pronoun and _own_terms(norm, pronoun, analyzer) <= 2:
        topic = _topic(previous)
        return question[: pronoun.start()] + topic + question[pronoun.end():], True
    return question, False


def _is_short_followup(norm: str) -> bool:
    """Short, and leaning on the last turn: a leading 那/那么/还有/另外 or a trailing 呢."""
    if len(norm) > MAX_FOLLOWUP_CHARS:
        return False
    return bool(_LEAD.match(norm)) or bool(re.search(r"呢\s*[?？]*\s*$", norm))


def new_subject(question: str) -> str:
    """The subject a follow-up names: "那某区呢？" → "某区"."""
    return _TAIL.sub("", _LEAD.sub("", question.strip())).strip(" ，,、")


def _substitute(previous: str, subject: str, history: History) -> str:
    if len(history) > 1 and _is_short_followup(normalize(history[-1][0])):
        earlier = new_subject(history[-1][0])  # a chain: replace the subject it brought in
        if earlier and earlier in previous:
            return previous.replace(earlier, subject, 1)
    kind = _kind_of(subject)
    if kind is None and _ATTRIBUTE.search(normalize(subject)):
        return f"{_topic(previous)}的{subject}是什么？"
    for name in [kind] if kind else ["place", "body"]:
        m = dict(_KINDS)[name].search(previous)
        if m:
            return previous[: m.start()] + subject + previous[m.end():]
    return f"{subject}{previous}"


def _kind_of(subject: str) -> str | None:
    norm = normalize(subject)
    for name, pattern in _KINDS:
        if pattern.fullmatch(norm):
            return name
    return None


def _own_terms(norm: str, pronoun: re.Match[str], analyzer: Analyzer) -> int:
    """How many key terms the question has besides the pronoun and what it asks."""
    rest = norm[: pronoun.start()] + norm[pronoun.end():]
    asked = r"部门|单位|负责|申请|条件|时间|期限|材料|标准|多少|金额|哪里|流程|文件|文号|截止|有效"
    return sum(1 for t in analyzer.terms(rest) if not re.fullmatch(asked, t.text))


def _topic(previous: str) -> str:
    """The subject of the previous question: without its question words and what it asked."""
    norm = normalize(previous)
    text = re.sub(r"[?？!！。\s]+$", "", norm)
    text = re.sub(r"(?:的)?(?:标准|金额|条件|期限|时间)?(?:是|为|有)?"
                  r"(?:多少|什么|哪些|哪几[个项条]?|如何|怎么样|怎样|谁|吗|呢)(?:钱|时候|部门|单位)?$", "", text)
    text = re.sub(r"^(请问|我想知道|想问一下|想问)", "", text).strip(" ,，、")
    # Keep the source's characters (traditional stays traditional).
    return previous.strip()[: len(text)] if text and normalize(previous.strip()[: len(text)]) == text else text
