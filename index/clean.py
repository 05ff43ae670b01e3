"""Separate a scraped page's document body from site boilerplate, without altering offsets.

Works on lines of the source text and returns which to keep; it never rewrites text, so every
kept line is still an exact span of the original. General methods, not per-site rules:

- widget, breadcrumb, previous/next-link and footer lines are recognised by their wording;
- lines that repeat across many files of one corpus are site template;
- everything before the document's title is navigation, except labelled metadata lines;
- after a footer marker everything is footer, until the title appears again (a second render
  of the same page), after which only content not already kept is admitted;
- a run of bare headings that reappears later is a table of contents, not content;
- keyword-stuffed SEO spam is dropped and logged.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from index.headings import marker_rank, parse_heading, strip_marker
from index.normalize import normalize


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
    title_index: int | None
    toc: list[Line] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # log messages (spam, TOC, duplicates)

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


def clean(text: str, template: set[str] | None = None, title_hint: str | None = None) -> Cleaned:
    """Decide for every line of `text` whether it is document content."""
    lines = split_lines(text)
    template = template or set()
    keep = [not ln.blank for ln in lines]
    out = Cleaned(lines, keep, None)
    for i, ln in enumerate(lines):
        if ln.blank:
            continue
        if is_spam(ln.norm):
            keep[i] = False
            out.dropped.append(f"spam dropped (line {i + 1}): {ln.text.strip()[:40]}…")
        elif _WIDGET.search(ln.norm) or _nav_item(ln) or ln.norm in template:
            keep[i] = False
    title = _find_title(lines, keep, title_hint)
    out.title_index = title
    if title is not None:
        for i in range(title):
            if keep[i] and not METADATA.search(lines[i].norm):
                keep[i] = False
    _drop_footer_and_second_render(out, title)
    _drop_toc(out)
    return out


def _find_title(lines: list[Line], keep: list[bool], hint: str | None) -> int | None:
    candidates = [i for i, ln in enumerate(lines) if keep[i]]
    label = next((lines[i] for i in candidates if re.match(r"^标\s*题\s*[:：]", lines[i].norm)), None)
    wanted = hint
    if label is not None:
        wanted = re.split(r"[:：]", label.norm, maxsplit=1)[1].strip()
    if wanted:
        squeezed = re.sub(r"\s+", "", normalize(wanted))
        for i in candidates:
            if re.sub(r"\s+", "", lines[i].norm) == squeezed and not METADATA.search(lines[i].norm):
                return i
    nonblank = [i for i, ln in enumerate(lines) if not ln.blank]
    for i in candidates[: max(1, len(candidates) * 3 // 5)]:
        norm = lines[i].norm
        if not 5 <= len(norm) <= 100 or _SENTENCE.search(norm) or METADATA.search(norm):
            continue
        following = [j for j in nonblank if j > i][:2]
        if any(keep[j] and METADATA.search(lines[j].norm) for j in following):
            return i
    for i in candidates:
        if _TITLE_WORDS.search(lines[i].norm) and len(lines[i].norm) <= 100 and not _SENTENCE.search(lines[i].norm):
            return i
    return candidates[0] if candidates else None


_TITLE_WORDS = re.compile(
    r"(?:关于.+的|通知|意见|方案|规划|计划|办法|细则|答复|解读|决定|报告|公告|通告|批复|条例|规定|纲要|措施|指引|指南|要点)$"
)


def _drop_footer_and_second_render(out: Cleaned, title: int | None) -> None:
    lines, keep = out.lines, out.keep
    title_norm = re.sub(r"\s+", "", lines[title].norm) if title is not None else None
    seen: set[str] = set()
    mode = "body"  # body → footer → second (a second render of the page) → footer …
    content_seen = False
    for i in range(title + 1 if title is not None else 0, len(lines)):
        ln = lines[i]
        if ln.blank:
            if mode != "body":
                keep[i] = False
            continue
        squeezed = re.sub(r"\s+", "", ln.norm)
        if squeezed == title_norm and (mode == "footer" or content_seen):
            mode = "second"
            keep[i] = False
            out.dropped.append(f"second render of the page from line {i + 1} dropped")
            continue
        if _FOOTER.search(ln.norm):
            mode = "footer"
        if mode == "footer":
            keep[i] = False
        elif mode == "second":
            fresh = squeezed not in seen and len(squeezed) >= 40 and _SENTENCE.search(squeezed)
            keep[i] = keep[i] and bool(fresh)
        if keep[i]:
            seen.add(squeezed)
            content_seen = content_seen or len(squeezed) >= 40
    if title is not None:
        seen.add(title_norm or "")


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
