"""Build or update the index: ingest the corpus, embed only what is new, swap in atomically.

Incremental by construction: chunk ids are content hashes, so a chunk whose id is already in
the live index keeps its vector, and only new chunks are embedded. The new index is written as
a new generation of the configured store (index.stores: a folder, or a Milvus collection) and
made live in one atomic step only when complete, so an exception or Ctrl-C mid-build leaves the
previous index in service; chunks of removed or changed files are simply not in the new one.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from config.settings import Settings
from index.commitments.ledger import build_ledger, load_ledger, save_ledger
from index.embed import Embedder, make_embedder
from index.ingest import Skipped
from index.leftovers import clear_unfinished_builds
from index.lexical import Tokenizer
from index.manifest import Manifest, package_versions, shaping
from index.normalize import normalize
from index.sources import ingest_sources, source_path
from index.store import open_index
from index.stores import backend_for
from index.stores.base import Contents, Store
from index.types import Chunk, Document

LEDGER_FILE = "ledger.json"
ProgressFn = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)


@dataclass(frozen=True)
class BuildReport:
    """What a build changed, by source file, and what it cost."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    documents: int
    chunks: int
    embedded: int  # chunks whose vectors were computed in this build
    reused: int  # chunks whose vectors came from the previous index
    seconds: float
    generation: str  # the name of the generation this build made live
    notices: tuple[str, ...] = field(default_factory=tuple)
    dropped: tuple[str, ...] = field(default_factory=tuple)  # lines left out: spam, injection, TOC…

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
                f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped; "
                f"{self.documents} documents, {self.chunks} chunks "
                f"({self.embedded} embedded, {self.reused} reused) in {self.seconds:.1f} s")


def passage_text(document: Document, chunk: Chunk) -> str:
    """What the embedder sees for a chunk: the normalised document title, then its text.

    The title says what a paragraph is about when the paragraph does not (users name the
    document: "某区规划", "第123号提案"). Heading paths were measured too and made dense
    ranking worse on the dev set: siblings sharing a long heading path look alike.
    """
    title = " ".join(normalize(document.title).split())
    return f"{title}\n{' '.join(chunk.text_norm.split())}"


def lexical_text(document: Document, chunk: Chunk) -> str:
    """What BM25 indexes for a chunk: its heading path and text (the title would repeat the
    same words in every chunk of a document, which only blurs BM25's length normalisation)."""
    return " ".join([*chunk.heading_path, chunk.text_norm])


def build_index(settings: Settings, *, rebuild: bool = False, progress: bool = True,
                embedder: Embedder | None = None,
                on_progress: ProgressFn | None = None) -> BuildReport:
    """Ingest the corpus (and uploads) and (re)build the index in `settings.paths.index_dir`.

    One build at a time per index folder: a second concurrent build fails at once with
    IndexBusyError rather than racing the first for the generation folders.
    """
    settings.paths.index_dir.mkdir(parents=True, exist_ok=True)
    with backend_for(settings).build_lock():
        # Folders a killed local build left (no manifest), listed in the report.
        cleared = clear_unfinished_builds(settings.paths.index_dir) if settings.index.store == "local" else []
        report = _build(settings, rebuild=rebuild, progress=progress, embedder=embedder, on_progress=on_progress)
        if cleared:
            note = f"removed {len(cleared)} folder(s) left by an unfinished build: {', '.join(cleared)}"
            report = replace(report, notices=(*report.notices, note))
        return report


