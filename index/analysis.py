"""One text-analysis layer for the index and the questions: tokenizer, user dictionary, stop list.

Everything compares normalised text (`index.normalize`: simplified, half-width, plain spaces),
so a traditional question meets a simplified passage and the other way round.

- `Analyzer.tokens(text)`: what BM25 indexes and searches with — jieba's search-engine cut (long
  words also yield their sub-words: 高新技术企业 gives 高新技术 and 企业) plus the character
  bigrams of every Chinese run, so a short term matches however jieba segmented it; question
  words dropped.
- `Analyzer.terms(text)`: the key terms of a question or clause, weighted by how much they tell
  (IDF; an unknown word counts high) — jieba words without question and function words; a name
  jieba does not know stays whole (its characters would otherwise fall apart).

The dictionary is jieba's, taught the general abbreviations and department names of
`index/vocabulary/`; the stop list is one: `QUESTION_WORDS` ⊂ `STOP_WORDS`. The index and the
questions use the same analyzer, so a word is cut the same way on both sides; jieba's dictionary
loads once (~1 s) on first use.
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from index.normalize import normalize

VOCABULARY = Path(__file__).with_name("vocabulary")

def _words(listing: str) -> list[str]:
    return listing.split()


# Asking words: frequent in questions, carrying no content. BM25 drops only these (function
# words inside real phrases — 的/为/对 — are left to its IDF).
QUESTION_WORDS = frozenset(_words("""哪些 哪个 哪 什么 多少 怎么 怎样 如何 是否 吗 呢 吧 请问 有哪些 哪几 几 啥 哪里
    哪儿 多久 多长 哪一年 哪年 哪天 哪一天 何时 什么时候 是不是 有没有 能不能 可不可以 能否 多少钱 多少岁"""))
# Words that never make a key term: the asking words, particles, pronouns and filler.
STOP_WORDS = QUESTION_WORDS | frozenset(_words("""的 地 得 了 着 过 是 在 和 与 及 或 啊 呀 有 为 对 由 把 被 将 等 之
    其 所 以 于 从 到 向 给 让 使 哪几个 哪几项 怎么样 一下 我们 我 你 您 他们 它 这 那 这些 那些 这个 那个 都 也 还
    就 又 要 会 能 可以 可 想 知道 问 一 个 当时 主要 大概 大约 具体 各自 各 分别 里 里面 中 方面 这块 那块 之间
    情况 什么样 样 定 么 那么 还有 另外 以及 讲 说 了解 告诉 时候 一些 有关 关于 相关 目前 现在 不能 打算 准备
    答应 哪些方面 哪方面 规定 要求 政策 文件"""))
# Characters that stand alone in a question as function words; any other run of single
# characters jieba could not place is one unknown word (a name), joined back.
_FUNCTION_CHARS = frozenset("的地得了着过是在和与及或吗呢吧啊呀有为对由把被将等之其所以于从到向给让使"
                            "哪几谁我你他它这那都也还就又要会能可想问一个里中各么样定讲说多少啥去来拿上下怎该每")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_QUOTED = re.compile(r"[“\"「]([^”\"」]{1,20})[”\"」]")
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:省|特别行政区|自治区|自治州|市|县|旗|盟)|[\u4e00-\u9fff]{2,4}区")
_NOT_PLACE = re.compile(r"(?:社|园|城|辖|小|片|景|校|开发|新|特|市|营|禁|灾|保护|示范|试验|实验|功能|保税|自贸"
                        r"|全|本|各|该|我|辖)区$"
                        r"|^(?:全|本|各|该|我|每|城|超|设区的|县级|市级|省级)|(?:城市|都市|上市|超市|集市|门市)$")

# Words jieba may tag as places that name none (东西 "things", 国内, 各地…).
_DIRECTION_WORDS = frozenset({
    "东西", "南北", "东南", "西北", "东北", "西南", "中外", "内外", "国内", "国外", "海外", "境内", "境外",
    "本地", "当地", "外地", "各地", "城乡", "全国", "全省", "全市", "异地", "两地", "多地",
})
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


@dataclass(frozen=True)
class Term:
    """A key term and how much it tells (IDF)."""

    text: str
    weight: float


@dataclass(frozen=True)
class Vocabulary:
    """General vocabulary: symmetric word groups, abbreviations → full forms, body names → short forms."""

    groups: dict[str, frozenset[str]]
    abbreviations: dict[str, tuple[str, ...]]
    departments: dict[str, tuple[str, ...]]

    def alternatives(self, word: str) -> frozenset[str]:
        """Words a text may write instead of `word` (normalised)."""
        alts = set(self.groups.get(word, ()))
        alts.update(self.abbreviations.get(word, ()))
        for full, shorts in self.departments.items():
            if word == full:
                alts.update(shorts)
            elif word in shorts:
                alts.add(full)
                alts.update(s for s in shorts if s != word)
        return frozenset(alts - {word})


@cache
def vocabulary() -> Vocabulary:
    """The packaged vocabulary (`index/vocabulary/*.toml`), normalised."""
    terms = tomllib.loads((VOCABULARY / "terms.toml").read_text(encoding="utf-8"))
    bodies = tomllib.loads((VOCABULARY / "departments.toml").read_text(encoding="utf-8"))
    groups: dict[str, set[str]] = {}
    for group in terms.get("groups", []):
        words = {normalize(w) for w in group}
        for w in words:
            groups.setdefault(w, set()).update(words - {w})
    return Vocabulary(
        groups={w: frozenset(a) for w, a in groups.items()},
        abbreviations={normalize(k): tuple(normalize(v) for v in vs)
                       for k, vs in terms.get("abbreviations", {}).items()},
        departments={normalize(k): tuple(normalize(v) for v in vs)
                     for k, vs in bodies.get("short_forms", {}).items()},
    )


class Analyzer:
    """Tokens for BM25 and weighted key terms, from one jieba dictionary (see module docstring)."""

    def __init__(self, idf: dict[str, float] | None = None) -> None:
        self._idf = idf  # term weights; jieba's general IDF table when not given

    def _jieba(self) -> Any:
        return _base_tokenizer()

    def warm_up(self) -> None:
        """Load the dictionary, the part-of-speech table and the IDF table now rather than on first use."""
        self._jieba()
        _pos_tokenizer()
        self._idf_table()

    def places(self, text: str) -> tuple[str, ...]:
        """Place names in `text`: what jieba tags as a place (长沙, 洛阳市), and names ending in an
        administrative level it does not know (某某旗, 某某自治州, a district of three or more
        characters)."""
        norm = normalize(text)
        found = [w for w, flag in _pos_tokenizer().cut(norm)
                 if flag.startswith("ns") and len(w) >= 2 and w not in _DIRECTION_WORDS]
        for m in _PLACE.finditer(norm):
            name = _after_function_chars(m.group(0))
            if name and not _NOT_PLACE.search(name) and _names_a_place(_LEVEL.sub("", name)):
                found.append(name)
        # A piece of a longer name found ("木齐市" of 乌鲁木齐市) is not a place of its own.
        return tuple(w for w in dict.fromkeys(found) if not any(w != o and w in o for o in found))

    # ---- BM25 tokens -----------------------------------------------------------------------

    def tokens(self, text: str) -> list[str]:
        """BM25 tokens of `text` (any script), in text order."""
        norm = normalize(text).lower()
        tokens = [t for t in self._jieba().cut_for_search(norm, HMM=True) if _keep(t)]
        for run in _CJK_RUN.findall(norm):
            tokens.extend(b for i in range(len(run) - 1) if (b := run[i : i + 2]) not in QUESTION_WORDS)
        return tokens

    # ---- key terms -------------------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        """The words of `text` (normalised) with unknown names kept whole."""
        norm = normalize(text)
        return _merge_unknown([t.strip() for t in self._jieba().cut(norm, HMM=False)])

    def terms(self, text: str) -> tuple[Term, ...]:
        """Key terms of `text`: words minus stop words, function characters trimmed, quoted
        phrases kept whole; each weighted by IDF."""
        norm = normalize(text)
        words = [w for w in self.words(norm) if w and not _PUNCT.fullmatch(w) and w not in STOP_WORDS]
        words = [_trim(w) for w in words]
        words += [compact(q) for q in _QUOTED.findall(norm)]
        kept = dict.fromkeys(w for w in words if (len(w) >= 2 or w.isdigit()) and w not in STOP_WORDS)
        table, median = self._idf_table()
        return tuple(Term(w, _weight(w, table, median)) for w in kept)

    def _idf_table(self) -> tuple[dict[str, float], float]:
        if self._idf is not None:
            values = sorted(self._idf.values())
            return self._idf, values[len(values) // 2] if values else 8.0
        return _jieba_idf()


def expand(query: str) -> str:
    """`query` with the full forms of the abbreviations it uses appended (for BM25: 高企 also
    searches 高新技术企业)."""
    norm = normalize(query)
    extra = [f for abbr, full in vocabulary().abbreviations.items() if abbr in norm for f in full if f not in norm]
    return f"{query} {' '.join(dict.fromkeys(extra))}" if extra else query


def compact(text: str) -> str:
    """Normalised `text` without spaces and punctuation: how terms and passages are compared."""
    return _PUNCT.sub("", normalize(text)).lower()


def _keep(token: str) -> bool:
    token = token.strip()
    if not token or token in QUESTION_WORDS:
        return False
    return any(unicodedata.category(c)[0] in "LN" for c in token)


def _merge_unknown(tokens: list[str]) -> list[str]:
    """Tokens with runs of unplaced single characters joined into one word (a name jieba does
    not know falls apart into characters without its HMM, which would glue on neighbours)."""
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


def _weight(word: str, table: dict[str, float], median: float) -> float:
    if _NUMBER.fullmatch(word):
        return median * 0.8  # a year or a figure named in the question matters
    return table.get(word, median)


@cache
def _base_tokenizer() -> Any:
    """jieba's tokenizer with the general vocabulary taught (shared by analyzers without user words)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" chatter
    tok = jieba.Tokenizer()
    tok.initialize()
    vocab = vocabulary()
    for word in [*vocab.abbreviations, *vocab.departments,
                 *(s for shorts in vocab.departments.values() for s in shorts)]:
        tok.add_word(word, freq=tok.suggest_freq(word, tune=False) + 1000)
    for word in ("分别", "各自", "下一步", "哪些方面"):  # kept from gluing onto a neighbouring name
        tok.add_word(word, freq=10**6)
    return tok


