"""A small in-memory stand-in for `Assistant`, for UI tests (no index, no model, no network).

Three documents: the hand-made proposal reply and plan, and a planted malicious document whose
title and text carry markup. Retrieval is character-bigram overlap; the answer quotes the best
paragraph's first sentence with a [1] marker, streamed in pieces.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.cite import citation_from_hit
from assistant.retrieve import Filters
from assistant.types import Answer, Hit
from config.settings import Settings
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

    def warm_up(self) -> None:
        return None

    # -- questions ------------------------------------------------------------------------
    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        q = _bigrams(question)
        scored = []
        for d in self._docs:
            if filters is not None and not filters.accepts(d):
                continue
            for c in self._chunks[d.doc_id]:
                scored.append((len(q & _bigrams(c.text)), d, c))
        scored.sort(key=lambda x: -x[0])
        return [Hit(chunk=c, document=d, rank=i, fused_score=float(s), scores={"overlap": float(s)})
                for i, (s, d, c) in enumerate(scored[: k or 3], 1)]

    def stream(self, question: str, *, persona: str | None = None, history: Sequence[tuple[str, str]] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]:
        self.calls.append({"question": question, "persona": persona, "history": list(history),
                           "filters": filters})
        script = detect_script(question)
        hits = self.retrieve(question, filters=filters)
        if not hits or hits[0].fused_score < 4:
            text = to_script("文件中没有找到与该问题相关的内容。", script)
            yield text
            yield Answer(question, text, (), refused=True, script=script, backend="fake", closest=tuple(hits))
            return
        hit = hits[0]
        first = re.split(r"(?<=[。！？])", hit.chunk.text)[0]
        cit = citation_from_hit(1, hit, 0, len(first))
        text = to_script(f"{first}[1]", script)
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
        upload_dir = self.settings.paths.upload_dir
        upload_dir.mkdir(parents=True, exist_ok=True)
        for p in paths:
            shutil.copyfile(p, upload_dir / Path(p).name)
            self.added.append(upload_dir / Path(p).name)
        if on_progress:
            on_progress(1, 1)
        return "ok"

    def remove_document(self, doc_id: str, *, on_progress=None) -> str:
        self.removed.append(doc_id)
        self._docs = [d for d in self._docs if d.doc_id != doc_id]
        return "ok"


def _ordinal(chunk: Chunk, ordinal: int) -> Chunk:
    from dataclasses import replace

    return replace(chunk, ordinal=ordinal)
