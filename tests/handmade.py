"""Hand-made Documents, Chunks and Hits for answerer tests (no index, no model).

Every chunk is cut from its document's text, so `document.text[chunk.start:chunk.end] ==
chunk.text` holds, as it does for chunks made by ingestion.
"""

from __future__ import annotations

from assistant.types import Citation, Hit
from config.settings import AnswerSettings
from index.normalize import normalize
from index.types import Chunk, Document, make_chunk_id, make_doc_id

REPLY_TEXT = (
    "内蒙古自治区科学技术厅关于政协第0581号提案的答复\n\n"
    "张郡委员：\n\n"
    "　　一是进一步加大政策供给力度。对首次认定的高新技术企业，一次性奖励30万元研发经费。"
    "整体迁入我区的高新技术企业同样给予奖励。\n\n"
    "　　二是加强关键技术研发。2021—2023年，支持关键技术攻关项目31项，支持资金3069万元。\n\n"
    "2023年8月3日"
)
PLAN_TEXT = (
    "康巴什區科技創新“十四五”規劃\n\n"
    "——研發投入穩步提升。到2025年，全社會研發投入佔地區生產總值比重達到2.2%以上。\n\n"
    "“十三五”期間，累計爭取上級財政科技資金2771. 4萬元。"
)

REPLY_PARAGRAPHS = (
    "一是进一步加大政策供给力度。对首次认定的高新技术企业，一次性奖励30万元研发经费。"
    "整体迁入我区的高新技术企业同样给予奖励。",
    "二是加强关键技术研发。2021—2023年，支持关键技术攻关项目31项，支持资金3069万元。",
)
PLAN_PARAGRAPHS = (
    "——研發投入穩步提升。到2025年，全社會研發投入佔地區生產總值比重達到2.2%以上。",
    "“十三五”期間，累計爭取上級財政科技資金2771. 4萬元。",
)


def reply_document() -> Document:
    return Document(
        doc_id=make_doc_id("000_reply.txt"),
        source="000_reply.txt",
        text=REPLY_TEXT,
        title="内蒙古自治区科学技术厅关于政协第0581号提案的答复",
        script="simplified",
        issuer="内蒙古自治区科学技术厅",
        written_date="2023-08-03",
        doc_type="提案答复",
    )


def plan_document() -> Document:
    return Document(
        doc_id=make_doc_id("004_plan.txt"),
        source="004_plan.txt",
        text=PLAN_TEXT,
        title="康巴什區科技創新“十四五”規劃",
        script="traditional",
        issuer="鄂爾多斯市康巴什區人民政府",
        doc_number="鄂康政發〔2023〕8號",
        written_date="2023-02-24",
        doc_type="規劃",
    )


def make_document(name: str, text: str, title: str) -> Document:
    """A simplified-script document of `text` read from the file `name`."""
    return Document(doc_id=make_doc_id(name), source=name, text=text, title=title, script="simplified")


def hits_of(doc: Document, chunks: list[Chunk]) -> list[Hit]:
    """`chunks` of `doc` as retrieved hits, best first."""
    return [Hit(chunk=c, document=doc, rank=i, fused_score=1 / i) for i, c in enumerate(chunks, 1)]


def chunk_of(doc: Document, paragraph: str, heading_path: tuple[str, ...] = ()) -> Chunk:
    """The chunk holding `paragraph`, with its exact span in `doc.text`."""
    start = doc.text.index(paragraph)
    end = start + len(paragraph)
    return Chunk(
        chunk_id=make_chunk_id(doc.doc_id, start, end, paragraph),
        doc_id=doc.doc_id,
        heading_path=heading_path,
        text=paragraph,
        text_norm=normalize(paragraph),
        start=start,
        end=end,
    )


ITEMS_REPLY = (  # a reply's next steps, one item per passage under their heading
    "关于政协第0581号提案的答复\n\n"
    "二、下一步重点工作\n\n"
    "一是营造良好的创新生态。加快推动各类支持创新政策的落实。\n\n"
    "二是培育文化科技领域创新主体。实施创新型企业“双倍增双提升”行动。\n\n"
    "三是推动文化科技融合数字化发展。组织实施一批关键技术攻关项目。"
)


def reply_items() -> tuple[Document, list[Chunk]]:
    """`ITEMS_ITEMS_REPLY` and its chunks: each item a passage under the heading of the items."""
    doc = make_document("000_reply.txt", ITEMS_REPLY, "关于政协第0581号提案的答复")
    parts = ITEMS_REPLY.split("\n\n")[1:]
    heading = parts[0]
    chunks = [chunk_of(doc, f"{heading}\n\n{parts[1]}", (doc.title, heading, "一是营造良好的创新生态"))]
    for part in parts[2:]:
        lead = part.split("。")[0]
        chunks.append(chunk_of(doc, part, (doc.title, heading, lead)))
    return doc, chunks


