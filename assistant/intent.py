"""Question analysis for the extractive answerer: what is asked for, and the key terms.

`analyze(question)` reads the normalised (simplified, half-width) question and returns the
kinds of thing it asks for (a question may ask several: "谁签发？哪个处室承办？"), its key terms
(jieba words without stop-words and question words, with jieba IDF weights so that 发展 counts
less than 发明专利), the document titles it names in 《》, and a short topic for messages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from assistant.vocabulary import abbreviations, alternatives
from index.normalize import detect_script, normalize
from index.types import Script

Intent = Literal["responsible", "date", "list", "amount", "entity", "yesno", "fact"]

# Checked in this order; the first that matches is the primary intent. Patterns run on the
# normalised (simplified) question.
_PATTERNS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    ("responsible", re.compile(
        r"谁负责|谁来负责|负责单位|责任单位|责任部门|牵头|谁承办|承办(?:部门|单位|处室)|哪个部门|"
        r"哪些部门|哪个处室|哪个单位负责|由谁|谁签发|签发人|联系人|主管部门|(?:哪些|哪个|什么)单位.{0,3}负责")),
    ("date", re.compile(
        r"什么时候|何时|哪天|哪一天|日期|时间|文号|发文字号|哪一年|哪年|几月|几号|期限|"
        r"管到|截止|有效期|成文")),
    ("list", re.compile(r"哪些|哪几|有什么|有啥|包括什么|包含什么|都有|几项工作|几个方面|分别|"
                        r"哪[两三四五六七八九十\d]+(?:个|项|条|类|种|样)")),
    ("amount", re.compile(
        r"多少|(?<!哪)几(?:个|项|家|人|件|名|所|座|倍|成)|比例|比重|占比|百分之|增速|增幅|强度|"
        r"金额|额度|标准是|目标是|目标值|奖励|补助|资助|多大|多高|多长")),
    ("entity", re.compile(
        r"依托|依靠|哪个机构|什么机构|哪(?:个|家|所|份|项)|什么(?:协议|文件|机构|单位|平台)|"
        r"哪里|叫什么|是谁|谁")),
    ("yesno", re.compile(r"吗[?？]?\s*$|吗[?？,，。]|是否|有没有|能不能|可不可以|是不是|会不会")),
)

# Question words, particles and filler: never key terms.
_STOP_WORDS = """的 地 得 了 着 过 是 在 和 与 及 或 吗 呢 吧 啊 呀 有 为 对 由 把 被 将 等 之 其 所 以 于 从
    到 向 给 让 使 哪 哪些 哪个 哪几 哪几个 哪几项 哪一年 哪年 什么 啥 多少 怎么 怎样 怎么样 如何
    是否 是不是 有没有 能不能 可不可以 几 几个 谁 请问 一下 我们 我 你 您 他们 它 这 那 这些 那些
    这个 那个 有哪些 都 也 还 就 又 要 会 能 可以 可 想 知道 问 一 个 当时 主要 大概 大约 具体
    各自 各 分别 里 里面 中 方面 这块 那块 之间 情况 什么样 样 定 呢 么 那么 还有 另外 以及 讲 说
    了解 告诉 时候 一些 有关 关于 相关 目前 现在 不能 能否 打算 准备 答应 哪些方面 哪方面"""
_STOP = frozenset(_STOP_WORDS.split())
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_TITLE = re.compile(r"《([^《》]{2,80})》")
_QUOTED = re.compile(r"[“\"「]([^”\"」]{1,20})[”\"」]")
QUESTION_WORD = re.compile(r"多少|什么|哪|怎么|怎样|如何|吗|谁|(?<!哪)几|是否|有没有|能否")
CLAUSE_BREAK = re.compile(r"[?？!！。;；,，]")
_WANTS_NUMBER = re.compile(r"多少|(?<!哪)几(?:个|项|家|人|件|名|所|座|倍|成|年)|百分之几|占比|比例是|比重是")
_WANTS_ITEMS = re.compile(
    r"哪几|几(?:项|个方面|条|点)|哪些(?:工作|措施|任务|方面|举措|原则|目标|重点)|"
    r"哪[两三四五六七八九十\d]+(?:个|项|条|类|种|样)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
# "Which documents say X" — not "which documents are there" (都有哪些文件).
_WANTS_DOCUMENTS = re.compile(
    r"(?:在|从)哪(?:些|几份|几个)(?:政策)?文件|哪(?:些|几份|几个)(?:政策)?文件[里中都]?.{0,6}"
    r"(?:要求|提到|提出|涉及|规定|明确|部署|落实|利用|讲到|说到|写了|有规定)")
_CJK = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Term:
    """A key term of a question and how much it tells (jieba IDF; unknown words count high)."""

    text: str
    weight: float


@dataclass(frozen=True)
class QuestionAnalysis:
    """What a question asks for and the words an answer must be about."""

    question: str
    normalized: str
    script: Script
    intents: tuple[Intent, ...]  # primary first; ("fact",) when nothing specific matched
    terms: tuple[Term, ...]
    titles: tuple[str, ...]  # document titles named in 《》, normalised, without the marks
    topic: str  # the question without question words, for "没有找到关于…的内容"
    focus: tuple[str, ...] = ()  # per clause, the key term right before the question word
    wants_number: bool = False  # asks literally for a figure (多少, 几个, 比例是多少…)
    wants_items: bool = False  # asks for the items of a structure (哪几项工作, 几个方面…)
    wants_documents: bool = False  # asks which documents say something (在哪些文件里被要求落实)
    figure: str | None = None  # the unit a figure asked for must have ("%" for 多少比例), if said
    parts: tuple[str, ...] = ()  # the sub-questions of a question that asks several things
    items: tuple[str, ...] = ()  # things one clause asks about together ("A占比、B比例是多少")
    names: tuple[str, ...] = ()  # formal document names written without 《》 (…备案管理办法(试行))
    asked: tuple[str, ...] = ()  # per clause, the key term right after the question word (哪些文件 -> 文件)
    identifiers: tuple[str, ...] = ()  # proposal numbers and 文号 the question names

    @property
    def intent(self) -> Intent:
        return self.intents[0]

    def asks(self, intent: Intent) -> bool:
        return intent in self.intents


def analyze(question: str) -> QuestionAnalysis:
    """The intents, key terms, named titles and topic of `question` (any script)."""
    norm = normalize(question).strip()
    intents = tuple(name for name, pattern in _PATTERNS if pattern.search(norm)) or ("fact",)
    titles = tuple(dict.fromkeys(t.strip() for t in _TITLE.findall(norm)))
    around = _around(norm)
    return QuestionAnalysis(
        question=question,
        normalized=norm,
        script=detect_script(question),
        intents=intents,
        terms=key_terms(norm),
        titles=titles,
        topic=_topic(norm),
        focus=tuple(dict.fromkeys(before for before, _ in around if before)),
        asked=tuple(dict.fromkeys(after for _, after in around if after)),
        wants_number=bool(_WANTS_NUMBER.search(norm)),
        wants_items=bool(_WANTS_ITEMS.search(norm)),
        wants_documents=bool(_WANTS_DOCUMENTS.search(norm)),
        figure=figure_unit(norm),
        parts=question_parts(norm),
        items=enumerated_items(norm),
        names=document_names(_TITLE.sub("", norm)),
        identifiers=tuple(m.group(0) for m in _IDENTIFIER.finditer(norm)),
    )


# The kind of figure a question asks for, when it says so: the units a stated figure must have.
_FIGURE_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:多少|几成|几)(?:的)?(?:比例|百分比)|比例(?:是|为|有)?多少|百分之几|占.{0,12}?(?:多少|几成)|多少%"),
     r"%|百分之|[一二三四五六七八九]成"),
    (re.compile(r"多少钱|(?:奖励|补助|补贴|资助|资金|经费|金额|额度)(?:是|有|能拿|给|一共)?多少|多少(?:万|亿)?元|拿多少"),
     r"[万亿千百]?元|万|亿"),
    (re.compile(r"(?:多少|几)家"), r"家"),
    (re.compile(r"(?:多少|几)(?:个)?(?:人|名|位)"), r"人|名|位"),
    (re.compile(r"(?:多少|几)项"), r"项"),
)


# A formal document name typed without 《》: a run of at least four characters, with no particle
# in it, ending in a document type ("创新联合体备案管理办法(试行)").
_DOC_NAME = re.compile(
    r"[\u4e00-\u9fff]{4,}?(?:管理办法|实施细则|实施意见|实施方案|行动计划|行动方案|若干措施|指导意见|"
    r"办法|条例|细则|规定|规划|纲要|指引)(?:\s?[(（]试行[)）])?")
_PARTICLES = re.compile(r"[的里中对在和与及按把被从向给让将是有了对于关]")
_IDENTIFIER = re.compile(
    r"第?\s*\d{3,6}\s*号\s*(?:提案|建议)|[\u4e00-\u9fff]{1,8}[〔\[【(（]\s?(?:19|20)\d{2}\s?[〕\]】)）]\s?\d{1,4}\s?号")


def document_names(norm: str) -> tuple[str, ...]:
    """Formal document names the question writes without 《》, each cut at its last particle
    ("执行创新联合体备案管理办法" keeps only what follows a particle, if any)."""
    out = []
    for m in _DOC_NAME.finditer(norm):
        name = _PARTICLES.split(m.group(0))[-1]
        if len(re.sub(r"[(（]试行[)）]", "", name)) >= 8:
            out.append(name)
    return tuple(dict.fromkeys(out))


def figure_unit(norm: str) -> str | None:
    """The units a figure answering `norm` must carry (None when the question does not say)."""
    for pattern, units in _FIGURE_KINDS:
        if pattern.search(norm):
            return units
    return None


def question_parts(norm: str) -> tuple[str, ...]:
    """The sub-questions of a question asking several things ("A是多少?B呢?", "…是谁，…是哪天").

    Split at sentence ends, and at commas between clauses that each have a question word.
    None for a single question.
    """
    out: list[str] = []
    for sentence in re.split(r"[?？!！。;；]+", norm):
        clauses = [c for c in re.split(r"[,，]", sentence) if c.strip()]
        current = ""
        for clause in clauses:
            if current and QUESTION_WORD.search(current) and QUESTION_WORD.search(clause):
                out.append(current)
                current = clause
            else:
                current = f"{current},{clause}" if current else clause
        if current.strip():
            out.append(current)
    # A part must have words of its own: "…哪个高？各是多少？" asks one thing twice.
    asking = [p.strip() for p in out if QUESTION_WORD.search(p) and key_terms(p)]
    return tuple(asking) if len(asking) > 1 else ()


def enumerated_items(norm: str) -> tuple[str, ...]:
    """The things a clause lists before its question word ("数字经济占比、科学素质比例是多少"
    -> both), each with words of its own; empty when a clause lists nothing."""
    out: list[str] = []
    for clause in CLAUSE_BREAK.split(norm):
        m = QUESTION_WORD.search(clause)
        pieces = [p for p in clause[: m.start()].split("、")] if m else []
        if len(pieces) > 1:
            out += [p for p in pieces if key_terms(p)]
    return tuple(out) if len(out) > 1 else ()


def key_terms(text: str) -> tuple[Term, ...]:
    """Key terms of `text` (normalised first): jieba words minus stop and question words.

    An unknown name stays one term (康巴什, 伊金霍洛旗: see `_merge_unknown`); other single
    characters are dropped; quoted phrases (“坚持”) are kept whole.
    """
    norm = normalize(text)
    words = _merge_unknown([t.strip() for t in _jieba().cut(norm, HMM=False)])
    words = [w for w in words if w and not _PUNCT.fullmatch(w) and w not in _STOP]
    words = [_trim(w) for w in words]
    words += [compact(q) for q in _QUOTED.findall(norm)]
    kept = dict.fromkeys(w for w in words if len(w) >= 2 or w.isdigit())
    idf = _idf()
    return tuple(Term(w, _weight(w, idf)) for w in kept)


# Characters that stand alone in a question as function words; any other run of single
# characters jieba could not place is one unknown word (a name: 康|巴|什 -> 康巴什).
_FUNCTION_CHARS = frozenset("的地得了着过是在和与及或吗呢吧啊呀有为对由把被将等之其所以于从到向给让使"
                            "哪几谁我你他它这那都也还就又要会能可想问一个里中各么样定讲说多少啥去来拿上下怎该每")


def _merge_unknown(tokens: list[str]) -> list[str]:
    """jieba's tokens with runs of unplaced single characters joined into one word.

    jieba's HMM guesses unknown words but glues on their neighbours (康巴什到 -> 康巴|什到);
    without it an unknown name falls apart into characters, which this joins back.
    """
    out: list[str] = []
    run = ""
    for tok in tokens:
        if len(tok) == 1 and "\u4e00" <= tok <= "\u9fff" and tok not in _FUNCTION_CHARS:
            run += tok
            continue
        if run:
            out.append(run)
            run = ""
        out.append(tok)
    if run:
        out.append(run)
    return out


def _trim(word: str) -> str:
    """Drop function characters left on a word (对全, 提了, 份文件, 几项)."""
    if len(word) > 1 and not word.isdigit():
        word = word.lstrip("对各份该这那几") if len(word) > 2 or word[0] in "对各份该这那几" else word
        word = word.rstrip("了是定过着的吗呢") if len(word) > 1 else word
    return word


def compact(text: str) -> str:
    """Normalised `text` without spaces and punctuation: how terms and passages are compared."""
    return _PUNCT.sub("", normalize(text)).lower()


def _weight(word: str, idf: tuple[dict[str, float], float]) -> float:
    table, median = idf
    if _NUMBER.fullmatch(word):
        return median * 0.8  # a year or a figure named in the question matters
    return table.get(word, median)


def _around(norm: str) -> list[tuple[str | None, str | None]]:
    """Per clause that asks something: the last key term before its question word (the focus:
    "目标完成得怎么样" -> 完成, "有机会去科技馆吗" -> 科技馆) and the first after it (what is
    asked for: "分了哪几个方面的行动" -> 行动).

    A passage that shares the topic but never mentions the focus rarely answers the question
    (the word after was tried as the focus too: such nouns — 要求, 题材, 机构 — are often not in
    the answer); a sentence naming several of what is asked ("…行动、…行动") is likely the list.
    """
    out: list[tuple[str | None, str | None]] = []
    for clause in CLAUSE_BREAK.split(norm):
        m = QUESTION_WORD.search(clause)
        if m:
            before, after = key_terms(clause[: m.start()]), key_terms(clause[m.end():])
            out.append((before[-1].text if before else None, after[0].text if after else None))
    return out


def _topic(norm: str) -> str:
    """The question's subject for a refusal message: trailing question words removed."""
    text = re.sub(r"[?？!！。\s]+$", "", norm)
    text = re.sub(r"(是)?(多少|什么|哪些|哪几[个项条]?|如何|怎么样|怎样|谁|吗|呢|有没有)$", "", text)
    text = re.sub(r"^(请问|我想知道|想问一下|想问)", "", text)
    return text.strip(" ,，、") or norm


