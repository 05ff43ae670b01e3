"""The composition root: `build_assistant(settings)` wires index, retriever, answerers and ledger.

The CLI, the Gradio app, the eval and the benchmarks all go through `Assistant`; nothing else
constructs these parts. Construction is cheap: the index and the models load on first use (or
in `warm_up()`), so the UI can serve its page at once.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.compare import comparison_scopes, merge_answers
from assistant.extractive import ExtractiveAnswerer
from assistant.intent import key_terms, question_parts
from assistant.retrieve import Filters, Mode, Retrieval, Retriever
from assistant.types import Answer, Hit
from config.errors import BackendError, IngestError, QueryError
from config.settings import Settings
from index.build import BuildReport, build_index
from index.embed import Embedder, make_embedder
from index.normalize import detect_script, normalize
from index.store import open_index
from index.stores import backend_for
from index.stores.base import Store
from index.types import Chunk, Document

History = Sequence[tuple[str, str]]
PERSONAS = ("citizen", "cppcc", "staff")
BACKENDS = ("extractive", "llm")
ProgressFn = Callable[[int, int], None]


class Assistant:
    """Question answering over one index, built from settings by `build_assistant`."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder if embedder is not None else make_embedder(settings.embedding)
        self.extractive = ExtractiveAnswerer(settings.answer, chunks_of=self.chunks_of,
                                             documents=self.documents)
        self._lock = threading.RLock()
        self._backend = backend_for(settings)
        self._checked = 0.0  # when the live generation was last compared with the open one
        self._store: Store | None = None
        self._retriever: Retriever | None = None
        self._llm: Any = None
        self._ledger: list[Any] | None = None

    # -- the index ---------------------------------------------------------------------------

    def has_index(self) -> bool:
        return self._backend.live() is not None

    def ensure_index(self, *, progress: bool = True, on_progress: ProgressFn | None = None) -> BuildReport | None:
        """Build the index when there is none yet; return the build report, or None."""
        if self.has_index():
            return None
        return self.reindex(progress=progress, on_progress=on_progress)

    def reindex(self, *, rebuild: bool = False, progress: bool = False,
                on_progress: ProgressFn | None = None) -> BuildReport:
        """Incrementally re-index the corpus (and uploads); queries see the new index after."""
        with self._lock:
            report = build_index(self.settings, rebuild=rebuild, progress=progress,
                                 embedder=self.embedder, on_progress=on_progress)
            self._unload()
            return report

    def _unload(self) -> None:
        # Not closed here: questions in flight may still read the old generation. A store
        # closes itself (and gives up its reader lease) when its last user lets go of it.
        self._store, self._retriever, self._ledger = None, None, None

    def _loaded(self) -> Retriever:
        """The retriever over the live generation. Every `index.reload_check_s` seconds the
        live generation is compared with the open one, so an index rebuilt elsewhere (the CLI,
        another replica's admin) is picked up without a restart."""
        with self._lock:
            now = time.monotonic()
            if self._store is not None and now - self._checked >= self.settings.index.reload_check_s:
                self._checked = now
                if self._backend.live() not in (None, self._store.generation):
                    self._unload()
            if self._retriever is None:
                self._store = open_index(self.settings)
                self._checked = now
                self._retriever = Retriever(self._store, self.embedder, self.settings.retrieval)
            return self._retriever

    @property
    def store(self) -> Store:
        self._loaded()
        assert self._store is not None
        return self._store

    def warm_up(self) -> None:
        """Load the index and the embedding model now rather than on the first question."""
        store = self._loaded().store
        warm_store = getattr(store, "warm_up", None)
        if callable(warm_store):
            warm_store()
        warm = getattr(self.embedder, "warm_up", None)
        if callable(warm):
            warm()

    # -- documents -----------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        return self.store.documents()

    def document(self, doc_id: str) -> Document | None:
        return self.store.document(doc_id)

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        return self.store.chunks_of(doc_id)

    def ledger(self) -> list[Any]:
        """Commitments, targets and proposal-reply rows of every indexed document."""
        from index.build import LEDGER_FILE, ledger_from_bytes
        from index.commitments.ledger import build_ledger

        with self._lock:
            store = self.store
            if self._ledger is None:
                stored = store.blob(LEDGER_FILE)
                # An index built before the ledger existed gets one extracted now.
                self._ledger = (ledger_from_bytes(stored) if stored is not None
                                else build_ledger(store.documents(), store.all_chunks()))
            return self._ledger

    # -- questions -------------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: Mode = "fused") -> Retrieval:
        return self._loaded().search(query, k, filters, mode)

    def retrieve(self, query: str, k: int | None = None, filters: Filters | None = None,
                 mode: Mode = "fused") -> list[Hit]:
        return self.search(query, k, filters, mode).hits

    def refusal_score(self, question: str, hits: Sequence[Hit]) -> float:
        """The score the answerer refuses below (`answer.refusal_threshold`) for these passages.

        One method, so the retrieval test page shows whatever the answerer decides with.
        """
        from assistant.intent import analyze
        from assistant.refusal import signals

        return float(signals(analyze(question), hits).score)

    def ask(self, question: str, *, persona: str | None = None, history: History = (),
            filters: Filters | None = None, backend: str | None = None) -> Answer:
        """The answer to `question`, with citations (or a refusal with the closest passages)."""
        for item in self.stream(question, persona=persona, history=history, filters=filters, backend=backend):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream() ended without an Answer")  # pragma: no cover

    def stream(self, question: str, *, persona: str | None = None, history: History = (),
               filters: Filters | None = None, backend: str | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are produced, then the final Answer (which is authoritative)."""
        persona = persona or self.settings.answer.persona
        backend = backend or self.settings.answer.backend
        if persona not in PERSONAS:
            raise QueryError(f"unknown persona '{persona}'; valid: {', '.join(PERSONAS)}")
        if backend not in BACKENDS:
            raise BackendError(f"unknown answer backend '{backend}'; valid: {', '.join(BACKENDS)}")
        if not (question or "").strip():
            raise QueryError("the question is empty; type a question")
        standalone = self._standalone(question, history, backend)
        from assistant.ledger_answer import answer_from_ledger

        if not (filters and filters.active()):
            listed = answer_from_ledger(standalone, self.ledger(), self.documents(), detect_script(question))
            if listed is not None:
                yield listed.text
                yield listed
                return
        scopes = None if filters and filters.active() else comparison_scopes(standalone, self.documents())
        if scopes and backend == "extractive":
            parts = [self._answer_part(part, ids, persona, history) for part, ids in scopes]
            merged = merge_answers(standalone, parts)
            yield merged.text
            yield merged
            return
        found = self.search(standalone, filters=filters)
        # Each part of "A是多少？B呢？" that names its own subject gets its best passages in front.
        subquestions = [q for q in question_parts(normalize(standalone)) if len(key_terms(q)) >= 2]
        if len(subquestions) > 1 and not scopes:
            k = self.settings.retrieval.k
            found = replace(found, hits=_interleave(
                [found.hits, *(self.retrieve(q, k=k, filters=filters) for q in subquestions)])[:k])
        if scopes:  # the LLM gets the best passages of each compared document
            per_scope = [self.retrieve(part, k=max(2, self.settings.retrieval.k // len(scopes)),
                                       filters=Filters(doc_ids=ids)) for part, ids in scopes]
            found = replace(found, hits=_interleave(per_scope))
        answerer = self._llm_answerer() if backend == "llm" else self.extractive
        for item in answerer.stream(standalone, found.hits, persona=persona, history=history):
            if isinstance(item, Answer) and found.notices:
                item = replace(item, notices=(*found.notices, *item.notices))
            yield item

    def _answer_part(self, part: str, doc_ids: tuple[str, ...], persona: str, history: History) -> Answer:
        """One part of a comparison, answered from a single document within `doc_ids`."""
        hits = self.retrieve(part, filters=Filters(doc_ids=doc_ids))
        first = self.extractive.answer(part, hits, persona=persona, history=history)
        if first.refused or len({c.doc_id for c in first.citations}) <= 1:
            return first
        chosen = first.citations[0].doc_id  # the document of the answer's best sentence
        only = [h for h in hits if h.document.doc_id == chosen]
        return self.extractive.answer(part, only, persona=persona, history=history)

    def _standalone(self, question: str, history: History, backend: str) -> str:
        """A follow-up ("那康巴什呢？") made to stand alone using the conversation."""
        if not history:
            return question
        if backend == "llm":
            return str(self._llm_answerer().rewrite_question(question, history))
        from assistant.followup import resolve_followup

        return resolve_followup(question, history)

    def _llm_answerer(self) -> Any:
        with self._lock:
            if self._llm is None:
                from assistant.llm import LLMAnswerer

                self._llm = LLMAnswerer(self.settings.llm, extractive_fallback=self.extractive.answer)
            return self._llm

    # -- administration ----------------------------------------------------------------------------

    def add_files(self, paths: Sequence[Path], *, on_progress: ProgressFn | None = None) -> BuildReport:
        """Copy files into the upload folder and re-index. Names must already be sanitised."""
        upload_dir = self.settings.paths.upload_dir
        upload_dir.mkdir(parents=True, exist_ok=True)
        for path in paths:
            target = upload_dir / Path(path).name
            if target.resolve().parent != upload_dir.resolve():
                raise IngestError(f"refusing to store {path.name} outside {upload_dir}")
            shutil.copyfile(path, target)
        return self.reindex(on_progress=on_progress)

    def remove_document(self, doc_id: str, *, on_progress: ProgressFn | None = None) -> BuildReport:
        """Take a document out of the index: delete an uploaded file, or exclude a corpus file."""
        doc = self.document(doc_id)
        if doc is None:
            raise IngestError(f"no indexed document with id {doc_id}")
        from index.sources import exclude_source, upload_path

        uploaded = upload_path(self.settings, doc.source)
        if uploaded is not None:
            uploaded.unlink(missing_ok=True)
        else:
            exclude_source(self.settings, doc.source)
        return self.reindex(on_progress=on_progress)


def _interleave(groups: Sequence[Sequence[Hit]]) -> list[Hit]:
    """Hits taken in turn from each group, re-ranked 1..n, each chunk once."""
    out: list[Hit] = []
    seen: set[str] = set()
    for i in range(max((len(g) for g in groups), default=0)):
        for group in groups:
            if i < len(group) and group[i].chunk.chunk_id not in seen:
                seen.add(group[i].chunk.chunk_id)
                out.append(replace(group[i], rank=len(out) + 1))
    return out


def build_assistant(settings: Settings, *, embedder: Embedder | None = None) -> Assistant:
    """The one place the assistant is assembled. Cheap: nothing heavy loads until first use."""
    return Assistant(settings, embedder=embedder)
