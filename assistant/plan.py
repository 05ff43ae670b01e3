"""Understand a question once: the plan every later step reads.

`make_plan(question, history, catalogue)` turns a question, the conversation so far and the
catalogue of indexed documents into a `Plan`: the standalone question (follow-ups resolved),
what is asked (a figure and its kind, a date, a 文号, a responsible unit, a list, a yes/no, a
comparison, a document's particulars), the documents it names (and names the corpus lacks), its
weighted key terms, the years it names, and its parts when it asks several things. Retrieval,
the extractive answerer, the ledger, the refusal model and the LLM prompt all take the plan;
none of them looks at the question's words again. Question patterns are general knowledge of
how Chinese questions ask (多少, 哪些, 谁负责, 什么时候…), held in this module only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from assistant.catalogue import Catalogue, named_in
from assistant.followup import resolve
from index.analysis import Analyzer, Term, default_analyzer
from index.normalize import detect_script, normalize
from index.types import Script

History = Sequence[tuple[str, str]]

# What a question asks for, by its question words (normalised, simplified text).
KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("unit", re.compile(
        r"谁负责|谁来负责|负责单位|责任单位|责任部门|牵头|谁承办|承办(?:部门|单位|处室)|哪个部门|哪些部门|哪个处室|"
        r"哪个单位|哪些单位|由谁|主管部门|(?:什么|哪个|哪些)(?:机构|机关|单位).{0,3}(?:负责|办理|受理|审核|管)|找谁|向谁|"
        r"去哪里?(?:办|申请|咨询)|在哪里?(?:办|申请|咨询)")),
    ("date", re.compile(
        r"什么时候|何时|哪天|哪一天|日期|时间|哪一年|哪年|几月|几号|期限|管到|截止|有效期|多久|多长时间|起止|时限")),
    ("doc_number", re.compile(r"文号|发文字号|文件编号|文件号|发文号|令号|字号")),
    ("list", re.compile(r"哪些|哪几|包括什么|包含什么|都有|几项|几个方面"
                        r"|哪[两三四五六七八九十\d]+(?:个|项|条|类|种|样)")),
    ("figure", re.compile(
        r"多少|(?<!哪)几(?:个|项|家|人|件|名|所|座|倍|成|年|岁|天|月)|比例|比重|占比|百分之|增速|增幅|强度|金额|额度|"
        r"标准是|目标是|目标值|多大|多高|多长|多少钱|几块|几万|(?:哪些|什么)(?:具体|量化)?(?:指标|目标)")),
    ("yesno", re.compile(r"吗[?？]?\s*$|吗[?？,，。]|是否|有没有|能不能|可不可以|是不是|会不会|可以.{0,12}吗")),
)
# The kind of figure asked for, when the question says: the units a stated figure must carry.
FIGURE_KINDS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("share", re.compile(r"(?:多少|几成|几)(?:的)?(?:比例|百分比)|比例(?:是|为|有)?多少|百分之几"
                         r"|占.{0,12}?(?:多少|几成)|多少%"),
     r"%|％|百分之|[一二三四五六七八九]成"),
    ("money", re.compile(r"多少钱|(?:奖励|补助|补贴|资助|资金|经费|金额|额度|津贴|标准|费用|租金|工资|收入)"
                         r"(?:是|有|能拿|给|一共)?多少|多少(?:万|亿)?元|拿多少|几块|几万"),
     r"[万亿千百]?元|万|亿|块"),
    ("organisations", re.compile(r"(?:多少|几)家"), r"家"),
    ("people", re.compile(r"(?:多少|几)(?:个)?(?:人|名|位)"), r"人|名|位"),
    ("items", re.compile(r"(?:多少|几)项"), r"项"),
    ("age", re.compile(r"多少岁|几岁|年龄"), r"岁|周岁"),
    ("duration", re.compile(r"多久|多长时间|几年|几个月|几天"), r"年|个月|月|天|日|工作日"),
)
# Document particulars (answered from metadata): field → how a question asks for it.
_WHEN = r"(?:哪天|哪一天|何时|什么时候|什么时间|哪年哪月|几月几[日号])"
FIELD_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("doc_number", re.compile(r"文号|发文字号|文件编号|文件号|发文号")),
    ("written_date", re.compile(
        rf"成文|落款|(?:签发|签署|印发|答复)(?:日期|时间)|{_WHEN}(?:印发|签发|签署|答复)|"
        # the date a document of a kind bears ("公报日期", "批复的日期")
        rf"(?<![发网])(?:公报|通知|批复|复函|答复|决定|意见|通告|公告)的?(?:日期|落款日期)|"
        rf"(?:印发|签发|签署|答复)(?:于|是在|的时间是)?{_WHEN}|"
        # a law or regulation is dated by the session that adopted it ("哪天通过")
        rf"(?:审议)?通过(?:日期|时间)|{_WHEN}(?:审议)?通过(?:的|$|[,，、?？])|(?:审议)?通过于")),
    ("published_date", re.compile(
        rf"(?:发布|公布|公开|挂网)(?:日期|时间)|{_WHEN}(?:发布|公布|公开|挂网|上网)|(?:发布|公布|公开)(?:于|是在)?{_WHEN}")),
    ("effective_date", re.compile(
        rf"(?:施行|实施|生效)(?:日期|时间)|(?:从|自)?{_WHEN}(?:开始|起)?(?:施行|实施|生效)|(?:施行|实施|生效)于")),
    ("issuer", re.compile(
        r"发文机关|发文单位|印发单位|发文部门|发布(?:单位|机关|机构|部门)|信息来源|"
        r"(?:哪|什么)[个几两三四些]?个?(?:部门|单位|机关|机构)(?:联合)?(?:印发|发布|制定|出台|发)的"
        r"|谁(?:印发|发布|制定|发)的")),
    ("proposer", re.compile(r"提案人|谁提的|谁提出的|哪位委员|提案者")),
    ("signer", re.compile(r"签发人|谁签发|签发的?是谁|签发者")),
    ("office", re.compile(r"承办(?:部门|单位|处室)|哪个处室|哪个处(?!理)|什么处室|谁承办|哪个部门承办")),
    ("contact", re.compile(r"联系人")),
    ("phone", re.compile(r"联系电话|电话")),
    ("validity", re.compile(r"有效性|是否(?:还|仍然?)?有效|还有效|仍有效|(?:是否|有没有|已经?)(?:失效|废止)"
                            r"|(?:失效|废止)了?(?:吗|没有?)")),
)
_COMPARE = re.compile(
    r"分别|各自|各是|各为|各有|哪个(?:更)?(?:高|低|多|少|大|小|早|晚|快|严)|相比|对比|比较|区别|异同|不同之处|[和与跟同].{1,24}比")
_WANTS_ITEMS = re.compile(
    r"哪几|几(?:项|个方面|条|点)|哪些(?:工作|措施|任务|方面|举措|原则|目标|重点|材料|条件|类别|情形)|"
    r"哪[两三四五六七八九十\d]+(?:个|项|条|类|种|样)")
# A term quoted to ask what it means ("「甲计划」是什么意思", "两部法规都提到“三百万元”，意思一样吗").
_QUOTED = re.compile(r"[「“『\"]([^」”』\"]{3,30})[」”』\"]")
_MEANING = re.compile(r"什么意思|意思一样|意思相同|含义|是指什么|指的是什么|怎么理解")
# One thing asked for by name, ending the question ("主管机关是哪个单位", "是哪位领导").
_WANTS_ONE = re.compile(r"是哪(?:个|一个|位|家|一家)[^些]{0,6}$")
_WANTS_DOCUMENTS = re.compile(
    r"(?:在|从)哪(?:些|几份|几个)(?:政策)?文件|哪(?:些|几份|几个)(?:政策)?文件[里中都]?.{0,6}"
    r"(?:要求|提到|提出|涉及|规定|明确|部署|落实|利用|讲到|说到|写了|有规定)")
QUESTION_WORD = re.compile(r"多少|什么|哪|怎么|怎样|如何|吗|谁|(?<!哪)几|是否|有没有|能否|何时|多久")
CLAUSE_BREAK = re.compile(r"[?？!！。;；,，]")
# A year: four digits followed by 年, a range dash or 至/到, or standing alone — not an
# amount ("2001万美元", "2000元", "2010.5") or a part of a longer number.
YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.%％]"
                  r"|\s*(?:万|亿|千|百|元|美元|个|人|家|项|名|件|户|次|吨|亩|平方|米|公里|分))")
_ACTUAL = re.compile(r"实际|真正|最终|已经|(?:建成|完成|达到|实现|落实|取得|引进|培育)了|建成没|完成没"
                     r"|有没有(?:建成|完成|达到)")
_YEAR_RANGE = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*[-—–~～至到]+\s*((?:19|20)\d{2})")
# The ordinal of a five-year plan, 三 to 十九, as it is written in "十四五"; only before 规划,
# 时期, 期间, 末 or in quotation marks (a bare 十五 is a number).
_PLAN_NUMBERS = ("三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六",
                 "十七", "十八", "十九")
_FIVE_YEAR_PLAN = re.compile(r"(十[一二三四五六七八九]|[三四五六七八九十])五(?:[”\"']|规划|时期|期间|末)")
# Years counted from a stated one (今年（2026年）…比去年).
_RELATIVE_YEARS = (("去年", -1), ("上年", -1), ("上一年", -1), ("前年", -2), ("明年", 1), ("下一年", 1))
MAX_PARTS = 4
SHORT_PART_TERMS = 2  # a part with this many key terms or fewer takes the question's documents, place, year


@dataclass(frozen=True)
class Plan:
    """What a question asks, understood once (see the module docstring)."""

    question: str  # as asked
    standalone: str  # follow-ups resolved against the conversation
    normalized: str  # `standalone`, normalised
    script: Script  # the script of `question`: the answer is written in it
    kinds: tuple[str, ...]  # what is asked, primary first: unit/date/doc_number/list/figure/yesno; ("fact",)
    figure: str | None = None  # the kind of figure asked (share, money, …)
    figure_units: str | None = None  # a pattern of the units such a figure carries
    fields: tuple[str, ...] = ()  # document particulars asked (doc_number, written_date, issuer…)
    only_fields: bool = False  # every clause that asks something asks a particular
    terms: tuple[Term, ...] = ()
    focus: tuple[str, ...] = ()  # per clause, the key term right before the question word
    years: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # place names the question gives (长沙, 某某区)
    actual: bool = False  # asks what was achieved (实际建成了多少), not what was planned
    documents: tuple[str, ...] = ()  # ids of the documents the question names
    missing: tuple[str, ...] = ()  # names and numbers it gives that no indexed document has
    comparison: bool = False
    wants_items: bool = False  # the items of a structure (哪几项工作, 几个方面)
    wants_one: bool = False  # one thing by name (是哪个单位): the best sentence, not more like it
    meaning_of: tuple[str, ...] = ()  # the quoted terms whose meaning is asked (「甲计划」是什么意思)
    wants_documents: bool = False  # which documents say something
    parts: tuple[Plan, ...] = ()  # sub-questions of a question that asks several things
    dropped_parts: int = 0  # sub-questions beyond the planner's max_parts, not retrieved apart
    followup: bool = False  # resolved against the conversation
    topic: str = ""  # the question without its question words, for messages

    def asks(self, kind: str) -> bool:
        return kind in self.kinds

    @property
    def wants_figure(self) -> bool:
        return self.asks("figure")

    @property
    def contrasted(self) -> frozenset[str]:
        """The documents a later part of a comparison names when its first part names none
        ("全区的目标和甲区的目标各是多少"): the parts naming none are about something else, so
        other documents answer them. Empty when the first part names the document: that is the
        frame every listed subject shares ("某计划里A、B、C分别是多少")."""
        if not self.comparison or len(self.parts) < 2 or self.parts[0].documents:
            return frozenset()
        return frozenset(d for part in self.parts[1:] for d in part.documents)


@dataclass
class Planner:
    """Makes plans against one catalogue (rebuilt when the index changes)."""

    catalogue: Catalogue
    analyzer: Analyzer = field(default_factory=default_analyzer)
    max_parts: int = MAX_PARTS  # each part costs a retrieval: a question of a hundred parts gets this many

    def plan(self, question: str, history: History = ()) -> Plan:
        """The plan of `question` (any script), with follow-ups resolved from `history`."""
        standalone, followup = resolve(question, history, self.analyzer)
        plan = self._analyse(question, standalone)
        parts = _parts(plan.normalized, self.analyzer)
        if len(parts) > 1:
            # A part keeps what the whole question gives and it does not: the documents named,
            # the place and the year ("某市的助餐补贴多少？要什么条件？").
            # A short part ("电话多少？") leans on the rest; a full one stands alone.
            subs = [self._analyse(p, p) for p in parts[: self.max_parts]]
            # ...and the subject the question opened with (its first part up to the question word),
            # at half weight ("联席会议有哪些成员？多久开一次会？").
            opening = subs[0].normalized
            asked = QUESTION_WORD.search(opening)
            subject = tuple(Term(t.text, t.weight / 2)
                            for t in self.analyzer.terms(opening[: asked.start()] if asked else opening))
            plan = replace(plan, dropped_parts=max(0, len(parts) - self.max_parts), parts=tuple(
                s if len(s.terms) > SHORT_PART_TERMS else
                replace(s, documents=s.documents or plan.documents, places=s.places or plan.places,
                        years=s.years or plan.years, actual=s.actual or plan.actual,
                        terms=_with_terms(s.terms, subject))
                for s in subs))
        return replace(plan, followup=followup)

    def _analyse(self, question: str, standalone: str) -> Plan:
        norm = normalize(standalone).strip()
        kinds = tuple(name for name, pattern in KIND_PATTERNS if pattern.search(norm)) or ("fact",)
        figure, units = next(((k, u) for k, p, u in FIGURE_KINDS if p.search(norm)), (None, None))
        fields = _fields(norm)
        naming = named_in(norm, self.catalogue, self.analyzer.places(norm))
        return Plan(
            question=question,
            standalone=standalone,
            normalized=norm,
            script=detect_script(question),
            kinds=kinds,
            figure=figure,
            figure_units=units,
            fields=fields,
            only_fields=bool(fields) and _only_fields(norm),
            terms=self.analyzer.terms(norm),
            focus=_focus(norm, self.analyzer),
            years=_years(norm),
            places=self.analyzer.places(norm),
            actual=bool(_ACTUAL.search(norm)),
            documents=naming.documents,
            missing=naming.missing,
            comparison=bool(_COMPARE.search(norm)),
            wants_items=bool(_WANTS_ITEMS.search(norm)),
            wants_one=bool(_WANTS_ONE.search(norm)),
            meaning_of=tuple(_QUOTED.findall(norm)) if _MEANING.search(norm) else (),
            wants_documents=bool(_WANTS_DOCUMENTS.search(norm)),
            topic=topic_of(norm),
        )


def _with_terms(terms: tuple[Term, ...], more: Sequence[Term]) -> tuple[Term, ...]:
    """`terms` followed by those of `more` it lacks."""
    have = {t.text for t in terms}
    return terms + tuple(t for t in more if t.text not in have)


@cache
def period_years(text: str) -> frozenset[str]:
    """Every year a (normalised) title covers: the years it states, the years between the two
    ends of a range ("(2023—2025年)") and the years of a five-year plan it names ("十四五"
    规划 → 2021–2025)."""
    years = {int(y) for y in YEAR.findall(text)}
    for a, b in _YEAR_RANGE.findall(text):
        if int(a) < int(b) <= int(a) + 20:
            years.update(range(int(a), int(b) + 1))
    for m in _FIVE_YEAR_PLAN.finditer(text):
        n = _PLAN_NUMBERS.index(m.group(1)) + 3
        start = 1966 + 5 * (n - 3)  # the 3rd plan began in 1966, after the 1963–65 adjustment
        years.update(range(start, start + 5))
    return frozenset(str(y) for y in years)


def _years(norm: str) -> tuple[str, ...]:
    """The years a question names: those it states, and those it counts from the first of them
    ("2026年…比去年" also asks 2025)."""
    years = list(dict.fromkeys(YEAR.findall(norm)))
    if years:
        base = int(years[0])
        for word, step in _RELATIVE_YEARS:
            if word in norm and str(base + step) not in years:
                years.append(str(base + step))
    return tuple(years)


def _fields(norm: str) -> tuple[str, ...]:
    asked = [name for name, pattern in FIELD_PATTERNS if pattern.search(norm)]
    if "contact" in asked and "phone" not in asked:
        asked.insert(asked.index("contact") + 1, "phone")
    return tuple(asked)


def _asks(clause: str) -> bool:
    """Whether a clause asks something: a question word, a particular or a kind of answer
    ("…的施行日期", "申报截止时间")."""
    return bool(QUESTION_WORD.search(clause) or _fields(clause)
                or any(p.search(clause) for name, p in KIND_PATTERNS if name not in ("list", "yesno")))


def _only_fields(norm: str) -> bool:
    """Whether every clause that asks something asks for a document particular."""
    asking = [c for clause in CLAUSE_BREAK.split(norm) for c in _split_asking(clause) if _asks(c)]
    return bool(asking) and all(_fields(c) for c in asking)


# Verbs that say what is asked of an actor, not about what: in "公安机关负责哪些事" the focus
# is the actor 公安机关.
_PREDICATES = frozenset({"负责", "承担", "主管", "牵头", "包括", "包含", "涉及"})


def _focus(norm: str, analyzer: Analyzer) -> tuple[str, ...]:
    """Per clause that asks something, the last key term before its question word
    ("目标完成得怎么样" → 完成): a passage that never mentions it rarely answers."""
    out = []
    for clause in CLAUSE_BREAK.split(norm):
        m = QUESTION_WORD.search(clause)
        if m:
            before = [t for t in analyzer.terms(clause[: m.start()]) if t.text not in _PREDICATES]
            if before:
                out.append(before[-1].text)
    return tuple(dict.fromkeys(out))


def _parts(norm: str, analyzer: Analyzer) -> list[str]:
    """The sub-questions of a question asking several things ("A是多少？B呢？", "…是谁，…是哪天"):
    split at sentence ends, and at commas between clauses that each ask; each part must have
    words of its own."""
    out: list[str] = []
    for sentence in re.split(r"[?？!！。;；]+", norm):
        clauses = [c for c in _split_asking(sentence) if c.strip()]
        current = ""
        for clause in clauses:
            if current and _asks(current) and _asks(clause):
                out.append(current)
                current = clause
            else:
                current = f"{current},{clause}" if current else clause
        if current.strip():
            out.append(current)
    asking = [p.strip() for p in out if _asks(p) and analyzer.terms(p)]
    asking = [e for p in asking for e in _enumerated(p)]
    return asking if len(asking) > 1 else []


def _split_asking(sentence: str) -> list[str]:
    """`sentence` cut at commas, and at each 、 between two pieces that hold a question word
    ("哪天通过、哪天施行"); a 、 inside a list of subjects ("A、B各多少") stays."""
    out: list[str] = []
    for clause in re.split(r"[,，]", sentence):
        pieces = clause.split("、")
        current = pieces[0]
        for piece in pieces[1:]:
            if QUESTION_WORD.search(current) and QUESTION_WORD.search(piece):
                out.append(current)
                current = piece
            else:
                current = f"{current}、{piece}"
        out.append(current)
    return out


# "A、B和C各是多少" / "A与B分别是多少": subjects listed before 各/分别 and the question.
_ENUMERATED = re.compile(r"^(?P<items>[^,，]+?)(?P<ask>(?:各|分别|各自)[^、]*)$")


def _enumerated(clause: str) -> list[str]:
    """A clause asking the same of several listed subjects, one part per subject."""
    # Only the last comma clause lists the subjects ("家里有…，A和B分别是多少").
    head, _, clause = clause.rpartition(",") if "," in clause else ("", "", clause)
    m = _ENUMERATED.match(clause)
    if not m or not QUESTION_WORD.search(m.group("ask")):
        return [f"{head},{clause}" if head else clause]
    items = [i.strip() for i in re.split(r"、|以及|和|与|及", m.group("items")) if i.strip()]
    if len(items) < 2 or any(len(i) < 2 for i in items):
        return [clause]
    # A head the listed subjects share ("甲省和乙市的CPI"): the last one's words after its 的.
    head = items[-1][items[-1].rindex("的"):] if "的" in items[-1] and not any("的" in i for i in items[:-1]) else ""
    ask = re.sub(r"^(?:各自|各|分别)", "", m.group("ask"))
    return [f"{item}{'' if item.endswith(head) else head}{ask}" for item in items]


def topic_of(norm: str) -> str:
    """The question's subject for a message: trailing question words and lead-ins removed."""
    text = re.sub(r"[?？!！。\s]+$", "", norm)
    text = re.sub(r"(是)?(多少|什么|哪些|哪几[个项条]?|如何|怎么样|怎样|谁|吗|呢|有没有)$", "", text)
    text = re.sub(r"^(请问|我想知道|想问一下|想问)", "", text)
    return text.strip(" ,，、") or norm
