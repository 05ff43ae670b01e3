"""Comparison questions ("A和B分别…", "各自的要求", "哪个高") are answered document by document.

A question that compares what two documents say needs a passage from each; ranked retrieval
over the whole corpus tends to fill its top hits from whichever document matches best. So we
find the documents the question names (by the distinctive words of their titles, types and
issuers), retrieve within each, and let the answerer answer each part on its own.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from assistant.cite import marker_numbers, renumber_markers
from assistant.types import Answer, Citation
from index.normalize import normalize
from index.types import Document

_COMPARE = re.compile(
    r"分别|各自|各是|各为|各有|哪个(?:更)?(?:高|低|多|少|大|小|早|晚|快|严)|相比|对比|比较|区别|异同|不同之处"
    r"|[和与跟同].{1,24}比"
)
# With one document named, a comparison needs a second subject — a place or level — set against
# it ("自治区层面和康巴什区分别…", "和康巴什区的比"); "平台、企业分别要达到多少" and "牵头和
# 责任单位分别是谁" ask about one document.
_TWO_SUBJECTS = re.compile(
    r"(?:自治区|全区|国家|全国|省|市|盟|区|旗|县|层面|级)[^,，?？]{0,6}[和与跟同及][^,，?？]{1,24}?(?:分别|各自|各是|各为|比)|"
    r"[和与跟同及][^,，?？]{0,6}(?:自治区|全区|国家|全国|省|市|盟|区|旗|县|层面|级)[^,，?？]{0,18}?(?:分别|各自|各是|各为|比)|"
    r"哪个(?:更)?(?:高|低|多|少|大|小|早|晚|快|严)|相比|对比|比较|区别|异同|不同之处")
_NOISE = re.compile(r"[\s\W\d_]+|年|的")
MIN_SHARE = 0.34  # a document is named when it scores this share of the best-named document


def is_comparison(question: str) -> bool:
    return bool(_COMPARE.search(normalize(question)))


def _bigrams(text: str) -> set[str]:
    t = _NOISE.sub("", normalize(text))
    return {t[i : i + 2] for i in range(len(t) - 1)}


def _names(doc: Document) -> set[str]:
    """Bigrams a person might use to name a document: its title and type.

    Issuers are left out: a place or body in an issuer's name is as often the topic asked
    about (鄂尔多斯…) as a way of naming the document.
    """
    return _bigrams(doc.title) | _bigrams(doc.doc_type or "")


def named_documents(question: str, documents: Sequence[Document], *, min_shared: int = 1) -> list[Document]:
    """Documents the question refers to, strongest first (words shared by many titles count little).

    `min_shared` is how many of a title's rare character pairs the question must share: one
    is enough to tell compared documents apart, two (康巴|巴什) to say a question is about one.
    """
    if len(documents) < 2:
        return []
    names = {d.doc_id: _names(d) for d in documents}
    df = Counter(g for grams in names.values() for g in grams)
    # Only words rare among titles name a document; "自治区" in many titles names none.
    rare = max(1, len(documents) // 10)
    idf = {g: math.log(len(documents) / n) if n <= rare else 0.0 for g, n in df.items()}
    asked = _bigrams(question)
    scored = []
    for d in documents:
        shared = [g for g in names[d.doc_id] & asked if idf[g] > 0]
        if len(shared) >= min_shared:
            scored.append((sum(idf[g] for g in shared), d))
    if not scored:
        return []
    best = max(w for w, _ in scored)
    return [d for w, d in sorted(scored, key=lambda x: -x[0]) if w >= MIN_SHARE * best]


def comparison_scopes(question: str, documents: Sequence[Document]) -> list[tuple[str, tuple[str, ...]]] | None:
    """(question for the part, doc ids) per part, or None when this is not a comparison.

    With two or more documents named, each is a part. With one, set against a second subject,
    the other part is every other document ("自治区的目标和康巴什区的比" names only the second).
    """
    if not is_comparison(question):
        return None
    named = named_documents(question, documents)[:3]
    if len(named) >= 2:
        groups = [[d] for d in named]
    elif len(named) == 1 and len(documents) > 1 and _TWO_SUBJECTS.search(normalize(question)):
        groups = [named, [d for d in documents if d.doc_id != named[0].doc_id]]
    else:
        return None
    part = scoped_question(question, named, documents)
    return [(part, tuple(d.doc_id for d in group)) for group in groups]


def scoped_question(question: str, named: Sequence[Document], documents: Sequence[Document]) -> str:
    """The question for one part, without the words that name the compared documents.

    The scope already says which document a part is about; "赋能方案和康巴什规划各自的要求"
    becomes "各自的要求" plus its subject, so each part is judged on its subject alone. Only
    words distinctive of one document's name go: "科技", in many titles, is a topic word.
    """
    df = Counter(g for d in documents for g in _names(d))
    names = {g for d in named for g in _names(d) if df[g] == 1}
    norm = normalize(question)
    drop = [False] * len(norm)
    for i in range(len(norm) - 1):
        if norm[i : i + 2] in names:
            drop[i] = drop[i + 1] = True
    stripped = "".join(ch for ch, d in zip(question, drop, strict=True) if not d)
    return stripped if len(_NOISE.sub("", stripped)) >= 4 else question


def merge_answers(question: str, parts: Sequence[Answer]) -> Answer:
    """One answer from per-document answers, markers renumbered; refused only if all are."""
    answered = [p for p in parts if not p.refused]
    if not answered:
        return parts[0]
    texts: list[str] = []
    citations: list[Citation] = []
    notices: list[str] = []
    flagged: list[str] = []
    for part in answered:
        offset = len(citations)
        mapping = {n: n + offset for n in marker_numbers(part.text)}
        texts.append(renumber_markers(part.text, mapping))
        citations += [replace(c, number=c.number + offset) for c in part.citations]
        notices += [n for n in part.notices if n not in notices]
        flagged += list(part.flagged)
    return replace(answered[0], question=question, text="\n\n".join(texts), citations=tuple(citations),
                   notices=tuple(notices), flagged=tuple(flagged), closest=())
