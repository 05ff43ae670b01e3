"""Where a document's own title is, among the lines of a page.

The title is the document's, not a label, an index number or the site's name. What says what
the title is, most trustworthy first: a labelled field (`标题：`, `法規名稱：`); what the file
format states (HTML `ArticleTitle` meta and `<title>`, Word's Title style, Markdown's `#`, PDF
metadata), which is then looked up among the lines — possibly broken over two or three lines,
as gov.cn prints long titles; failing both, the first short line that reads like a title (it
ends with a document type, or metadata follows it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.docnumber import is_doc_number
from index.doctypes import doc_type_of
from index.fields import starts_with_label

_SENTENCE = re.compile(r"[。！？；;]")
_FOOTNOTE = re.compile(r"\[\d{1,2}\]|［\d{1,2}］")
_MAX_PARTS = 4


@dataclass(frozen=True)
class TitleSpot:
    lines: tuple[int, ...]  # indices of the line(s) the title occupies
    text: str  # the title as those lines write it, joined
    first_seen: int | None = None  # an earlier line printing the same title (a page header)


def squeezed(text: str) -> str:
    """For comparing titles: no whitespace, no footnote markers, no book-title marks."""
    return re.sub(r"[\s《》〈〉]+", "", _FOOTNOTE.sub("", text))


def find_title(norms: Sequence[str], texts: Sequence[str], keep: Sequence[bool],
               hints: Sequence[str], labelled: TitleSpot | None = None) -> TitleSpot | None:
    """The title's line(s). `norms` are the stripped normalised lines, `keep` what survived
    cleaning; `labelled` is where a labelled title field stands, used when the title is written
    nowhere else."""
    for hint in hints:
        spot = _locate(norms, texts, keep, squeezed(hint))
        if spot is not None:
            return _wrapper(norms, texts, keep, spot) or spot
    return labelled or _by_shape(norms, texts, keep)


def _wrapper(norms: Sequence[str], texts: Sequence[str], keep: Sequence[bool], spot: TitleSpot) -> TitleSpot | None:
    """The notice that issues the hinted document, when the page prints it just below
    (`A局 B局关于印发<hint>的通知` under a page titled `<hint>`): that notice is the document."""
    inner = squeezed("".join(norms[i] for i in spot.lines))
    kept = [j for j in range(spot.lines[-1] + 1, min(len(norms), spot.lines[-1] + 30)) if keep[j] and norms[j]][:8]
    for n, j in enumerate(kept):
        if is_doc_number(norms[j]):
            continue
        for width in (1, 2, 3):
            run = kept[n : n + width]
            if len(run) < width or any(_SENTENCE.search(norms[k]) or re.search(r"[:：【】]", norms[k])
                                       for k in run):
                break
            joined = squeezed("".join(norms[k] for k in run))
            if inner in joined and len(joined) > len(inner) + 4 and doc_type_of(joined) and (
                    re.search(rf"关于(?:印发|转发|发布|公布|重新发布)?{re.escape(inner)}", joined)):
                return TitleSpot(tuple(run), "".join(texts[k].strip() for k in run), spot.lines[0])
    return None


def _locate(norms: Sequence[str], texts: Sequence[str], keep: Sequence[bool], wanted: str) -> TitleSpot | None:
    if len(wanted) < 4:
        return None
    found: list[TitleSpot] = []
    for i, norm in enumerate(norms):
        if not keep[i] or starts_with_label(norm):
            continue
        s = squeezed(norm)
        if not s or not wanted.startswith(s):
            continue
        run, joined = [i], s
        j: int | None = i
        while joined != wanted and len(run) < _MAX_PARTS and j is not None:
            j = _next_kept(norms, keep, j)
            if j is None or not wanted.startswith(joined + squeezed(norms[j])) or not squeezed(norms[j]):
                break
            run.append(j)
            joined += squeezed(norms[j])
        if joined == wanted:
            found.append(TitleSpot(tuple(run), "".join(texts[k].strip() for k in run)))
    if not found:
        return None
    # A page may print the title twice in a row (a header, then the document): take the later
    # one when nothing of substance lies between them.
    best = found[0]
    for later in found[1:]:
        between = [k for k in range(best.lines[-1] + 1, later.lines[0]) if keep[k] and norms[k]]
        if len(between) <= 5 and all(len(norms[k]) < 40 for k in between):
            best = TitleSpot(later.lines, later.text, best.first_seen if best.first_seen is not None
                             else best.lines[0])
    return best


def _next_kept(norms: Sequence[str], keep: Sequence[bool], i: int) -> int | None:
    for j in range(i + 1, min(len(norms), i + 4)):
        if keep[j] and norms[j]:
            return j
    return None


def _titleish(norm: str) -> bool:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", norm))
    return 5 <= len(norm) <= 100 and cjk >= 4 and not _SENTENCE.search(norm) and not starts_with_label(norm)


def _by_shape(norms: Sequence[str], texts: Sequence[str], keep: Sequence[bool]) -> TitleSpot | None:
    kept = [i for i, n in enumerate(norms) if keep[i] and n]
    if not kept:
        return None
    head = kept[: max(3, len(kept) * 3 // 5)]
    for n, i in enumerate(head):
        if not _titleish(norms[i]):
            continue
        if doc_type_of(norms[i]) or re.search(r"关于.+的", norms[i]):
            return TitleSpot((i,), texts[i].strip())
        nxt = head[n + 1] if n + 1 < len(head) else None
        if nxt is not None and _titleish(norms[nxt]) and doc_type_of(norms[i] + norms[nxt]) and len(norms[i]) >= 8:
            return TitleSpot((i, nxt), texts[i].strip() + texts[nxt].strip())
    for n, i in enumerate(head):
        following = head[n + 1 : n + 3]
        if _titleish(norms[i]) and any(starts_with_label(norms[j]) for j in following):
            return TitleSpot((i,), texts[i].strip())
    first = next((i for i in kept if _titleish(norms[i])), kept[0])
    return TitleSpot((first,), texts[first].strip())
