"""The peer baseline: Langchain-Chatchat's default knowledge-base pipeline, rebuilt here.

What it reproduces, so a comparison isolates our design rather than the embedder:
plain text loading (the decoded file as is — no boilerplate removal, no deduplication, no
metadata), LangChain's `RecursiveCharacterTextSplitter` with Chinese separators, 750-character
chunks with 150 overlap, dense FAISS retrieval only over the *same* embedder, top-k 3, and
the same answerer we use, run over its chunks. Chunks keep their offsets into the decoded
text (`add_start_index=True`), so its hits and citations are judged exactly as ours are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.catalogue import Catalogue
from assistant.plan import Plan, Planner
from assistant.types import Answer, Hit
from config.errors import EvalError, IngestError
from index.embed import Embedder, embed_in_batches
from index.normalize import detect_script, normalize
from index.types import Chunk, Document, content_hash, make_chunk_id, make_doc_id

# Our own separator ladder for Chinese text, coarse to fine: paragraph, line, sentence ends,
# clause marks, then characters. Both full-width and ASCII forms appear because scraped pages
# often carry ASCII `,` `;` `:` where the source had full-width ones (Chatchat's own list has
# the same idea: sentence marks, newlines, semicolons, commas).
CHINESE_SEPARATORS: tuple[str, ...] = (
    "\n\n", "\n", "。", "！", "？", "!", "?", "；", ";", "，", ",", "、", " ", "",
)


@dataclass(frozen=True)
class BaselineConfig:
    chunk_size: int = 750
    chunk_overlap: int = 150
    top_k: int = 3
    separators: tuple[str, ...] = CHINESE_SEPARATORS


class Answerer(Protocol):
    def answer(self, plan: Plan, hits: Sequence[Hit]) -> Answer: ...


def load_plain(corpus: Path) -> list[Document]:
    """Every readable file of `corpus` as a Document whose text is the decoded file, uncleaned.

    Files our reader cannot read are skipped, as Chatchat skips files its loaders reject.
    """
    from index.load import SUPPORTED, read_file

    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)
    docs = []
    for path in files:
        source = path.relative_to(corpus).as_posix()
        try:
            text = read_file(path).text
        except IngestError:
            continue
        first_line = next((ln.strip() for ln in text.splitlines() if ln.strip()), source)
        docs.append(
            Document(
                doc_id=make_doc_id(source), source=source, text=text, title=first_line[:60],
                script=detect_script(text), content_hash=content_hash(text),
            )
        )
    if not docs:
        raise EvalError(f"baseline: no readable files in corpus folder {corpus}")
    return docs


def split_documents(docs: Sequence[Document], config: BaselineConfig) -> list[Chunk]:
    """LangChain's recursive splitter over each document, with offsets into its text."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=list(config.separators), keep_separator="end",
        chunk_size=config.chunk_size, chunk_overlap=config.chunk_overlap, add_start_index=True,
    )
    chunks: list[Chunk] = []
    for doc in docs:
        for ordinal, piece in enumerate(splitter.create_documents([doc.text])):
            text, start = piece.page_content, int(piece.metadata["start_index"])
            if start < 0 or doc.text[start : start + len(text)] != text:  # offsets must be exact
                raise EvalError(f"baseline: chunk {ordinal} of {doc.source} not found in its text")
            end = start + len(text)
            chunks.append(
                Chunk(
                    chunk_id=make_chunk_id(doc.doc_id, start, end, text), doc_id=doc.doc_id,
                    heading_path=(), text=text, text_norm=normalize(text),
                    start=start, end=end, ordinal=ordinal,
                )
            )
    return chunks


class BaselinePipeline:
    """Dense-only FAISS retrieval over big recursive chunks, and the shared answerer on top-k."""

    modes = ("dense",)

    def __init__(
        self, documents: Sequence[Document], chunks: Sequence[Chunk], embedder: Embedder,
        answerer: Answerer, config: BaselineConfig | None = None, batch_size: int = 16,
    ) -> None:
        import faiss

        if not chunks:
            raise EvalError("baseline: the corpus produced no chunks")
        self.config = config or BaselineConfig()
        self._docs = {d.doc_id: d for d in documents}
        self._chunks = list(chunks)
        self._embedder = embedder
        self._answerer = answerer
        # Our answerer reads a plan; the baseline plans against its own (unparsed) documents.
        self._planner = Planner(Catalogue.of(list(documents)))
        # Chatchat embeds the raw chunk text; so does the baseline (our normalisation is ours).
        vectors = _unit(embed_in_batches(embedder, [c.text for c in self._chunks], batch_size))
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        self._index.add(vectors)

    def retrieve(
        self, query: str, k: int | None = None, filters: Any = None, mode: str = "dense"
    ) -> list[Hit]:
        """The `k` nearest chunks by cosine similarity (filters are not supported)."""
        if mode != "dense":
            raise EvalError(f"baseline: retrieval mode {mode!r} unsupported; valid modes: dense")
        k = min(k or self.config.top_k, len(self._chunks))
        query_vec = _unit(self._embedder.embed_batch([query], "query"))
        scores, ids = self._index.search(query_vec, k)
        hits = []
        for rank, (score, idx) in enumerate(zip(scores[0], ids[0], strict=True), 1):
            if idx < 0:
                continue
            chunk = self._chunks[int(idx)]
            hits.append(
                Hit(
                    chunk=chunk, document=self._docs[chunk.doc_id], rank=rank,
                    fused_score=float(score), scores={"dense": float(score)},
                    ranks={"dense": rank},
                )
            )
        return hits

    def ask(self, question: str, *, persona: Any = None, **_: Any) -> Answer:
        """The shared answerer over the top-k (3) chunks."""
        hits = self.retrieve(question, k=self.config.top_k)
        return self._answerer.answer(self._planner.plan(question), hits)


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def build_baseline(
    corpus: Path, embedder: Embedder, answerer: Answerer, config: BaselineConfig | None = None
) -> BaselinePipeline:
    """Load, split and index `corpus` the Chatchat way."""
    config = config or BaselineConfig()
    docs = load_plain(corpus)
    return BaselinePipeline(docs, split_documents(docs, config), embedder, answerer, config)
