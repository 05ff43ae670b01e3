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

from assistant.catalogue import Catalogue
from assistant.extractive import ExtractiveAnswerer
from assistant.limits import check_history, check_question, parts_notice
from assistant.plan import Plan, Planner
from assistant.retrieve import Filters, Mode, Retrieval, Retriever
from assistant.types import Answer, Hit
from config.errors import BackendError, IngestError, QueryError
from config.settings import Settings
from index.analysis import default_analyzer
from index.build import BuildReport, build_index
from index.embed import Embedder, make_embedder
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
        self._lock = threading.RLock()  # guards the loaded parts; held only for moments
        self._build_lock = threading.Lock()  # one re-index at a time from this process
        self._backend = backend_for(settings)
        self._checked = 0.0  # when the live generation was last compared with the open one
        self._store: Store | None = None
        self._retriever: Retriever | None = None
        self._llm: Any = None
        self._ledger: list[Any] | None = None
        self._planner: Planner | None = None

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
        """Incrementally re-index the corpus (and uploads); queries see the new index after.

        The build runs beside the live index and questions keep being answered from it; the
        only shared moment is the swap of the loaded parts, which takes no time.
        """
        with self._build_lock:
            report = build_index(self.settings, rebuild=rebuild, progress=progress,
                                 embedder=self.embedder, on_progress=on_progress)
            self._swap()
            return report

    def _swap(self) -> None:
        """Point questions at the new index. When one was loaded, the new one is loaded before
        the swap (outside the lock), so no question waits for it. The old one is not closed
        here: questions in flight may still read it, and it closes itself (giving up its
        reader lease) when the last lets go."""
        with self._lock:
            serving = self._retriever is not None
        store = retriever = None
        if serving:
            store = open_index(self.settings)
            retriever = Retriever(store, self.embedder, self.settings.retrieval)
        with self._lock:
            self._store, self._retriever, self._ledger, self._planner = store, retriever, None, None
            self._checked = time.monotonic()

    def _unload(self) -> None:
        # Not closed here either (see `_swap`).
        self._store, self._retriever, self._ledger, self._planner = None, None, None, None

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
        with self._lock:  # with the retriever, so a swap cannot fall between them
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
        default_analyzer().warm_up()

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
        """The answer model's probability that `hits` answer `question`; the extractive answerer
        refuses below `refusal_threshold()`. One method, so the retrieval test page shows what
        the answerer decides with."""
        if not hits:
            return 0.0
        return self.extractive.answer_probability(self.plan(question), hits)

    def refusal_threshold(self) -> float:
        """The probability below which the extractive answerer refuses (fitted with the scorer)."""
        return self.extractive.scorer.refuse_below

    def plan(self, question: str, history: History = ()) -> Plan:
        """The question understood once: standalone form, what it asks, the documents it names."""
        return self._planner_for().plan(question, history)

    def prepare(self, question: str, history: History = (), filters: Filters | None = None) -> tuple[Plan, list[Hit]]:
        """The plan of a question and the passages retrieved for it (what the answerers read)."""
        plan = self.plan(question, history)
        return plan, self._search(plan, filters).hits

    def ask(self, question: str, *, persona: str | None = None, history: History = (),
            filters: Filters | None = None, backend: str | None = None) -> Answer:
        """The answer to `question`, with citations (or a refusal with the closest passages)."""
        for item in self.stream(question, persona=persona, history=history, filters=filters, backend=backend):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream() ended without an Answer")  # pragma: no cover

    def stream(self, question: str, *, persona: str | None = None, history: History = (),
               filters: Filters | None = None, backend: str | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are produced, then the final Answer (which is authoritative).

        The question is checked and cut to `answer.max_question_chars` before any work, here
        rather than in a browser, so every caller gets the same limit (`assistant.limits`).
        """
        persona = persona or self.settings.answer.persona
        backend = backend or self.settings.answer.backend
        if persona not in PERSONAS:
            raise QueryError(f"unknown persona '{persona}'; valid: {', '.join(PERSONAS)}")
        if backend not in BACKENDS:
            raise BackendError(f"unknown answer backend '{backend}'; valid: {', '.join(BACKENDS)}")
        if filters is not None and not isinstance(filters, Filters):
            raise QueryError(f"filters must be a Filters object, not {type(filters).__name__}")
        limit = self.settings.answer.max_question_chars
        checked = check_question(question, limit)
        turns = check_history(history, limit)
        plan = self.plan(checked.text, turns)
        notices = (*checked.notices, *parts_notice(plan))
        for item in self._stream(plan, persona, turns, filters, backend):
            if isinstance(item, Answer) and notices:
                item = replace(item, notices=(*notices, *item.notices))
            yield item

    def _stream(self, plan: Plan, persona: str, history: History, filters: Filters | None,
                backend: str) -> Iterator[str | Answer]:
        from assistant.ledger_answer import answer_from_ledger

        if not (filters and filters.active()):
            listed = answer_from_ledger(plan, self.ledger(), self.documents())
            if listed is not None:
                yield listed.text
                yield listed
                return
        found = self._search(plan, filters)
        if backend == "llm":
            items = self._llm_answerer().stream(plan, found.hits, persona=persona, history=history)
        else:
            items = self.extractive.stream(plan, found.hits)
        for item in items:
            if isinstance(item, Answer) and found.notices:
                item = replace(item, notices=(*found.notices, *item.notices))
            yield item

    def _search(self, plan: Plan, filters: Filters | None) -> Retrieval:
        """The passages for a plan: the question's best, with the best of each document it
        compares and of each part it asks interleaved in front."""
        k = self.settings.retrieval.k
        found = self.search(plan.standalone, filters=filters)
        if filters and filters.active():
            return found
        groups: list[Sequence[Hit]] = []
        if plan.documents and (plan.comparison or not any(h.document.doc_id in plan.documents for h in found.hits[:3])):
            # Each document the question names (or compares) gets its own best passages.
            per_doc = max(2, k // max(1, len(plan.documents)))
            groups += [self.retrieve(plan.standalone, k=per_doc, filters=Filters(doc_ids=(d,)))
                       for d in plan.documents[:4]]
        within: list[Sequence[Hit]] = []
        for part in plan.parts:
            if plan.contrasted and not part.documents:
                # Set against a part about a named document, it is about another (Plan.contrasted).
                others = [h for h in self.retrieve(part.standalone, k=3 * k, filters=filters)
                          if h.document.doc_id not in plan.contrasted]
                groups.append(others[:k])
                continue
            groups.append(self.retrieve(part.standalone, k=k, filters=filters))
            if part.documents and not any(h.document.doc_id in part.documents for h in groups[-1][:3]):
                # A part about named documents ("…办法的文号是什么？什么时候实施？") that finds
                # other documents is also looked for in them, after the question's own passages.
                within.append(self.retrieve(part.standalone, k=k, filters=Filters(doc_ids=part.documents[:4])))
        if not groups:
            return found
        # A passage the question found itself keeps the question's scores (the scorer reads
        # them as how well it matches the question), wherever the interleaving puts it.
        own = {h.chunk.chunk_id: h for h in found.hits}
        hits = [replace(own.get(h.chunk.chunk_id, h), rank=h.rank)
                for h in _interleave([*groups, found.hits, *within])[: k + 2 * len(groups)]]
        return replace(found, hits=hits)

    def _planner_for(self) -> Planner:
        with self._lock:
            if self._planner is None:
                self._planner = Planner(Catalogue.of(self.documents()),
                                        max_parts=self.settings.answer.max_question_parts)
            return self._planner

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
