"""An answer as plain Markdown: for the copy button (citations as footnotes) and the .md download.

No HTML and no escaping here: this text goes to the clipboard or a file, never to a renderer.
Checker flags and notices travel with the answer, so a copied answer never loses its caveats.
"""

from __future__ import annotations

from app.ui.render import label
from assistant.cite import MARKER_RE, _expand
from assistant.types import Answer, Citation


def _one_line(text: str) -> str:
    return " ".join(text.split())


def citation_ref(c: Citation) -> str:
    """《title》，文号，date（heading path）"""
    ref = "，".join(x for x in (f"《{c.title}》", c.doc_number or "", c.date or "") if x)
    path = " › ".join(c.heading_path[1:] if c.heading_path[:1] == (c.title,) else c.heading_path)
    return ref + (f"（{path}）" if path else "")


def _caveats(answer: Answer) -> list[str]:
    s = answer.script
    lines: list[str] = []
    if answer.flagged:
        lines += [f"> {label('以下句子未能在引用段落中核实：', s)}", *(f"> - {f}" for f in answer.flagged), ""]
    lines += [f"> {n}" for n in answer.notices]
    return lines + ([""] if answer.notices else [])


def copy_markdown(answer: Answer) -> str:
    """The answer with its markers as Markdown footnotes ([1] → [^1]) and the footnotes below."""
    s = answer.script
    known = {c.number for c in answer.citations}
    text = MARKER_RE.sub(lambda m: "".join(f"[^{n}]" if n in known else f"[{n}]" for n in _expand(m.group(1))),
                         answer.text)
    lines = [f"> {label('未在文档中找到答案', s)}", ""] if answer.refused else []
    lines += [text.strip(), ""]
    lines += _caveats(answer)
    for c in answer.citations:
        lines.append(f"[^{c.number}]: {citation_ref(c)}：“{_one_line(c.quote)}”")
    if not answer.citations and answer.closest:
        lines.append(f"{label('最接近的段落', s)}：")
        lines += [f"{i}. 《{h.document.title}》 {' › '.join(h.chunk.heading_path[1:])}：{_one_line(h.chunk.text)}"
                  for i, h in enumerate(answer.closest, 1)]
    return "\n".join(lines).rstrip() + "\n"


def answer_markdown(answer: Answer) -> str:
    """The question, the answer and its citations (quoted in full) as a Markdown document."""
    s = answer.script
    lines = [f"# {_one_line(answer.question)}", ""]
    if answer.refused:
        lines += [f"> {label('未在文档中找到答案', s)}", ""]
    lines += [answer.text, ""]
    lines += _caveats(answer)
    if answer.citations:
        lines += [f"## {label('来源', s)}", ""]
        for c in answer.citations:
            lines.append(f"[{c.number}] {citation_ref(c)}")
            lines += ["", *(f"> {q}" for q in c.quote.splitlines() if q.strip()), ""]
    elif answer.closest:
        lines += [f"## {label('最接近的段落', s)}", ""]
        for i, h in enumerate(answer.closest, 1):
            lines.append(f"{i}. 《{h.document.title}》 {' › '.join(h.chunk.heading_path[1:])}")
            lines += ["", *(f"> {q}" for q in h.chunk.text.splitlines() if q.strip()), ""]
    return "\n".join(lines).rstrip() + "\n"