def make_hits() -> list[Hit]:
    """Four hits: two reply paragraphs (simplified), then two plan paragraphs (traditional)."""
    reply, plan = reply_document(), plan_document()
    chunks = [
        (reply, chunk_of(reply, REPLY_PARAGRAPHS[0], ("一、重点工作推进情况",))),
        (reply, chunk_of(reply, REPLY_PARAGRAPHS[1], ("一、重点工作推进情况",))),
        (plan, chunk_of(plan, PLAN_PARAGRAPHS[0], ("第一章", "二、發展目標"))),
        (plan, chunk_of(plan, PLAN_PARAGRAPHS[1], ("第一章", "一、發展基礎"))),
    ]
    return [
        Hit(chunk=c, document=d, rank=i, fused_score=1.0 / i)
        for i, (d, c) in enumerate(chunks, 1)
    ]


def passage_citations(hits: list[Hit]) -> list[Citation]:
    """Each hit as a whole-paragraph citation numbered 1..n (what the checker is given)."""
    from assistant.cite import citation_from_hit

    return [citation_from_hit(i, h, 0, len(h.chunk.text)) for i, h in enumerate(hits, 1)]


def plan_for(question: str, documents: list[Document], history: list[tuple[str, str]] | None = None):  # type: ignore[no-untyped-def]
    """The plan of `question` against a catalogue of `documents`, as the engine makes it."""
    from assistant.catalogue import Catalogue
    from assistant.plan import Planner

    return Planner(Catalogue.of(documents)).plan(question, history or [])


class Planned:
    """An answerer taking questions, planned against the documents it knows (else those of the
    hits), as the engine does: `Planned(ExtractiveAnswerer(...)).answer(question, hits)`."""

    def __init__(self, inner, documents: list[Document] | None = None) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.docs = documents

    def _plan(self, question: str, hits, history):  # type: ignore[no-untyped-def]
        docs = self.docs or list({h.document.doc_id: h.document for h in hits}.values())
        return plan_for(question, docs, history)

    def answer(self, question: str, hits, history=None):  # type: ignore[no-untyped-def]
        plan = self._plan(question, hits, history)
        return self.inner.answer(plan, ranked(plan.standalone, hits))

    def stream(self, question: str, hits, history=None):  # type: ignore[no-untyped-def]
        plan = self._plan(question, hits, history)
        return self.inner.stream(plan, ranked(plan.standalone, hits))


def ranked(question: str, hits: list[Hit]) -> list[Hit]:
    """`hits` ordered and scored as a retriever would give them for `question`: by the share of
    the question's character pairs each passage (with its title) holds, with dense, BM25 and
    fused scores that fall with that share (the answerer's scorer reads them)."""
    from dataclasses import replace

    from index.normalize import normalize

    q = normalize(question)
    pairs = {q[i : i + 2] for i in range(len(q) - 1) if q[i : i + 2].isalnum()}

    def share(hit: Hit) -> float:
        text = normalize(hit.document.title + " ".join(hit.chunk.heading_path) + hit.chunk.text)
        return sum(p in text for p in pairs) / max(1, len(pairs))

    order = sorted(hits, key=share, reverse=True)
    return [replace(h, rank=i, fused_score=1 / (60 + i),
                    scores={"dense": 0.80 + 0.1 * share(h), "bm25": 10 * share(h)})
            for i, h in enumerate(order, 1)]


def sample_plan(question: str, history: list[tuple[str, str]] | None = None):  # type: ignore[no-untyped-def]
    """The plan of `question` against the two hand-made documents of `make_hits`."""
    return plan_for(question, [reply_document(), plan_document()], history)


ANSWER_SETTINGS = AnswerSettings(backend="extractive", persona="citizen", max_citations=4)


def extractive(settings: AnswerSettings = ANSWER_SETTINGS, **kw) -> Planned:  # type: ignore[no-untyped-def]
    """The extractive answerer taking questions (`Planned`); `documents` is a callable, as the
    engine passes it."""
    from assistant.extractive import ExtractiveAnswerer

    docs = kw.pop("documents", None)
    return Planned(ExtractiveAnswerer(settings, documents=docs, **kw), docs() if docs else None)


def sections_of(name: str, text: str) -> tuple[Document, list[Hit]]:
    """A document of `text` — its title line, then two sections of a heading line and a
    paragraph line — and one hit per section."""
    lines = text.split("\n")
    doc = make_document(name, text, lines[0])
    return doc, hits_of(doc, [chunk_of(doc, "\n".join(lines[i : i + 2]), (doc.title, lines[i])) for i in (1, 3)])
