"""Portal widgets: the font-size switch, view counters, share / print / close buttons and the like.

A widget is a short piece of page furniture made only of these words, counters and separators
(`字号：大 中 小`, `浏览次数：-`, `【打印】【关闭窗口】`, `分享到`, `扫一扫在手机打开当前页`).
The HTML reader drops widget elements, and cleaning drops widget lines, by this one test.
"""

from __future__ import annotations

import re

_WORDS = re.compile(
    r"浏览字号|字号|字体|默认|大|中|小|A\+|A-|浏览次数|浏览量|访问量|阅读量|阅读次数|点击量|点击数|点击率|浏览|次|人次"
    r"|分享文章到|分享到|分享|打印本页|打印页面|打印|关闭窗口|关闭本页|关闭|回到顶部|返回顶部|顶部|扫一扫|手机扫码|收藏本页"
    r"|我的收藏|收藏|保存|下载文字版|下载图片版|内容纠错|纠错|微信|微博|QQ空间|QQ|朋友圈|转发|复制链接|在手机打开当前页|在手机上打开"
    r"|当前页|长者助手|无障碍|关怀版|繁体|简体|繁體|English|EN|登录|登 录|退出|搜索|取消|确定|本页|文章|页面|到"
)
_FILL = re.compile(r"[\s\d:：|｜\[\]【】()（）/·•\-—–+×↺<>]+")
# Widget labels that never stand inside a sentence (counters, the font-size switch).
_LABELS = r"(?:浏览字号|字号|字体|浏览次数|浏览量|访问量|阅读量|阅读次数|点击量|点击数|分享到)"
_LABEL = re.compile(rf"^{_LABELS}\s*[:：]?\s*[-—]?$")
_TAIL = re.compile(rf"(?<=\s){_LABELS}\s*[:：]\s*$")


def is_widget(text: str) -> bool:
    """Short text made only of widget words, counters and separators (needs one widget word)."""
    norm = text.strip()
    if not norm or len(norm) > 24 or not _WORDS.search(norm):
        return False
    return not _FILL.sub("", _WORDS.sub("", norm))


def is_widget_label(text: str) -> bool:
    """A widget's label alone (`浏览次数：`), safe to drop even where it shares a line with data."""
    return bool(_LABEL.match(text.strip()))


def strip_widget_tail(text: str) -> str:
    """Text without a counter's label at its end (`发布日期：2024-10-15  浏览次数：` → the date)."""
    return _TAIL.sub("", text)
