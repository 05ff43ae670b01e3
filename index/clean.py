"""Separate a scraped page's document body from site boilerplate, without altering offsets.

Works on lines of the source text and returns which to keep; it never rewrites text, so every
kept line is still an exact span of the original. General methods, not per-site rules:

- widget, breadcrumb, previous/next-link and footer lines are recognised by their wording
  (a short line made only of widget words — 字号 大 中 小, 浏览次数, 分享, 打印, 关闭, 扫一扫 —
  is a widget);
- lines that repeat across many files of one corpus are site template;
- labelled metadata fields are found wherever the page lays them out (`index.fields`);
- the title is located from the labelled field and the format's own hints (`index.title`);
- everything before the document's title is navigation, except labelled metadata fields;
- a block of related links (政策解读, 相关新闻…) after the body ends it, like a footer;
- after a footer marker everything is footer, until the title appears again (a second render
  of the same page), after which only content not already kept is admitted;
- a run of bare headings that reappears later is a table of contents, not content;
- keyword-stuffed SEO spam is dropped and logged.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from index.docnumber import is_doc_number
from index.fields import FieldValue, first, parse_fields
from index.headings import marker_rank, parse_heading, strip_marker
from index.normalize import normalize
from index.title import TitleSpot, find_title, squeezed
from index.widgets import is_widget


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive, without the newline
    text: str  # the original line
    norm: str  # normalised and stripped

    @property
    def blank(self) -> bool:
        return not self.norm


@dataclass
class Cleaned:
    lines: list[Line]  # every line of the file
    keep: list[bool]  # parallel to lines
    title_index: int | None  # the first line of the title
    toc: list[Line] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # log messages (spam, TOC, duplicates)
    fields: list[FieldValue] = field(default_factory=list)  # labelled metadata, in order
    field_lines: set[int] = field(default_factory=set)  # lines that hold a labelled field
    title: str = ""  # the document's title (a labelled title, else the title line(s))
    title_lines: tuple[int, ...] = ()

    def kept(self) -> list[Line]:
        return [ln for ln, k in zip(self.lines, self.keep, strict=True) if k and not ln.blank]


def split_lines(text: str) -> list[Line]:
    out, pos = [], 0
    norm_all = normalize(text)
    for raw in text.split("\n"):
        end = pos + len(raw)
        stripped = raw.rstrip("\r")
        out.append(Line(pos, pos + len(stripped), stripped, norm_all[pos : pos + len(stripped)].strip()))
        pos = end + 1
    return out


_WIDGET = re.compile(
    r"^(?:当前位置|您的位置|你的位置|您现在的位置|所在位置)[:：]|^首页\s*[>›»]"
    r"|字体[:：]?\s*[\[【(（]?\s*大|^分享到|^打印本页|^关闭窗口|^【?(?:打印|关闭|收藏)】?$"
    r"|^(?:打印|保存|关闭)(?:\s+(?:打印|保存|关闭))*$|无障碍浏览|退出长辈版|^长辈版$|^微信公众号$|扫一扫"
    r"|^(?:上一篇|下一篇|上一条|下一条|上篇|下篇)[:：]|^附件[:：]?$"
    r"|^(?:政策原文|相关链接|相关文件|相关新闻|相关阅读|原文链接|相关稿件)[:：]?$|^<[^>]+>(?:\s*<[^>]+>)*$"
)
# Headers of a block of links to other pages; after the body they end it.
_RELATED = re.compile(
    r"^(?:政策解读|相关解读|解读材料|关联稿件|相关稿件|相关新闻|相关附件|相关链接|相关文件|延伸阅读|相关阅读|推荐阅读"
    r"|附件下载)[:：]?$"
)
_FOOTER = re.compile(
    r"ICP备|公网安备|网监备|网站标识码|版权所有|Copyright|©|^主办单位[:：]|^主办[:：]|^承办单位[:：]|^承办[:：]"
    r"|^技术支持[:：]|网站声明|网站地图|法律声明|免责声明|关于我们|联系我们|^相关解读[:：]|^全文下载|^举报电话"
    r"|违法和不良信息举报|^(?:上一篇|下一篇|上一条|下一条|上篇|下篇)[:：]",
    re.IGNORECASE,
)
METADATA = re.compile(
    r"^(?:\d+\.\s*)?(?:索\s*引\s*号|主题分类|发文机关|成文日期|标\s*题|发文字号|文\s*号|发布日期|发布时间"
    r"|有\s*效\s*性|来\s*源|信息来源|发布机构|公开方式|生效日期|废止日期)\s*[:：]"
    r"|^\d{4}-\d{1,2}-\d{1,2}\b.*来源[:：]|(?:发布日期|发布时间|来源)[:：]"
)
_SENTENCE = re.compile(r"[。！？；]")
_SPAM_WORDS = (
    "一区二区", "二区三区", "无码", "国产", "亚洲", "欧美", "日韩", "在线观看", "在线播放", "视频在线",
    "成人", "色情", "偷拍", "盗摄", "中文字幕", "字幕", "精品", "自拍", "激情", "人妻", "男女",
    "免费观看", "博彩", "赌场", "娱乐城", "百家乐", "老虎机", "真人", "开户", "代开发票", "私服",
)


def spam_score(norm: str) -> int:
    """Distinct spam keywords, plus one for keyword stuffing with separators."""
    hits = sum(word in norm for word in _SPAM_WORDS)
    stuffing = norm.count("_") + norm.count("|") >= 3
    return hits + (1 if stuffing and hits else 0)


def is_spam(norm: str) -> bool:
    return spam_score(norm) >= 3


def template_lines(files: list[list[Line]]) -> set[str]:
    """Lines repeated across many files of one corpus: site template, not content."""
    if len(files) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in files:
        counts.update({ln.norm for ln in lines if ln.norm})
    threshold = max(3, round(0.3 * len(files)))
    return {
        text for text, n in counts.items()
        if n >= threshold and not _SENTENCE.search(text) and not _is_heading(text)
    }


def _is_heading(norm: str) -> bool:
    found = marker_rank(norm)
    return found is not None and found[0] < 9


def _nav_item(ln: Line) -> bool:
    """A bullet of a navigation or link list (never a sentence)."""
    return ln.norm[:1] in "•·▪" and not ln.norm.endswith(("。", "；", ";"))


def clean(text: str, template: set[str] | None = None, title_hints: tuple[str, ...] = ()) -> Cleaned:
    """Decide for every line of `text` whether it is document content.

    `title_hints` are what the file format says the title is (HTML meta, Word Title style…).
    """
    lines = split_lines(text)
    template = template or set()
    keep = [not ln.blank for ln in lines]
    full = normalize(text)
    fields = parse_fields([ln.text for ln in lines], [full[ln.start : ln.end] for ln in lines])
    field_lines = {i for f in fields for i in f.lines}
    out = Cleaned(lines, keep, None, fields=fields, field_lines=field_lines)
    for i, ln in enumerate(lines):
        if ln.blank:
            continue
        if is_spam(ln.norm):
            keep[i] = False
            out.dropped.append(f"spam dropped (line {i + 1}): {ln.text.strip()[:40]}…")
        elif i in field_lines:
            continue
        elif _WIDGET.search(ln.norm) or is_widget(ln.norm) or _nav_item(ln) or ln.norm in template:
            keep[i] = False
    spot = _title(out, title_hints)
    if spot is not None:
        out.title_index, out.title_lines = spot.lines[0], spot.lines
        labelled = first(fields, "title")
        out.title = _clean_title(labelled.value if labelled else spot.text)
        near = set([i for i in range(spot.lines[0]) if keep[i]][-3:])
        if spot.first_seen is not None:  # between a header's copy of the title and the title
            near |= set(range(spot.first_seen + 1, spot.lines[0]))
        for i in range(spot.lines[0]):
            # Before the title only fields stay, and a 文号 or a date printed just above it.
            if keep[i] and i not in field_lines and not (i in near and _stamp(lines[i].norm)):
                keep[i] = False
    _drop_footer_and_second_render(out, out.title_index)
    _drop_toc(out)
    return out


def _stamp(norm: str) -> bool:
    """A line that is only a 文号 or only a date."""
    return is_doc_number(norm) or bool(re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?", norm))


def _title(out: Cleaned, format_hints: tuple[str, ...]) -> TitleSpot | None:
    labelled = first(out.fields, "title")
    hints = ([labelled.value] if labelled else []) + list(format_hints)
    norms = [ln.norm for ln in out.lines]
    # When the label's own line is the only place the title is written (法規名稱：…), it is the title.
    at_label = TitleSpot(labelled.lines, labelled.value) if labelled else None
    return find_title(norms, [ln.text for ln in out.lines], out.keep, [normalize(h) for h in hints], at_label)


def _clean_title(title: str) -> str:
    """The title without layout spaces at line joins, footnote markers or a trailing colon."""
    title = re.sub(r"\[\d{1,2}\]$", "", title.strip()).rstrip(":：")
    return re.sub(r"\s+", " ", title).strip()


def _drop_footer_and_second_render(out: Cleaned, title: int | None) -> None:
    lines, keep = out.lines, out.keep
    title_norm = squeezed(normalize(out.title)) if title is not None else None
    first_line = squeezed(lines[title].norm) if title is not None else None
    seen: set[str] = set()
    mode = "body"  # body → footer → second (a second render of the page) → footer …
    content_seen = False
    related = False  # inside a block of related links printed under the title
    start = (out.title_lines[-1] if out.title_lines else title) + 1 if title is not None else 0
    for i in range(start, len(lines)):
        ln = lines[i]
        if ln.blank:
            if mode != "body":
                keep[i] = False
            continue
        key = squeezed(ln.norm)
        if not content_seen and _RELATED.match(ln.norm):
            related, keep[i] = True, False
            continue
        if related and _link_like(ln.norm):
            keep[i] = False
            continue
        related = False
        if key in (title_norm, first_line) and (mode == "footer" or content_seen) and _repeats(lines, i, seen):
            mode = "second"
            keep[i] = False
            out.dropped.append(f"second render of the page from line {i + 1} dropped")
            continue
        if _FOOTER.search(ln.norm) or (content_seen and _RELATED.match(ln.norm)):
            mode = "footer"
        if mode == "footer":
            keep[i] = False
        elif mode == "second":
            fresh = key not in seen and len(key) >= 40 and _SENTENCE.search(key)
            keep[i] = keep[i] and bool(fresh)
        if keep[i]:
            seen.add(key)
            content_seen = content_seen or len(key) >= 40
    if title is not None:
        seen.add(title_norm or "")


def _repeats(lines: list[Line], i: int, seen: set[str]) -> bool:
    """Whether what follows line `i` was already seen: a second render of the page, not an
    attached document that shares the title (a decree and the measures it promulgates)."""
    following = [squeezed(ln.norm) for ln in lines[i + 1 :] if len(ln.norm) >= 10][:10]
    return not following or sum(f in seen for f in following) * 2 >= len(following)


def _link_like(norm: str) -> bool:
    """A link to another page in a related-links block: a title in 《》, a 解读, or a dated entry."""
    return len(norm) <= 120 and "。" not in norm and bool(
        re.search(r"《[^》]+》|解读|\d{4}-\d{1,2}-\d{1,2}$", norm))


def _drop_toc(out: Cleaned) -> None:
    """Drop a table of contents: a run of bare headings whose entries reappear later."""
    lines, keep = out.lines, out.keep
    idx = [i for i, ln in enumerate(lines) if keep[i] and not ln.blank]
    run: list[int] = []
    for pos, i in enumerate([*idx, -1]):
        bare = i >= 0 and _bare_heading(lines[i])
        if bare:
            run.append(i)
            continue
        if len(run) >= 6:
            # The body's first heading can follow the TOC directly: cut where entries repeat.
            first = strip_marker(lines[run[0]].norm)
            again = next((k for k, j in enumerate(run[1:], 1) if strip_marker(lines[j].norm) == first), None)
            if again is not None:
                run = run[:again]
            later = {strip_marker(lines[j].norm) for j in idx[pos:]}
            entries = [strip_marker(lines[j].norm) for j in run]
            if sum(e in later for e in entries) >= len(entries) // 2:
                for j in run:
                    keep[j] = False
                out.toc = [lines[j] for j in run]
                out.dropped.append(f"table of contents dropped (lines {run[0] + 1}–{run[-1] + 1})")
                return
        run = []


def _bare_heading(ln: Line) -> bool:
    if len(ln.norm) > 45 or _SENTENCE.search(ln.norm.rstrip("。")):
        return False
    if ln.norm in ("目录", "目 录"):
        return True
    heading = parse_heading(ln.text.strip(), ln.norm)
    return heading is not None and not heading.run_in and heading.rank < 9
