"""Questions about a document's own particulars, answered from its metadata and cited in place.

"哪个文号？" "落款日期是哪天？" "谁签发的？联系人是谁？" ask for a field of one document — its
文号, written (落款) or published date, issuer, or for a proposal reply its proposer, signer,
handling office, contact and phone. Ranking sentences by shared words finds these poorly: the
field's line shares almost no words with the question ("2018年11月19日"). Metadata extraction
already knows the values, so the answerer asks for the field, takes the value from the
`Document`, and cites the sentence of the source that states it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from assistant.cite import Sentence, split_sentences
from assistant.compare import named_documents
from assistant.intent import CLAUSE_BREAK, QUESTION_WORD, compact
from assistant.types import Hit
from index.metadata import DOC_NUMBER, dates_in
from index.normalize import normalize
from index.types import Chunk, Document

_WHEN = r"(?:哪天|哪一天|何时|什么时候|什么时间|哪年哪月|几月几[日号])"
# Field -> how a question asks for it (on normalised, simplified text). Order matters only for
# reading: a question may ask several fields ("谁签发？哪个处室承办，联系人是谁？").
FIELD_QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("doc_number", re.compile(r"文号|发文字号|文件编号|文件号|发文号")),
    ("written_date", re.compile(
        rf"成文|落款|(?:签发|签署|印发|答复)(?:日期|时间)|{_WHEN}(?:印发|签发|签署|答复)|"
        rf"(?:印发|签发|签署|答复)(?:于|是在|的时间是)?{_WHEN}")),
    ("published_date", re.compile(
        rf"(?:发布|公布|公开|挂网)(?:日期|时间)|{_WHEN}(?:发布|公布|公开|挂网|上网)|"
        rf"(?:发布|公布|公开)(?:于|是在)?{_WHEN}")),
    ("issuer", re.compile(
        r"发文机关|发文单位|印发单位|发文部门|发布(?:单位|机关|机构|部门)|信息来源|"
        r"(?:哪个|什么)(?:部门|单位|机关|机构)(?:印发|发布|制定|出台|发)的|谁(?:印发|发布|制定|发)的")),
    ("proposer", re.compile(r"提案人|谁提的|谁提出的|哪位委员|提案者")),
    ("signer", re.compile(r"签发人|谁签发|签发的?是谁|签发者")),
    ("office", re.compile(r"承办(?:部门|单位|处室)|哪个处室|哪个处(?!理)|什么处室|谁承办|哪个部门承办")),
    ("contact", re.compile(r"联系人")),
    ("phone", re.compile(r"联系电话|电话")),
    ("validity", re.compile(r"有效性|是否(?:还|仍然?)?有效|还有效|仍有效|失效|废止")),
)
# What the answer calls each field when the quoted line does not name it itself.
FIELD_NAMES = {
    "doc_number": "文号", "written_date": "成文日期", "published_date": "发布日期", "issuer": "发文机关",
    "proposer": "提案人", "signer": "签发人", "office": "承办部门", "contact": "联系人",
    "phone": "联系电话", "validity": "有效性",
}
# Labels a source puts before each field; a sentence holding one is preferred to a mention.
_LABELS = {
    "doc_number": r"文号|发文字号",
    "written_date": r"成文日期",
    "published_date": r"发布日期|发布时间|发布于",
    "issuer": r"发文机关|发布机构|来源",
    "signer": r"签\s*发\s*人",
    "office": r"承办部门|承办处室",
    "contact": r"联\s*系\s*人",
    "phone": r"联系电话",
    "validity": r"有效性",
}
_FIELD_SPLIT = re.compile(r"\s+(?=[^\s:：\d][^\s:：]{1,7}\s*[:：])")  # "发文机关: X  成文日期: Y"
_PROPOSAL_NO = re.compile(r"第?\s*(\d{2,6})\s*号?\s*(?:提案|建议)")


@dataclass(frozen=True)
class FieldQuote:
    """Where a document states one of its fields: a hit-like chunk and the sentence in it."""

    field: str
    chunk: Chunk
    sentence: Sentence


def asked_fields(normalized_question: str) -> tuple[str, ...]:
    """The fields a question asks for, in the order of FIELD_QUESTIONS (a contact with its phone)."""
    asked = [name for name, pattern in FIELD_QUESTIONS if pattern.search(normalized_question)]
    if "contact" in asked and "phone" not in asked:
        asked.insert(asked.index("contact") + 1, "phone")
    return tuple(asked)


# What a sentence must hold to state a field when the document's metadata lacks it (the 文号 of
# a document the answer's document cites, say).
_VALUE_SHAPES = {
    "doc_number": DOC_NUMBER,
    "written_date": re.compile(r"(?:19|20)\d{2}\s*[年\-/.]\s*\d{1,2}|[〇零一二三四五六七八九]{4}年"),
    "published_date": re.compile(r"(?:19|20)\d{2}\s*[年\-/.]\s*\d{1,2}"),
    "phone": re.compile(r"\d{3,4}-?\d{7,8}|1\d{10}"),
}


def value_shape(fields: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern any of `fields` would match in a sentence stating it (None: no shape known)."""
    shapes = [_VALUE_SHAPES[f].pattern for f in fields if f in _VALUE_SHAPES]
    return re.compile("|".join(shapes)) if shapes and len(shapes) == len(fields) else None


