"""HTML for answers and source cards. Every piece of document text and model output is escaped.

Nothing here reads files: a card shows the citation's paragraph and, on "展开上下文", the
neighbouring chunks of the same document (its cleaned text, never the raw page with its
navigation lines), handed in by the caller. Chat messages are rendered by Gradio's Markdown,
so answer text is escaped twice over: `<`, `>` and `&` as HTML entities first, then a
backslash before every Markdown punctuation mark, so a document or a model can neither inject
markup nor make links. (Quotes are left alone: they are harmless in text, and an entity such
as `&#x27;` would be shown literally once its `#` is escaped.)
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from app.ui.base import Turn
from assistant.cite import MARKER_RE, _expand
from assistant.types import Answer, Citation, Hit
from index.normalize import to_traditional
from index.types import Chunk, Script

CONTEXT_RADIUS = 500  # characters of neighbouring chunks shown on "展开上下文", each side
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$])")
DocChunks = Callable[[str], Sequence[Chunk]]  # doc_id -> the document's chunks (cleaned text)


def esc(text: object) -> str:
    """HTML-escaped text (quotes too, so it is safe inside attributes)."""
    return html.escape(str(text), quote=True)


def esc_md(text: str) -> str:
    """Text safe to hand to a Markdown renderer that allows HTML: escaped, no markup survives."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def label(text: str, script: Script) -> str:
    """A UI label in the script of the answer it accompanies."""
    return to_traditional(text) if script == "traditional" else text


def card_id(turn: int, number: int) -> str:
    return f"pq-src-{turn}-{number}"


def cite_link(turn: int, number: int, known: bool = True) -> str:
    """The clickable `[n]` marker that opens source card n of a turn."""
    if not known:
        return f"\\[{number}\\]"
    return f'<a class="pq-cite" href="#{card_id(turn, number)}">[{number}]</a>'


def with_cite_links(text: str, turn: int, numbers: set[int]) -> str:
    """Escaped `text` whose markers ([1], [1,2], 【3】…) become links to the turn's cards."""
    out: list[str] = []
    pos = 0
    for m in MARKER_RE.finditer(text):
        out.append(esc_md(text[pos : m.start()]))
        out.append("".join(cite_link(turn, n, n in numbers) for n in _expand(m.group(1))))
        pos = m.end()
    out.append(esc_md(text[pos:]))
    return "".join(out)


def streaming_message(text: str) -> str:
    """A partial answer while it streams (markers stay plain until the final answer)."""
    return esc_md(text) + " ▍"


def answer_message(answer: Answer, turn: int) -> str:
    """The chat message for a final answer: text with linked markers, notices, refusal note."""
    s = answer.script
    numbers = {c.number for c in answer.citations}
    parts: list[str] = []
    if answer.refused:
        parts.append(f"**{label('未在文档中找到答案', s)}**")
    parts.append(with_cite_links(answer.text, turn, numbers))
    if answer.refused and answer.closest:
        parts.append(f"*{label('右侧 / 下方列出了最接近的段落，供参考。', s)}*")
    if answer.flagged:
        head = label("以下句子未能在引用段落中核实：", s)
        parts.append(f"*{head}*\n" + "\n".join(f"- {esc_md(f)}" for f in answer.flagged))
    if answer.citations:
        links = " ".join(cite_link(turn, c.number) for c in answer.citations)
        parts.append(f"{label('来源', s)}：{links}")
    for notice in answer.notices:
        parts.append(f"*{esc_md(notice)}*")
    return "\n\n".join(parts)


def error_message(text: str) -> str:
    return f"**出错了：**{esc_md(text)}"


# ---- source cards ---------------------------------------------------------------------------


def sources_panel(turns: Sequence[Turn], chunks_of: DocChunks) -> str:
    """Source cards of every turn, newest first; only the newest turn is shown until a marker
    of an older turn is clicked (the page script reveals that turn's section)."""
    if not turns:
        return ('<div class="pq-sources pq-empty">提问后，答案引用的原文段落会显示在这里；'
                '点击答案中的 [n] 可定位到对应段落。</div>')
    sections = []
    for i in range(len(turns) - 1, -1, -1):
        sections.append(turn_section(turns[i], i, chunks_of, hidden=i != len(turns) - 1))
    return '<div class="pq-sources">' + "".join(sections) + "</div>"