@cache
def _jieba() -> Any:
    """jieba's own tokenizer instance (its dictionary loads once, on first use)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for word in abbreviations():  # 高企, 规上, 科特派: kept whole, not glued to a neighbour
        tok.add_word(word, freq=tok.suggest_freq(word, tune=False) + 1000)
    for word in ("分别", "各自", "下一步", "哪些方面"):  # not 康巴什区|分别 -> 康巴|区分|别
        tok.add_word(word, freq=10**6)
    return tok


@cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table (general Chinese text) and its median, for term weights."""
    import jieba.analyse

    loader = jieba.analyse.TFIDF().idf_loader
    return loader.idf_freq, loader.median_idf


def warm_up() -> None:
    """Load the jieba dictionary and IDF table now rather than on the first question."""
    _jieba()
    _idf()


def term_match(term: str, text: str) -> float:
    """How well `term` occurs in `text` (both `compact`): 1 exact or as a word texts use instead
    (比例/比重/占比, 高企/高新技术企业; see `assistant.vocabulary`), 0.7 with a character or two
    inserted (科技馆 in 科技场馆), 0.6 with one character mistyped (科创版 for 科创板), else half
    the share of its character bigrams present."""
    if term in text or any(alt in text for alt in alternatives(term)):
        return 1.0
    if len(term) < 2:
        return 0.0
    m = loose_pattern(term).search(text)
    if m and len(m.group(0)) <= len(term) + 2:
        return 0.7
    if len(term) < 3:
        return 0.0
    if _CJK.fullmatch(term) and _mistyped(term).search(text):
        return 0.6
    grams = [term[i : i + 2] for i in range(len(term) - 1)]
    return 0.5 * sum(g in text for g in grams) / len(grams)


def coverage(terms: tuple[Term, ...], text: str) -> float:
    """IDF-weighted share of `terms` found in `text` (compact); 0 without terms."""
    total = sum(t.weight for t in terms)
    if not total:
        return 0.0
    return sum(t.weight * term_match(t.text, text) for t in terms) / total


@cache
def loose_pattern(term: str) -> re.Pattern[str]:
    """`term` with up to two characters allowed between any two of its characters."""
    return re.compile(".{0,2}".join(map(re.escape, term)))


@cache
def _mistyped(term: str) -> re.Pattern[str]:
    """`term` with any one character different; for 4+ characters also without its last one
    (a character typed on: 特排员到)."""
    forms = [term, term[:-1]] if len(term) >= 4 else [term]
    options = [re.escape(f[:i]) + r"[\u4e00-\u9fff]" + re.escape(f[i + 1 :]) for f in forms for i in range(len(f))]
    return re.compile("|".join(options))
