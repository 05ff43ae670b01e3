"""The LLM answerer: any OpenAI-compatible chat endpoint through LangChain, streamed and checked.

The model sees the hits as numbered passages [1]..[n] and must cite them sentence by sentence.
Its answer is then checked (`assistant.check`): markers to passages not given are removed, and
sentences whose numbers or wording the cited passages do not support are flagged. Each marker
becomes a `Citation` quoting the passage sentence(s) that best support that answer sentence.
When the endpoint fails or times out, or its reply is malformed, cut off, too slow or too long
(`assistant.llm_stream`), the injected extractive answerer answers instead, with a notice
saying which.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from assistant.check import REFUSAL_PHRASE, check_answer
from assistant.cite import (
    best_span,
    citation_from_hit,
    renumber_markers,
    strip_markers,
    to_answer_script,
)
from assistant.llm_stream import StreamFault, bounded_deltas, describe
from assistant.plan import Plan
from assistant.types import Answer, Citation, Hit
from config.errors import BackendError
from config.settings import LLMSettings
from index.injection import without_instructions
from index.normalize import normalize, to_script
from index.types import Script
from prompts import PromptSet, load_prompt_set

log = logging.getLogger(__name__)
History = Sequence[tuple[str, str]]  # earlier turns: (question, answer text)
SCRIPT_NAMES: dict[Script, str] = {"simplified": "简体中文", "traditional": "繁體中文"}
_HISTORY_TURNS = 3
_HISTORY_ANSWER_CHARS = 200
_CLOSEST = 3
_DUMMY_KEY = "not-needed"
INSTRUCTION_MARK = "（此处一行疑似给AI的指令，已略去）"
_FENCE = re.compile(r"<<<|>>>")  # local servers (llama.cpp, Ollama, vLLM) accept any key


class AnswerFn(Protocol):
    def __call__(self, plan: Plan, hits: Sequence[Hit]) -> Answer: ...


class LLMAnswerer:
    """Answers from hits with a chat model; falls back to `extractive_fallback` on failure."""

    name = "llm"

    def __init__(
        self,
        llm_settings: LLMSettings,
        prompts: PromptSet | None = None,
        extractive_fallback: AnswerFn | None = None,
    ) -> None:
        self.settings = llm_settings
        self.prompts = prompts if prompts is not None else load_prompt_set()
        self.fallback = extractive_fallback

    def answer(
        self, plan: Plan, hits: Sequence[Hit], *, persona: str, history: History = ()
    ) -> Answer:
        """The final answer (the streamed text deltas are discarded)."""
        for item in self.stream(plan, hits, persona=persona, history=history):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream() ended without an Answer")  # pragma: no cover

    def stream(
        self, plan: Plan, hits: Sequence[Hit], *, persona: str, history: History = ()
    ) -> Iterator[str | Answer]:
        """Text deltas as the model writes them, then the checked final `Answer`.

        The model gets the plan: the standalone question (follow-ups already resolved), what it
        asks for, its parts and the documents it names. The final Answer is authoritative: its
        text has renumbered markers and the question's script, and after a fallback it replaces
        whatever was streamed before.
        """
        template = self.prompts.answer_for(persona)  # unknown persona fails before any request
        script = plan.script
        question = plan.question
        if not hits:
            text = to_script(f"{REFUSAL_PHRASE}与该问题相关的内容。", script)
            yield Answer(question, text, (), refused=True, script=script, backend=self.name)
            return
        prompt = template.render(
            question=describe_plan(plan, hits),
            passages=format_passages(hits),
            script=SCRIPT_NAMES[script],
            history=format_history(history),
        )
        parts: list[str] = []
        try:
            # Any failure, however the server misbehaves, ends in StreamFault: a fallback.
            chunks = self._chat(streaming=True).stream(_messages(prompt.system, prompt.user))
            for delta in bounded_deltas(chunks, deadline_s=self.settings.deadline_s,
                                        max_chars=self.settings.max_output_chars):
                parts.append(delta)
                yield to_script(delta, script)
        except StreamFault as fault:
            yield self._fall_back(plan, hits, fault.reason)
            return
        except Exception as exc:  # failing to even start the request (a bad URL, say)
            yield self._fall_back(plan, hits, describe(exc))
            return
        raw = "".join(parts).strip()
        if not raw:
            yield self._fall_back(plan, hits, "未返回内容")
            return
        yield finish_answer(question, raw, hits, script)

    def _fall_back(self, plan: Plan, hits: Sequence[Hit], reason: str) -> Answer:
        if self.fallback is None:
            raise BackendError(
                f"LLM endpoint {self.settings.base_url} failed ({reason}); start the server or "
                "fix llm.base_url/llm.model, or set answer.backend = \"extractive\""
            )
        unreachable = reason in ("超时", "无法连接") or reason.startswith("HTTP")
        what = "大模型服务不可用" if unreachable else "大模型的回答无法使用"
        notice = to_script(f"{what}（{reason}），以下为抽取式答案。", plan.script)
        answer = self.fallback(plan, hits)
        return _with_notices(answer, (notice,))

    def _chat(self, *, streaming: bool) -> Any:
        """A chat model for one request; the key is read from the environment now."""
        from langchain_openai import ChatOpenAI  # heavy import, deferred to first use
        from pydantic import SecretStr

        s = self.settings
        return ChatOpenAI(
            model=s.model,
            base_url=s.base_url,
            api_key=SecretStr(s.api_key() or _DUMMY_KEY),
            timeout=s.timeout_s,
            max_retries=s.max_retries,
            temperature=s.temperature,
            streaming=streaming,
        )


def finish_answer(question: str, raw: str, hits: Sequence[Hit], script: Script) -> Answer:
    """Check a generated answer, map its markers to citations, and put it in `script`."""
    given = [citation_from_hit(i, h, 0, len(h.chunk.text)) for i, h in enumerate(hits, 1)]
    result = check_answer(raw, given)
    sources = [h.chunk.text for h in hits]
    numbering: dict[tuple[int, int, int], int] = {}
    citations: list[Citation] = []
    pieces: list[str] = []
    flagged: list[str] = []
    pos = 0
    for sentence in result.sentences:
        pieces.append(to_answer_script(result.valid_text[pos : sentence.start], script))
        mapping: dict[int, int] = {}
        claim = strip_markers(sentence.text)
        for n in sentence.markers:
            hit = hits[n - 1]
            span = best_span(hit.chunk.text, claim)
            key = (n, *span)
            if key not in numbering:
                numbering[key] = len(numbering) + 1
                citations.append(citation_from_hit(numbering[key], hit, *span))
            mapping[n] = numbering[key]
        final = to_answer_script(renumber_markers(sentence.text, mapping), script, sources)
        pieces.append(final)
        if sentence.reason:
            flagged.append(final)
        pos = sentence.end
    pieces.append(to_answer_script(result.valid_text[pos:], script))
    refused = not citations and REFUSAL_PHRASE in normalize(result.valid_text)
    notices: list[str] = []
    if result.invalid_markers:
        marks = "".join(f"[{n}]" for n in result.invalid_markers)
        notices.append(f"答案引用了未提供的段落{marks}，已删除这些标注。")
    if flagged:
        notices.append(f"有{len(flagged)}句内容未能在所引段落中核实，已标出，请对照原文。")
    return Answer(
        question=question,
        text="".join(pieces).strip(),
        citations=tuple(citations),
        refused=refused,
        script=script,
        backend="llm",
        notices=tuple(to_script(n, script) for n in notices),
        flagged=tuple(flagged),
        closest=tuple(hits[:_CLOSEST]) if refused else (),
    )


_KIND_NAMES = {"figure": "数额或比例", "date": "日期或期限", "doc_number": "文号", "unit": "负责或办理的单位",
               "list": "逐项列出", "yesno": "是或否"}


def describe_plan(plan: Plan, hits: Sequence[Hit]) -> str:
    """The question for the prompt: the standalone question, then what it asks for, its parts
    and the documents it names (from the plan)."""
    notes = []
    asked = [_KIND_NAMES[k] for k in plan.kinds if k in _KIND_NAMES]
    if asked:
        notes.append("要回答：" + "、".join(asked))
    if plan.parts:
        notes.append("分为几问，逐一回答：" + "；".join(p.standalone for p in plan.parts))
    titles = {h.document.doc_id: h.document.title for h in hits}
    named = [titles[d] for d in plan.documents if d in titles]
    if named:
        notes.append("问的是：" + "、".join(f"《{t}》" for t in named))
    if plan.comparison:
        notes.append("需要分别给出各文件的说法")
    return plan.standalone + (f"（{'；'.join(notes)}）" if notes else "")


def format_passages(hits: Sequence[Hit]) -> str:
    """The hits as numbered passages with title, 文号, date and heading path.

    Passages are data for the model, never instructions (prompts/answer.toml fences them): a
    line that speaks to an AI is replaced by a mark, and the fence markers cannot occur inside.
    """
    blocks = []
    for i, hit in enumerate(hits, 1):
        doc, chunk = hit.document, hit.chunk
        heading = " > ".join(h.strip() for h in chunk.heading_path) or "（无）"
        block = (
            f"[{i}] 标题：{doc.title}\n文号：{doc.doc_number or '（无）'}\n"
            f"日期：{doc.date or '（无）'}\n位置：{heading}\n正文：{chunk.text.strip()}"
        )
        blocks.append(_FENCE.sub("", without_instructions(block, INSTRUCTION_MARK)))
    return "\n\n".join(blocks)


def format_history(history: History) -> str:
    """The last few turns as 问/答 lines, answers shortened and without markers."""
    if not history:
        return "（无）"
    lines = []
    for question, answer in list(history)[-_HISTORY_TURNS:]:
        short = strip_markers(answer).strip()[:_HISTORY_ANSWER_CHARS]
        lines.append(f"问：{question.strip()}\n答：{short}")
    return "\n".join(lines)


def _messages(system: str, user: str) -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(content=system), HumanMessage(content=user)]


def _with_notices(answer: Answer, notices: tuple[str, ...]) -> Answer:
    from dataclasses import replace

    return replace(answer, notices=notices + answer.notices)
