"""HTML pages and fragments → the visible text, one block per line, tables with their headers.

What a reader of the page sees, as a browser would lay it out without running scripts:
- hidden content is dropped: `hidden` and `aria-hidden` elements, inline `display:none` /
  `visibility:hidden` / zero-size or transparent boxes, and elements hidden by simple class or
  id rules of the page's own `<style>` (rules inside `@media` are left alone: they apply only
  to some screens). A `visibility:hidden` on `<html>` or `<body>` is ignored: pages set it
  while their scripts load and remove it after;
- scripts, styles, templates, forms' controls and embedded media are dropped;
- inline elements join into one line (a label in one `<span>` stays with its figure in the
  next), block elements and `<br>` start a new line, runs of spaces and newlines collapse;
- tables go through `index.readers.tables` so every cell keeps its column header.
The page's own description of itself (the `<title>`, and the `ArticleTitle` / `PubDate` /
`ContentSource` meta tags that Chinese government sites carry) is returned beside the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from index.readers.tables import Cell, table_lines
from index.widgets import is_widget, is_widget_label, strip_widget_tail

_DROP = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed",
    "select", "option", "textarea", "button", "input", "head", "map", "audio", "video", "math",
})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "section",
    "summary", "ul", "caption", "tbody", "thead", "tfoot", "tr", "td", "th", "title", "legend",
})
_HIDING_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)"
    r"|text-indent\s*:\s*-\d{3,}|(?=.*\bwidth\s*:\s*0(?:px)?\s*(?:;|$))(?=.*\bheight\s*:\s*0(?:px)?\s*(?:;|$))",
    re.IGNORECASE,
)
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_SIMPLE_SELECTOR = re.compile(r"^([a-zA-Z][a-zA-Z0-9]*)?((?:[.#][\w-]+)+)$")
META_FIELDS = {"articletitle": "title", "pubdate": "published", "contentsource": "source"}


@dataclass
class HtmlText:
    text: str
    title_hints: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page or fragment (see the module docstring)."""
    return read_html(markup).text


def read_html(markup: str) -> HtmlText:
    """Visible text plus the page's title hints and meta fields."""
    markup = re.sub(r"^\s*<\?xml[^>]*>", "", markup)  # lxml refuses a str with an XML declaration
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return HtmlText("")
    hints, fields = _head(root)
    hidden = _hidden_rules(root)
    writer = _Writer()
    body = root.find("body")
    _walk(body if body is not None else root, writer, hidden)
    writer.newline()
    return HtmlText("\n".join(writer.lines), hints, fields)


def _head(root: lxml.html.HtmlElement) -> tuple[list[str], list[tuple[str, str]]]:
    hints: list[str] = []
    fields: list[tuple[str, str]] = []
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = _ASCII_SPACE.sub(" ", meta.get("content") or "").strip()
        if not content:
            continue
        if name in META_FIELDS:
            if META_FIELDS[name] == "title":
                hints.append(content)
            else:
                fields.append((META_FIELDS[name], content))
        elif name == "og:title":
            hints.append(content)
    title = root.find(".//title")
    if title is not None and (text := _ASCII_SPACE.sub(" ", title.text_content()).strip()):
        # "<document title> - <site name>": the part before the site's name
        hints.append(re.split(r"\s+[-_|–—]\s+|\s*[|｜]\s*", text)[0].strip())
    return [h for h in hints if h], fields


@dataclass(frozen=True)
class _Hidden:
    classes: frozenset[tuple[str, frozenset[str], str]]  # (tag or "", classes, id or "")


def _hidden_rules(root: lxml.html.HtmlElement) -> _Hidden:
    """Simple selectors that the page's own stylesheets hide (outside @media blocks)."""
    css = " ".join(style.text_content() for style in root.iter("style"))
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = _strip_at_blocks(css)
    found = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if not re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", body, re.IGNORECASE):
            continue
        for sel in selectors.split(","):
            m = _SIMPLE_SELECTOR.match(sel.strip())
            if not m:
                continue
            parts = re.findall(r"([.#])([\w-]+)", m.group(2))
            classes = frozenset(name for kind, name in parts if kind == ".")
            ids = [name for kind, name in parts if kind == "#"]
            found.add(((m.group(1) or "").lower(), classes, ids[0] if ids else ""))
    return _Hidden(frozenset(found))


def _strip_at_blocks(css: str) -> str:
    """CSS without @media/@supports/... blocks (their braces nest)."""
    out, i = [], 0
    while True:
        j = css.find("@", i)
        if j < 0:
            out.append(css[i:])
            return "".join(out)
        out.append(css[i:j])
        k = css.find("{", j)
        semi = css.find(";", j)
        if k < 0 or (0 <= semi < k):  # @import …; / @charset …;
            i = semi + 1 if semi >= 0 else len(css)
            continue
        depth, pos = 1, k + 1
        while pos < len(css) and depth:
            depth += {"{": 1, "}": -1}.get(css[pos], 0)
            pos += 1
        i = pos


def _is_hidden(el: lxml.html.HtmlElement, rules: _Hidden) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = el.get("style") or ""
    if style and el.tag not in ("html", "body") and _HIDING_STYLE.search(style):
        return True
    if rules.classes:
        classes = frozenset((el.get("class") or "").split())
        ident = el.get("id") or ""
        for tag, wanted, wanted_id in rules.classes:
            if (not tag or tag == el.tag) and wanted <= classes and (not wanted_id or wanted_id == ident):
                return True
    return False