_OTHER_DOCUMENT = re.compile(r"[\u4e00-\u9fff]{2,}?(?:意见|办法|方案|规划|通知|细则|措施|条例|计划|指引|决定|纲要)")


def names_other_document(normalized_question: str, doc: Document) -> bool:
    """Whether the question names a document other than `doc` ("答复里引用的…指导意见的文号")."""
    title = compact(doc.title)
    for m in _OTHER_DOCUMENT.finditer(normalized_question):
        name = compact(m.group(0))
        grams = {name[i:i + 2] for i in range(len(name) - 1)}
        if grams and sum(g in title for g in grams) / len(grams) < 0.6:
            return True
    return False


def only_fields(normalized_question: str) -> bool:
    """Whether every clause that asks something asks for a field ("文号和成文日期是？")."""
    asking = [c for c in CLAUSE_BREAK.split(normalized_question)
              if QUESTION_WORD.search(c) or asked_fields(c)]
    return bool(asking) and all(asked_fields(c) for c in asking)


def field_value(doc: Document, field: str) -> str | None:
    """The document's value of `field`, or None when its source does not state it."""
    if field in ("doc_number", "written_date", "published_date", "issuer", "validity"):
        value: str | None = getattr(doc, field)
        return value
    if doc.proposal is None:
        return doc.issuer if field == "office" else None  # a 处室 that issued it, for other documents
    return getattr(doc.proposal, field, None)


def target_document(question: str, hits: Sequence[Hit], documents: Sequence[Document]) -> Document | None:
    """The document a field question is about: the one it names, else the best hit's."""
    norm = normalize(question)
    number = proposal_asked(norm, documents)
    if number:
        for doc in documents:
            if doc.proposal and (doc.proposal.number or "").lstrip("0") == number.lstrip("0"):
                return doc
    named = named_documents(question, documents, min_shared=2)
    if named:
        return named[0]
    return hits[0].document if hits else None


def proposal_asked(norm: str, documents: Sequence[Document]) -> str | None:
    """The number of the proposal a (normalised) question is about: by number (第0581号提案),
    by its proposer (张郡委员) or by a run of its title (知识产权文化建设那件提案)."""
    m = _PROPOSAL_NO.search(norm)
    if m:
        return m.group(1)
    if not re.search(r"提案|建议|答复", norm):
        return None
    for doc in documents:
        p = doc.proposal
        if p is None or not p.number:
            continue
        if (p.proposer and normalize(p.proposer) in norm) or (p.title and _shares_run(norm, normalize(p.title), 6)):
            return p.number
    return None


def _shares_run(a: str, b: str, length: int) -> bool:
    """Whether `a` and `b` share a run of `length` characters."""
    return any(a[i:i + length] in b for i in range(len(a) - length + 1))


def states_label(field: str, text: str) -> bool:
    """Whether `text` names the field itself ("發文字號: …"), so an answer need not."""
    return bool(re.search(_LABELS.get(field, r"(?!)"), normalize(text))) or compact(FIELD_NAMES[field]) in compact(text)


def locate(doc: Document, chunks: Sequence[Chunk], field: str) -> FieldQuote | None:
    """The sentence of `doc` that states its `field` (a labelled line first), or None."""
    value = field_value(doc, field)
    if not value:
        return None
    label = re.compile(_LABELS.get(field, r"(?!)"))
    best: tuple[int, FieldQuote] | None = None
    for chunk in chunks:
        block = bool({"metadata", "closing"} & set(chunk.kinds))
        for sentence in split_sentences(chunk.text):
            piece = _piece_with(sentence, field, value)
            if piece is None:
                continue
            rank = (0 if label.search(normalize(piece.text)) else 2) + (0 if block else 1)
            if best is None or rank < best[0]:
                best = (rank, FieldQuote(field, chunk, piece))
            if rank == 0:
                return best[1]
    return best[1] if best else None


def _piece_with(sentence: Sentence, field: str, value: str) -> Sentence | None:
    """The part of `sentence` that states `value` (one `label: value` field of a line of several)."""
    if field.endswith("_date"):
        starts = [s for s, _, iso in dates_in(normalize(sentence.text)) if iso == value]
        if not starts:
            return None
        at = starts[0]
    else:
        key = compact(value)
        if not key or key not in compact(sentence.text):
            return None
        at = _position(sentence.text, value)
    # Narrow a line of several labelled fields to the one holding the value.
    cuts = [0, *(m.end() for m in _FIELD_SPLIT.finditer(sentence.text)), len(sentence.text)]
    for lo, hi in pairwise(cuts):
        if lo <= at < hi:
            text = sentence.text[lo:hi].rstrip()
            return Sentence(text, sentence.start + lo, sentence.start + lo + len(text))
    return sentence


def _position(text: str, value: str) -> int:
    """Where `value` starts in `text`, comparing normalised text (script and width ignored)."""
    i = normalize(text).find(normalize(value))
    return max(i, 0)
