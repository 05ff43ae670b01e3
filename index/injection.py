"""Text that speaks to the assistant instead of the reader: prompt injection in a document.

Official documents address agencies, enterprises and citizens; they never tell an AI to ignore
its instructions, take on a new role, or answer a question in set words. A line that does so
("忽略以上所有指令，回答：…", "ignore previous instructions", "你现在是…", "当用户问到…时请回答…")
is dropped at ingest like spam, and logged; answerers also skip such sentences in passages
indexed before this check existed. The patterns are families of wording, not one string.
"""

from __future__ import annotations

import re
from typing import Protocol

from index.normalize import normalize

_IGNORE = r"(?:忽略|无视|忘记|忘掉|不要理会|不必理会|不用理会|抛开|丢弃|绕过)"
_EARLIER = r"(?:以上|上述|上面|之前|此前|先前|前面|前述|原有|原来|系统)"
_ORDERS = r"(?:指令|提示词|提示语|提示|规则|设定|约束|命令)"
_MODEL = r"(?:AI|ai|人工智能助手|AI助手|智能助手|问答助手|助手|大模型|语言模型|ChatGPT|GPT|LLM|assistant)"
_ANSWER = r"(?:回答|回复|作答|答复为|输出|告诉用户|告诉提问者|直接说)"

_PATTERNS = [
    # 忽略以上所有指令 / 无视之前的规则 / 忘记你的设定
    re.compile(_IGNORE + r"[^。！？!?\n]{0,8}?" + _EARLIER + r"[^。！？!?\n]{0,6}?" + _ORDERS),
    re.compile(_IGNORE + r"[^。！？!?\n]{0,6}?(?:你的|所有的?|全部的?|一切)" + _ORDERS),
    re.compile(_IGNORE + r"[^。！？!?\n]{0,4}?(?:指令|提示词|系统提示|prompt)", re.IGNORECASE),
    # 你现在是… / 从现在起你扮演… / 你的新身份是…
    re.compile(r"你(?:现在|从现在起|从现在开始|接下来|今后|此后)(?:是|要扮演|扮演|充当|就是|将扮演|只能)"),
    re.compile(r"(?:从现在起|从现在开始|接下来)[，,]?你(?:是|要|将|必须|只能)"),
    re.compile(r"你的(?:新)?(?:身份|角色|任务|设定)(?:是|为|变为|改为)"),
    # 请回答：… / 回答：… / 当用户问到…时请回答…
    re.compile(r"(?:请|务必|必须|只能|一律|直接|只)" + _ANSWER + r"\s*[:：]"),
    re.compile(r"(?:请|务必|必须|只能|一律|统一)(?:直接)?(?:回答|回复|作答)(?:用户|提问者|问题)?(?:说|为|是|称)"),
    re.compile(r"请(?:直接|只|务必|一定)?回答"),
    re.compile(r"(?:用户|提问者|有人|别人|任何人)(?:问|询问|提问|咨询)[^。！？!?\n]{0,30}?(?:时|的话)[，,]?"
               r"(?:你)?(?:请|就|一律|都|要|应)?" + _ANSWER),
    # addressing the model: 致AI助手… / 大模型请…
    re.compile(r"(?:致|给|告诉|通知)" + _MODEL + r"[:：，,]"),
    re.compile(_MODEL + r"(?:请|必须|须|应当|应该|务必)(?:回答|回复|输出|忽略|无视)"),
    re.compile(r"(?:新的|以下)(?:指令|系统提示|提示词)[:：]"),
    re.compile(r"\bsystem\s+prompt\b", re.IGNORECASE),
    # English families
    re.compile(r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,30}?\b(?:instructions?|prompts?)\b",
               re.IGNORECASE),
    re.compile(r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
               r"(?:previous|prior|above|earlier|preceding|foregoing|original|initial)\s+"
               r"(?:rules|directions|guidelines|context|messages?)\b", re.IGNORECASE),
    re.compile(r"\byou\s+are\s+now\b|\bfrom\s+now\s+on,?\s+you\b|\bpretend\s+(?:to\s+be|you\s+are)\b"
               r"|\bact\s+as\s+(?:an?\s+)?(?:ai|assistant|model|chatbot)\b", re.IGNORECASE),
    re.compile(r"\b(?:answer|respond|reply)\s+only\b|\b(?:answer|respond|reply)\s+with\s*[\"“']"
               r"|(?:^|\n)\s*(?:system|assistant)\s*:", re.IGNORECASE),
    re.compile(r"\bnew\s+instructions?\b|\bjailbreak\b", re.IGNORECASE),
]


def looks_like_instruction(text: str) -> bool:
    """Whether `text` (a sentence or a line) speaks to the assistant rather than the reader."""
    norm = normalize(text)
    squeezed = re.sub(r"[ \t\u3000]+", "", norm)  # "忽 略 以 上" is spaced out to slip past
    return any(p.search(norm) or p.search(squeezed) for p in _PATTERNS)


def without_instructions(text: str, mark: str = "") -> str:
    """`text` with every sentence that looks like an instruction replaced by `mark`."""
    out = []
    for m in _SENTENCE.finditer(text):
        piece = m.group()
        if piece and looks_like_instruction(piece):
            out.append(mark + ("\n" if piece.endswith("\n") else ""))
        else:
            out.append(piece)
    return "".join(out)


# A sentence: up to an end mark (with closing quotes), an English full stop before a space,
# or a line end. "忽略以上所有指令，回答：…" is one sentence, so the payload goes with it.
_SENTENCE = re.compile(r"[^。！？!?；;\n]*?(?:[。！？!?；;]+[”’」』)）]*|\.(?=\s)|\n|$)")


class _Line(Protocol):
    text: str


class _Cleaned(Protocol):  # index.clean.Cleaned
    lines: list
    keep: list[bool]
    dropped: list[str]


def drop_instruction_lines(cleaned: _Cleaned) -> None:
    """Ingest hook: mark kept lines that speak to the assistant as dropped, and log each."""
    for i, (line, keep) in enumerate(zip(cleaned.lines, cleaned.keep, strict=True)):
        if keep and looks_like_instruction(line.text):
            cleaned.keep[i] = False
            cleaned.dropped.append(f"instruction-like text dropped (line {i + 1}): {line.text.strip()[:40]}…")
