"""How well a question's key terms occur in a passage (compact, normalised text).

A term matches exactly, or as a word texts use for the same thing (比例/比重/占比, 高企/高新技术
企业, a department's short form — `index.analysis.vocabulary`), or loosely: with a character or
two inserted (科技馆 in 科技场馆), or with one character mistyped (科创版 for 科创板).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from index.analysis import Term, vocabulary

_CJK = re.compile(r"[\u4e00-\u9fff]+")


def term_match(term: str, text: str) -> float:
    """1 exact or as an alternative word, 0.7 with up to two characters inserted, 0.6 with one
    character mistyped, else half the share of its character pairs present."""
    if term in text or any(alt in text for alt in vocabulary().alternatives(term)):
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


def coverage(terms: Sequence[Term], text: str) -> float:
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
    """`term` with any one character different; for 4+ characters also without its last one."""
    forms = [term, term[:-1]] if len(term) >= 4 else [term]
    options = [re.escape(f[:i]) + r"[\u4e00-\u9fff]" + re.escape(f[i + 1 :]) for f in forms for i in range(len(f))]
    return re.compile("|".join(options))
