"""`policyqa ask "…"`: answer a question with citations to the source paragraphs."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from config import Settings

PERSONAS = ("citizen", "cppcc", "staff")


def add_parser(sub: argparse._SubParsersAction) -> None:
    from app.cli import add_indexed_corpus_option

    p = sub.add_parser(
        "ask", help="answer a question, citing the source paragraphs",
        description="Answer a question from the indexed documents. The default answerer is "
        "extractive (verbatim cited sentences, no LLM); --llm uses the OpenAI-compatible "
        "endpoint in [llm] (key from the variable named by llm.api_key_env), falling back to "
        "the extractive answer when it fails. Build the index first with `policyqa index`.",
    )
    p.add_argument("question", help="the question, in simplified or traditional characters")
    p.add_argument("--persona", choices=PERSONAS, default=None,
                   help="who is asking: citizen (plain language, amounts), cppcc (what was done and "
                        "promised), staff (exact commitments, deadlines, units); default: answer.persona")
    p.add_argument("--llm", nargs="?", const="", default=None, metavar="MODEL",
                   help="answer with the LLM endpoint; optionally name the model (default: llm.model)")
    add_indexed_corpus_option(p)
    p.add_argument("--json", action="store_true",
                   help="one JSON object: answer, refused, citations with file and offsets")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from app.cli import require_indexed_corpus

    require_indexed_corpus(args, settings)
    from assistant.build import build_assistant
    from assistant.types import Answer

    backend = None
    if args.llm is not None:
        backend = "llm"
        if args.llm:
            settings = settings.with_overrides(llm={"model": args.llm})
    assistant = build_assistant(settings)
    if args.json:
        print(json.dumps(as_json(assistant.ask(args.question, persona=args.persona, backend=backend)),
                         ensure_ascii=False, indent=2))
        return 0
    answer: Answer | None = None
    streamed = False
    for item in assistant.stream(args.question, persona=args.persona, backend=backend):
        if isinstance(item, Answer):
            answer = item
        elif backend == "llm":  # show the model's words as they come; the checked answer follows
            sys.stdout.write(item)
            sys.stdout.flush()
            streamed = True
    assert answer is not None
    if streamed:
        print("\n\n——— 核对后的回答 ———")
    print_answer(answer)
    return 0


def as_json(answer: object) -> dict:
    data = dataclasses.asdict(answer)  # type: ignore[call-overload]
    data["closest"] = [
        {"source": h["document"]["source"], "title": h["document"]["title"], "start": h["chunk"]["start"],
         "end": h["chunk"]["end"], "text": h["chunk"]["text"]}
        for h in data.pop("closest")
    ]
    for c in data["citations"]:
        c["heading_path"] = list(c["heading_path"])
    return {k: data[k] for k in ("question", "text", "refused", "script", "backend", "notices", "flagged",
                                 "citations", "closest")}


def print_answer(answer: object) -> None:
    a = answer  # an assistant.types.Answer
    for notice in a.notices:  # type: ignore[attr-defined]
        print(f"注意: {notice}")
    print(a.text)  # type: ignore[attr-defined]
    if a.citations:  # type: ignore[attr-defined]
        print()
    for c in a.citations:  # type: ignore[attr-defined]
        meta = " · ".join(x for x in (c.doc_number, c.date, " > ".join(c.heading_path[1:])) if x)
        print(f"[{c.number}] {_book(c.title)} {meta}")
        print(f"    {c.source} [{c.start}:{c.end}] “{' '.join(c.quote.split())}”")
    if a.refused and a.closest:  # type: ignore[attr-defined]
        print("\n最接近的段落:")
        for h in a.closest:  # type: ignore[attr-defined]
            print(f"  - {_book(h.document.title)} {h.document.source} [{h.chunk.start}:{h.chunk.end}] "
                  f"{' '.join(h.chunk.text.split())[:80]}…")
    for f in a.flagged:  # type: ignore[attr-defined]
        print(f"未能核实: {f}")


def _book(title: str) -> str:
    """A title in 《》; a title that itself holds 《》 gets 〈〉 inside (《〈…〉解读》)."""
    return "《" + title.replace("《", "〈").replace("》", "〉") + "》"