class _Writer:
    """Collects inline text into lines; a block boundary or <br> ends the line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._parts: list[str] = []

    def text(self, s: str | None) -> None:
        if s:
            self._parts.append(_ASCII_SPACE.sub(" ", s))

    def raw_lines(self, lines: list[str]) -> None:
        self.newline()
        self.lines.extend(lines)

    def newline(self) -> None:
        line = "".join(self._parts).strip(" ")
        self._parts = []
        if line.strip():
            self.lines.append(line)
        elif self.lines and self.lines[-1] != "":
            self.lines.append("")  # a paragraph gap, written once

    def pre(self, s: str) -> None:
        self.newline()
        self.lines.extend(ln.rstrip() for ln in s.splitlines())


def _walk(el: lxml.html.HtmlElement, out: _Writer, rules: _Hidden) -> None:
    for node in _children(el, rules):
        if isinstance(node, str):
            out.text(node)
            continue
        tag = node.tag
        if tag == "br":
            out.newline()
        elif tag == "table":
            _table(node, out, rules)
        elif tag == "pre":
            out.pre(node.text_content())
        elif tag in _BLOCK:
            out.newline()
            _walk(node, out, rules)
            out.newline()
        else:
            _walk(node, out, rules)


def _children(el: lxml.html.HtmlElement, rules: _Hidden) -> Iterator[lxml.html.HtmlElement | str]:
    """Visible child elements and text, in document order (tails included); widgets left out."""
    if el.text and not is_widget_label(el.text):
        yield strip_widget_tail(el.text)
    for child in el:
        if (isinstance(child.tag, str) and child.tag not in _DROP and not _is_hidden(child, rules)
                and not _widget_element(child)):
            yield child
        if child.tail and not is_widget_label(child.tail):
            yield strip_widget_tail(child.tail)


def _widget_element(el: lxml.html.HtmlElement) -> bool:
    """An element holding only a widget (浏览量：-, 字号 大 中 小) that is not part of a sentence."""
    if el.tag in ("p", "td", "th", "li", "tr", "table", "body"):
        return False
    text = el.text_content()
    if len(text) > 40 or not is_widget(text):
        return False
    parent = el.getparent()
    return parent is None or not re.search(r"[。；！？]", parent.text_content())


def _table(table: lxml.html.HtmlElement, out: _Writer, rules: _Hidden) -> None:
    nested = any(t is not table for t in table.iter("table"))
    rows = [tr for tr in table.iter("tr") if _owner_table(tr) is table and not _is_hidden(tr, rules)]
    if nested or not rows or _holds_prose(rows):
        # A layout table: its cells are page regions, laid out one after another.
        out.newline()
        _walk(table, out, rules)
        out.newline()
        return
    grid = _grid(rows, rules)
    out.raw_lines(table_lines(grid))
    out.newline()


def _holds_prose(rows: list[lxml.html.HtmlElement]) -> bool:
    """A cell holding paragraphs of running text: the table lays out a page, it is not data."""
    for tr in rows:
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            blocks = sum(1 for el in td.iter("p", "div", "br", "li"))
            if blocks >= 3 and len(td.text_content().strip()) > 300:
                return True
    return False


def _owner_table(tr: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _grid(rows: list[lxml.html.HtmlElement], rules: _Hidden) -> list[list[Cell]]:
    """Rows of cells with rowspan / colspan expanded (a merged cell fills every slot it covers)."""
    grid: list[list[Cell | None]] = []
    pending: dict[int, tuple[Cell, int]] = {}  # column -> (cell, rows still covered)
    for tr in rows:
        row: list[Cell | None] = []
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th") and not _is_hidden(c, rules)]
        queue = list(cells)
        col = 0
        while queue or any(c >= col for c in pending):
            if col in pending:
                cell, left = pending[col]
                row.append(cell)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (cell, left - 1)
                col += 1
                continue
            if not queue:
                break
            td = queue.pop(0)
            cell = Cell(_cell_text(td, rules), header=td.tag == "th" or _all_bold(td))
            span = _int(td.get("colspan"))
            down = _int(td.get("rowspan"))
            for _ in range(span):
                row.append(cell)
                if down > 1:
                    pending[col] = (cell, down - 1)
                col += 1
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    return [[c if c is not None else Cell("") for c in r] + [Cell("")] * (width - len(r)) for r in grid]


def _int(value: str | None) -> int:
    try:
        return max(1, min(50, int(value or 1)))
    except ValueError:
        return 1


def _cell_text(td: lxml.html.HtmlElement, rules: _Hidden) -> str:
    """A cell's text on one line; characters stacked one per paragraph (narrow cells) rejoin."""
    writer = _Writer()
    _walk(td, writer, rules)
    writer.newline()
    pieces = [ln.strip() for ln in writer.lines if ln.strip()]
    if pieces and all(len(p) == 1 for p in pieces):
        return "".join(pieces)
    return " ".join(pieces)


def _all_bold(td: lxml.html.HtmlElement) -> bool:
    """Every piece of text in the cell sits inside <strong> or <b>."""
    texts = [t for t in td.itertext() if t.strip()]
    if not texts:
        return False
    bold = [t for b in td.iter("strong", "b") for t in b.itertext() if t.strip()]
    return "".join(bold).strip() == "".join(texts).strip()
