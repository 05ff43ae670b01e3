"""A document's own particulars, answered from its metadata and cited where the source states them.

"哪个文号？" "落款日期是哪天？" "谁签发的？联系人是谁？" ask for a field of one document (the plan
lists them: `Plan.fields`) — its 文号, written (落款) or published date, issuer, or for a proposal
reply its proposer, signer, handling office, contact and phone. Ranking sentences by shared words
finds these poorly: the field's line shares almost no words with the question. Metadata
extraction already knows the values, so the answerer takes the value from the `Document` and
cites the sentence of the source that states it. Any other particular a page's own table labels
(索引号, 实施日期, 失效日期, 统一编号…) is quoted from that table when the question names it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from assistant.cite import Sentence, split_sentences
from assistant.plan import FIELD_PATTERNS, Plan
from assistant.types import Hit
from index.analysis import compact
from index.clean import split_lines
from index.dates import dates_in
from index.docnumber import DOC_NUMBER
from index.fields import FIELD_LABELS, parse_fields
from index.normalize import normalize
from index.types import Chunk, Document

# What the answer calls each field when the quoted line does not name it itself.
FIELD_NAMES = {
    "doc_number": "文号", "written_date": "成文日期", "published_date": "发布日期", "issuer": "发文机关",
    "proposer": "提案人", "signer": "签发人", "office": "承办部门", "contact": "联系人",
    "phone": "联系电话", "validity": "有效性", "effective_date": "施行日期",
}
# Labels a source puts before each field; a sentence holding one is preferred to a mention.
_LABELS = {
    "doc_number": r"文号|发文字号",
    "written_date": r"成文日期|会议(?:审议)?通过",
    "published_date": r"发布日期|发布时间|发布于",
    "effective_date": r"(?:施行|实施|生效)日期",
    "issuer": r"发文机关|发布机构|来源",
    "signer": r"签\s*发\s*人",
    "office": r"承办部门|承办处室",
    "contact": r"联\s*系\s*人",
    "phone": r"联系电话",
    "validity": r"有效性",
}
_FIELD_SPLIT = re.compile(r"\s+(?=[^\s:：\d][^\s:：]{1,7}\s*[:：])")  # "发文机关: X  成文日期: Y"


@dataclass(frozen=True)
class FieldQuote:
    """Where a document states one of its fields: a hit-like chunk and the sentence in it."""

    field: str
    chunk: Chunk
    sentence: Sentence


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


# How a document states when it takes effect: "本办法自2019年1月1日起施行" ("自公布之日起施行"
# gives no date); 本 and its kind mark the document's own, not an amendment's or a clause's.
_TAKES_EFFECT = re.compile(
    r"(本(?:暂行|实施)?(?:办法|条例|规定|细则|通知|意见|方案|法|决定|措施|规则|准则|公告|规划|计划|指引|标准))?"
    r"自([^，。；]{4,30}?)起?(?:施行|实施|生效)")


def effective_date(text: str) -> str | None:
    """The date a document says it takes effect (its own, 本办法自…起施行, before any other)."""
    found = [(not m.group(1), dates_in(m.group(2))) for m in _TAKES_EFFECT.finditer(normalize(text))]
    return next((dates[0][2] for _, dates in sorted(found, key=lambda x: x[0]) if dates), None)


def _states_own_effect(text: str) -> bool:
    return any(m.group(1) for m in _TAKES_EFFECT.finditer(normalize(text)))


def field_value(doc: Document, field: str) -> str | None:
    """The document's value of `field`, or None when its source does not state it."""
    if field == "effective_date":
        return effective_date(doc.text)
    if field in ("doc_number", "written_date", "published_date", "issuer", "validity"):
        value: str | None = getattr(doc, field)
        return value
    if doc.proposal is None:
        return doc.issuer if field == "office" else None  # a 处室 that issued it, for other documents
    return getattr(doc.proposal, field, None)


def target_document(plan: Plan, hits: Sequence[Hit], documents: Sequence[Document]) -> Document | None:
    """The document a particulars question is about: the one it names (of several, the first
    that states the particulars asked), else the best hit's."""
    if plan.documents:
        by_id = {d.doc_id: d for d in documents}
        named = [by_id[i] for i in plan.documents if i in by_id]
        if named:
            return next((d for d in named if any(field_value(d, f) for f in plan.fields)), named[0])
    return hits[0].document if hits else None


