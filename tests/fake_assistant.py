"""A small in-memory stand-in for `Assistant`, for UI tests (no index, no model, no network).

Three documents: the hand-made proposal reply and plan, and a planted malicious document whose
title and text carry markup. Retrieval scores character bigrams two ways ("bm25": shared
bigrams, "dense": their Jaccard similarity) fused by reciprocal rank; the answer quotes the
best paragraph's first sentence with a [1] marker, streamed in pieces. It satisfies
`app.ui.base.AssistantPort` and passes the same conformance suite as the real assistant
(`tests/ui_contract.py`).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.cite import citation_from_hit
from assistant.retrieve import MODES, Filters, Mode, Retrieval
from assistant.types import Answer, Hit
from config.errors import IngestError, QueryError
from config.settings import Settings
from index.commitments import build_ledger
from index.commitments.types import Commitment
from index.normalize import detect_script, normalize, to_script
from index.types import Chunk, Document, make_doc_id
from tests.handmade import PLAN_PARAGRAPHS, REPLY_PARAGRAPHS, chunk_of, plan_document, reply_document

EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">${window.__pwned=1}'
EVIL_PARAGRAPH = f"恶意测试段落：研发投入奖励{EVIL}结束。"
EVIL_TEXT = f"恶意文档{EVIL}\n\n{EVIL_PARAGRAPH}"


def evil_document() -> Document:
    return Document(doc_id=make_doc_id("evil.txt"), source="evil.txt", text=EVIL_TEXT,
                    title=f"恶意文档{EVIL}", script="simplified", issuer=EVIL, doc_type="测试",
                    written_date="2024-01-01")


def _bigrams(text: str) -> set[str]:
    t = normalize(text)
    return {t[i : i + 2] for i in range(len(t) - 1) if not t[i : i + 2].isspace()}


@dataclass
class FakeAssistant:
    settings: Settings
    added: list[Path] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        reply, plan, evil = reply_document(), plan_document(), evil_document()
        self._docs = [reply, plan, evil]
        self._chunks: dict[str, list[Chunk]] = {
            reply.doc_id: [_ordinal(chunk_of(reply, p, (reply.title, "一、重点工作推进情况")), i)
                           for i, p in enumerate(REPLY_PARAGRAPHS)],
            plan.doc_id: [_ordinal(chunk_of(plan, p, (plan.title, "第一章")), i)
                          for i, p in enumerate(PLAN_PARAGRAPHS)],
            evil.doc_id: [_ordinal(chunk_of(evil, EVIL_PARAGRAPH, (evil.title, f"一、{EVIL}")), 0)],
        }

    # -- documents ------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        return list(self._docs)

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self._docs if d.doc_id == doc_id), None)

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        return list(self._chunks.get(doc_id, []))

    def ledger(self) -> list[Commitment]:
        chunks = [c for d in self._docs for c in self._chunks[d.doc_id]]
        return build_ledger(self._docs, chunks)

    # -- the index ------------------------------------------------------------------------
    def has_index(self) -> bool:
        return True

    def ensure_index(self, *, progress: bool = True, on_progress=None) -> None:
        return None

    def warm_up(self) -> None:
        return None

    def reindex(self, *, rebuild: bool = False, progress: bool = False, on_progress=None) -> str:
        if on_progress:
            on_progress(1, 1)
        return "ok"

    # -- questions ------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: Mode = "fused") -> Retrieval:
        if mode not in MODES:
            raise QueryError(f"unknown retrieval mode '{mode}'; valid: {', '.join(MODES)}")
        if not (query or "").strip():
            raise QueryError("the query is empty; type a question or some keywords")
        q = _bigrams(query)
        rows = []
        for d in self._docs:
            if filters is not None and not filters.accepts(d):
                continue
            for c in self._chunks[d.doc_id]:
                b = _bigrams(c.text)
                rows.append((d, c, {"bm25": float(len(q & b)), "dense": len(q & b) / max(1, len(q | b))}))
        names = ("dense", "bm25") if mode == "fused" else (mode,)
        ranks = {n: {id(r): i for i, r in enumerate(sorted(rows, key=lambda r: -r[2][n]), 1)} for n in names}
        fused = {id(r): sum(1 / (10 + ranks[n][id(r)]) for n in names) for r in rows}
        rows.sort(key=lambda r: -fused[id(r)])
        hits = [Hit(chunk=c, document=d, rank=i, fused_score=fused[id(r)],
                    scores={"fused": fused[id(r)], **{n: sc[n] for n in names}},
                    ranks={n: ranks[n][id(r)] for n in names})
                for i, r in enumerate(rows[: k or 3], 1) for d, c, sc in [r]]
        return Retrieval(hits, query.strip())

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        return self.search(question, k, filters).hits

    def refusal_score(self, question: str, hits: Sequence[Hit]) -> float:
        q = _bigrams(question)
        return max((len(q & _bigrams(h.chunk.text)) / max(1, len(q)) for h in hits), default=0.0)

    def stream(self, question: str, *, persona: str | None = None, history: Sequence[tuple[str, str]] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]:
        if persona is not None and persona not in ("citizen", "cppcc", "staff"):
            raise QueryError(f"unknown persona '{persona}'; valid: citizen, cppcc, staff")
        self.calls.append({"question": question, "persona": persona, "history": list(history),
                           "filters": filters})
        script = detect_script(question)
        hits = self.search(question, filters=filters, mode="bm25").hits
        if not hits or hits[0].scores["bm25"] < 4:
            text = to_script("文件中没有找到与该问题相关的内容。", script)
            yield text
            yield Answer(question, text, (), refused=True, script=script, backend="fake", closest=tuple(hits))
            return
        hit = hits[0]
        # the paragraph's sentence sharing most bigrams with the question
        q = _bigrams(question)
        sentences = [x for x in re.split(r"(?<=[。！？])", hit.chunk.text) if x.strip()]
        best = max(sentences, key=lambda x: len(q & _bigrams(x)))
        at = hit.chunk.text.index(best)
        cit = citation_from_hit(1, hit, at, at + len(best))
        text = to_script(f"{best}[1]", script)
        for i in range(0, len(text), 8):
            yield text[i : i + 8]
        yield Answer(question, text, (cit,), refused=False, script=script, backend="fake")

    def ask(self, question: str, *, persona: str | None = None, history: Sequence[tuple[str, str]] = (),
            filters: Filters | None = None) -> Answer:
        items = list(self.stream(question, persona=persona, history=history, filters=filters))
        answer = items[-1]
        assert isinstance(answer, Answer)
        return answer

    # -- administration --------------------------------------------------------------------
    def add_files(self, paths: Sequence[Path], *, on_progress=None) -> str:
        """Store each file in the upload folder and index it: title line, then a chunk per paragraph."""
        upload_dir = self.settings.paths.upload_dir
        upload_dir.mkdir(parents=True, exist_ok=True)
        for p in paths:
            target = upload_dir / Path(p).name
            shutil.copyfile(p, target)
            self.added.append(target)
            text = target.read_text(encoding="utf-8")
            paragraphs = [x for x in text.split("\n\n") if x.strip()]
            source = f"uploads/{target.name}"
            self._docs = [d for d in self._docs if d.source != source]
            doc = Document(doc_id=make_doc_id(source), source=source, text=text, title=paragraphs[0].strip(),
                           script=detect_script(text))
            self._docs.append(doc)
            self._chunks[doc.doc_id] = [_ordinal(chunk_of(doc, x, (doc.title,)), i)
                                        for i, x in enumerate(paragraphs[1:])]
        if on_progress:
            on_progress(1, 1)
        return "ok"

    def remove_document(self, doc_id: str, *, on_progress=None) -> str:
        doc = self.document(doc_id)
        if doc is None:
            raise IngestError(f"no indexed document with id {doc_id}")
        self.removed.append(doc_id)
        if doc.source.startswith("uploads/"):
            (self.settings.paths.upload_dir / doc.source.removeprefix("uploads/")).unlink(missing_ok=True)
        self._docs = [d for d in self._docs if d.doc_id != doc_id]
        return "ok"


def _ordinal(chunk: Chunk, ordinal: int) -> Chunk:
    from dataclasses import replace

    return replace(chunk, ordinal=ordinal)