def turn_section(turn: Turn, index: int, chunks_of: DocChunks, *, hidden: bool = False) -> str:
    a = turn.answer
    s = a.script
    if a.citations:
        head = label("来源", s)
        cards = [citation_card(c, index, chunks_of(c.doc_id), open_=True) for c in a.citations]
    elif a.closest:
        head = label("最接近的段落（未能据此作答）", s)
        cards = [closest_card(h, index, j, chunks_of(h.document.doc_id)) for j, h in enumerate(a.closest, 1)]
    else:
        head, cards = label("没有可引用的段落", s), []
    attr = " hidden" if hidden else ""
    return (f'<section class="pq-turn" id="pq-turn-{index}"{attr}>'
            f'<h4>{esc(head)} · {esc(_shorten(turn.question, 40))}</h4>{"".join(cards)}</section>')


def citation_card(c: Citation, turn: int, chunks: Sequence[Chunk], *, open_: bool = False) -> str:
    """A card: title, number, date, heading path, the paragraph with the quote highlighted,
    and the neighbouring passages of the document on demand."""
    para, para_start = (c.paragraph, c.paragraph_start) if c.paragraph else (c.quote, c.start)
    body = highlighted(para, c.start - para_start, c.end - para_start)
    return _card(card_id(turn, c.number), f"[{c.number}]", c.title, c.doc_number, c.date,
                 c.heading_path, body, context_window(chunks, c.chunk_id, c.start, c.end), open_=open_)


def closest_card(hit: Hit, turn: int, number: int, chunks: Sequence[Chunk]) -> str:
    """A card for a passage shown beside a refusal (nothing highlighted: nothing was quoted)."""
    ch, d = hit.chunk, hit.document
    return _card(card_id(turn, number), f"#{number}", d.title, d.doc_number, d.date, ch.heading_path,
                 esc(ch.text), context_window(chunks, ch.chunk_id, ch.start, ch.start), open_=number == 1)


def _card(anchor: str, tag: str, title: str, number: str | None, date: str | None,
          path: Sequence[str], body: str, context: str, *, open_: bool) -> str:
    meta = " · ".join(esc(x) for x in (number, date) if x)
    crumbs = " › ".join(esc(h) for h in path[1:] if h) if path and path[0] == title else \
        " › ".join(esc(h) for h in path if h)
    opened = " open" if open_ else ""
    return (f'<details class="pq-card" id="{esc(anchor)}"{opened}>'
            f'<summary><span class="pq-tag">{esc(tag)}</span> <span class="pq-title">{esc(title)}</span></summary>'
            + (f'<div class="pq-meta">{meta}</div>' if meta else "")
            + (f'<div class="pq-path">{crumbs}</div>' if crumbs else "")
            + f'<div class="pq-para">{body}</div>{context}</details>')


def highlighted(text: str, start: int, end: int) -> str:
    """Escaped `text` with text[start:end] wrapped in <mark> (offsets clamped to the text)."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return esc(text)
    return f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"


def context_window(chunks: Sequence[Chunk], chunk_id: str, hl_start: int, hl_end: int,
                   radius: int = CONTEXT_RADIUS) -> str:
    """A collapsed window of the document's cleaned text: the neighbouring chunks (up to
    `radius` characters each side) around the cited chunk, which is set off and highlighted.

    Built from chunks, not the source file, so a scraped page's navigation and footer lines
    (which cleaning dropped) never appear. "" when the chunk is no longer indexed.
    """
    ordered = sorted(chunks, key=lambda c: c.start)
    at = next((i for i, c in enumerate(ordered) if c.chunk_id == chunk_id), None)
    if at is None:
        return ""
    here = ordered[at]
    before: list[Chunk] = []
    for c in reversed(ordered[:at]):
        if sum(len(b.text) for b in before) >= radius:
            break
        before.insert(0, c)
    after: list[Chunk] = []
    for c in ordered[at + 1 :]:
        if sum(len(a.text) for a in after) >= radius:
            break
        after.append(c)
    inner = highlighted(here.text, hl_start - here.start, hl_end - here.start)
    parts = ([] if at - len(before) == 0 else ["…"]) + [esc(c.text) for c in before]
    parts += [f'<span class="pq-here">{inner}</span>', *(esc(c.text) for c in after)]
    if at + len(after) + 1 < len(ordered):
        parts.append("…")
    window = "\n\n".join(parts)
    return f'<details class="pq-context"><summary>展开上下文</summary><div class="pq-window">{window}</div></details>'


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