@cache
def _pos_tokenizer() -> Any:
    """jieba's part-of-speech tagger over the same dictionary (places are tagged ns)."""
    import jieba.posseg

    return jieba.posseg.POSTokenizer(_base_tokenizer())


def _after_function_chars(span: str) -> str:
    """A level-ending span cut after its last function character ("中科院在库伦旗" → 库伦旗)."""
    cut = max((i for i, ch in enumerate(span) if ch in _FUNCTION_CHARS), default=-1)
    return span[cut + 1:]


def _names_a_place(stem: str) -> bool:
    """Whether the words before a level word can be a name: at least two characters and no
    word of two or more that is a verb, adverb or other function word ("落实" + 自治区)."""
    if len(stem) < 2:
        return False
    return not any(len(w) >= 2 and flag[:1] in ("v", "a", "d", "p", "c", "u")
                   for w, flag in _pos_tokenizer().cut(stem))


_LEVEL = re.compile(r"(?:特别行政区|经济特区|自治区|自治州|地区|省|市|县|旗|盟|区)$")


def place_stem(name: str) -> str:
    """A place without its level word (洛阳市 → 洛阳), for matching either form in a text."""
    stem = _LEVEL.sub("", normalize(name))
    return stem if len(stem) >= 2 else normalize(name)


@cache
def _jieba_idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table (general Chinese text) and its median."""
    import jieba.analyse

    loader = jieba.analyse.TFIDF().idf_loader
    return loader.idf_freq, loader.median_idf


@cache
def default_analyzer() -> Analyzer:
    """The analyzer without corpus words (tests, tools, and the index before a catalogue exists)."""
    return Analyzer()