def _build(settings: Settings, *, rebuild: bool, progress: bool, embedder: Embedder | None,
           on_progress: ProgressFn | None) -> BuildReport:
    started = time.perf_counter()
    embedder = embedder or make_embedder(settings.embedding)
    corpus = settings.paths.corpus
    ingest = ingest_sources(settings, progress=progress)  # corpus + uploads − excluded
    docs = {d.doc_id: d for d in ingest.documents}
    files = {d.source: _file_hash(source_path(settings, d.source), d) for d in ingest.documents}
    shape = shaping(settings, embedder.name)

    notices: list[str] = []
    old = None if rebuild else _previous(settings, shape, notices)
    old_files = old.manifest.files if old else {}
    vectors = _vectors(ingest.chunks, docs, embedder, settings.embedding.batch_size, old,
                       progress, on_progress)
    embedded = vectors.embedded
    if old is not None:
        old.close()

    tokenize = Tokenizer()
    lexical = [lexical_text(docs[c.doc_id], c) for c in ingest.chunks]
    manifest = Manifest(
        embedder=embedder.name, dim=embedder.dim, shaping=shape, files=files,
        corpus=str(corpus), documents=len(ingest.documents), chunks=len(ingest.chunks),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 3), packages=package_versions(),
    )
    # The commitments ledger is extracted at index time and swapped in with the index.
    ledger = build_ledger(ingest.documents, ingest.chunks)
    contents = Contents(manifest, ingest.documents, ingest.chunks, vectors.matrix,
                        [tokenize(t) for t in lexical], lexical, {LEDGER_FILE: ledger_bytes(ledger)})
    backend = backend_for(settings)
    writer = backend.writer()
    try:
        writer.write(contents)
    except BaseException:
        writer.discard()  # also on Ctrl-C: the old index stays live
        raise
    generation = writer.publish()  # the one atomic step; before it the old index is live
    backend.sweep()  # retired generations no reader holds (the others go with their last reader)

    return BuildReport(
        added=tuple(sorted(set(files) - set(old_files))),
        updated=tuple(sorted(f for f in files if f in old_files and old_files[f] != files[f])),
        removed=tuple(sorted(set(old_files) - set(files))),
        unchanged=tuple(sorted(f for f in files if old_files.get(f) == files[f])),
        skipped=tuple(ingest.skipped), documents=len(ingest.documents),
        chunks=len(ingest.chunks), embedded=embedded, reused=len(ingest.chunks) - embedded,
        seconds=time.perf_counter() - started, generation=generation, notices=tuple(notices),
        dropped=tuple(ingest.dropped),
    )


def ledger_bytes(rows: Sequence[Any]) -> bytes:
    """The ledger as stored with a generation (the format of `save_ledger`)."""
    with tempfile.TemporaryDirectory(prefix="pqa-ledger-") as tmp:
        path = Path(tmp) / LEDGER_FILE
        save_ledger(rows, path)
        return path.read_bytes()


def ledger_from_bytes(data: bytes) -> list[Any]:
    """The ledger rows of `ledger_bytes` output."""
    with tempfile.TemporaryDirectory(prefix="pqa-ledger-") as tmp:
        path = Path(tmp) / LEDGER_FILE
        path.write_bytes(data)
        return load_ledger(path)


def _file_hash(path: Path, document: Document) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return document.content_hash


def _previous(settings: Settings, shape: dict, notices: list[str]) -> Store | None:
    """The live index when its vectors can be reused with the current settings."""
    if backend_for(settings).live() is None:
        return None
    try:
        old = open_index(settings, check=False)
    except Exception as exc:  # a damaged old index must not block building a new one
        notices.append(f"previous index unreadable ({exc}); rebuilding everything")
        return None
    try:
        old.vectors([0] if len(old) else [])  # stores load lazily: make sure its vectors read
    except Exception as exc:
        old.close()
        notices.append(f"previous index's vectors unreadable ({exc}); rebuilding everything")
        return None
    same = ("embedder", "embed_text")
    if any(old.manifest.shaping.get(k) != shape[k] for k in same):
        notices.append("embedder or embedding text changed since the last build; "
                       "re-embedding every chunk")
        old.close()
        return None
    return old


@dataclass(frozen=True)
class _Vectors:
    matrix: np.ndarray
    embedded: int


def _vectors(chunks: list[Chunk], docs: dict[str, Document], embedder: Embedder,
             batch_size: int, old: Store | None, progress: bool,
             on_progress: ProgressFn | None) -> _Vectors:
    """One vector per chunk: reused from `old` by chunk id, else embedded (once per text)."""
    matrix = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    old_rows = old.rows_of_chunk_ids() if old is not None else {}
    reuse = [(i, old_rows[c.chunk_id]) for i, c in enumerate(chunks) if c.chunk_id in old_rows]
    if reuse and old is not None:
        mine, theirs = zip(*reuse, strict=True)
        matrix[list(mine)] = old.vectors(list(theirs))
    reused = {i for i, _ in reuse}
    todo: dict[str, list[int]] = {}  # identical texts (repeated page copies) embed once
    for i, c in enumerate(chunks):
        if i not in reused:
            todo.setdefault(passage_text(docs[c.doc_id], c), []).append(i)
    texts = list(todo)
    bar = tqdm(total=len(texts), desc="embedding", unit="chunk", disable=not progress or not texts)
    try:
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            for text, vec in zip(batch, embedder.embed_batch(batch, "passage"), strict=True):
                matrix[todo[text]] = vec
            bar.update(len(batch))
            if on_progress is not None:
                on_progress(min(start + batch_size, len(texts)), len(texts))
    finally:
        bar.close()
    return _Vectors(matrix, len(chunks) - len(reused))