def states_label(field: str, text: str) -> bool:
    """Whether `text` names the field itself ("發文字號: …"), so an answer need not."""
    return (bool(re.search(_LABELS.get(field, r"(?!)"), normalize(text)))
            or compact(FIELD_NAMES[field]) in compact(text)
            or (field == "effective_date" and _states_own_effect(text)))


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
            # A labelled line of the table first; for the date a document takes effect, its
            # own 本办法自…起施行 (a table's history block restates every amendment's).
            if field == "effective_date" and not block and _states_own_effect(piece.text):
                rank = 0
            else:
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
    return next((p for p in _fields_of(sentence) if p.start <= sentence.start + at < p.end), sentence)


LABEL_MIN = 3  # characters of a label a question must name (2-character ones, 来源 or 分类, occur in any question)
# What a question calls particulars a table labels otherwise: 有效期 is stated by the dates it runs between.
_ASKED_AS = {"有效期": ("effective", "expiry")}
_NOT_ASKED = frozenset({"title", "english_title", "content", "history"})  # the document itself, not a particular
# The labels a question may name a table's field by, per field.
_ASKABLE = {key: tuple(c for label in labels if len(c := compact(label)) >= LABEL_MIN)
            for key, labels in FIELD_LABELS.items() if key not in _NOT_ASKED}


def asks_labelled(question: str) -> bool:
    """Whether the (normalised) question names a label of a particulars table, or a word
    standing for one: only then is a table worth reading (`labelled_quotes`)."""
    asked = compact(question)
    return (any(word in asked for word in _ASKED_AS)
            or any(label in asked for labels in _ASKABLE.values() for label in labels))


def labelled_quotes(chunks: Sequence[Chunk], question: str) -> list[FieldQuote]:
    """The fields of a document's particulars table (`index.fields`) the (normalised) question
    asks for by one of their labels ("索引号多少", "网站发文日期") or by a word standing for
    them ("有效期" → 实施日期, 失效日期); each quote is the line, or the field of a line of
    several, holding the value."""
    asked = compact(question)
    wanted = {key for word, keys in _ASKED_AS.items() if word in asked for key in keys}
    out = []
    for chunk in chunks:
        if "metadata" not in chunk.kinds:
            continue
        lines, norm = split_lines(chunk.text), normalize(chunk.text)
        for f in parse_fields([ln.text for ln in lines], [norm[ln.start : ln.end] for ln in lines]):
            if f.value and (f.key in wanted or any(label in asked for label in _ASKABLE.get(f.key, ()))):
                line = lines[f.lines[-1]]
                piece = next((p for p in _fields_of(Sentence(line.text, line.start, line.end)) if f.value in p.text),
                             None)
                if piece is not None:
                    out.append(FieldQuote(compact(f.label), chunk, piece))
    return out


def asked_at(question: str, field: str) -> int:
    """Where the (normalised) question asks for `field`: a field's name, a table's label it
    names, or the word it uses for one (有效期 for 失效日期); its length when nowhere."""
    pattern = dict(FIELD_PATTERNS).get(field)
    found = pattern.search(question) if pattern else None
    if found:
        return found.start()
    asked = compact(question)
    keys = {k for k, labels in FIELD_LABELS.items() if field in map(compact, labels)}
    at = [asked.find(w) for w in (field, *(word for word, ks in _ASKED_AS.items() if keys & set(ks)))]
    return min((a for a in at if a >= 0), default=len(asked))


def _fields_of(sentence: Sentence) -> list[Sentence]:
    """The `label: value` fields of a line of several ("发文字号: X 发布日期: Y")."""
    cuts = [0, *(m.end() for m in _FIELD_SPLIT.finditer(sentence.text)), len(sentence.text)]
    out = []
    for lo, hi in pairwise(cuts):
        text = sentence.text[lo:hi].rstrip()
        if text:
            out.append(Sentence(text, sentence.start + lo, sentence.start + lo + len(text)))
    return out


def verbatim(text: str, value: str) -> str:
    """The span of `text` that writes `value`, whatever spaces or punctuation either puts between
    its words ("甲市民政局、甲市财政局" in "名称：甲市民政局 甲市财政局关于…"); "" when absent."""
    key = compact(value)
    kept = [(i, c) for i, ch in enumerate(text) for c in compact(ch)]
    joined = "".join(c for _, c in kept)
    at = joined.find(key) if key else -1
    if at < 0:
        return ""
    return text[kept[at][0] : kept[at + len(key) - 1][0] + 1]


def _position(text: str, value: str) -> int:
    """Where `value` starts in `text`, comparing normalised text (script and width ignored)."""
    i = normalize(text).find(normalize(value))
    return max(i, 0)
