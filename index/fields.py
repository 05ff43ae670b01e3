"""Labelled metadata fields (`发文字号：甲发〔2024〕1号`) wherever a page lays them out.

Government portals and gov.cn print a block of `label：value` fields; layouts differ:
several fields on one line, one per line, the value on the line after its label (a table
cell of its own), labels spread out with spaces (`标　　题`, `索 引 号`), traditional labels
(`發文字號`), and fields left empty (`主题词：` followed by the next label or by the title,
which must not be taken for its value). Labels are matched on normalised text (simplified,
half-width), values are returned as the source writes them.

Each label maps to one canonical key; `FIELD_LABELS` is general knowledge of these layouts,
not a list from one site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.dates import parse_date
from index.docnumber import is_doc_number

FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号",),
    "category": ("主题分类", "信息分类", "法规类别", "分类"),
    "issuer": ("发文机关", "发文单位", "制发机关", "发文机构", "颁布机关", "公布机关"),
    "publisher": ("发布机构", "发布机关", "发布单位", "信息来源", "文章来源", "稿件来源", "来源单位", "责任部门",
                  "来源"),
    "title": ("文件标题", "文件名称", "法规名称", "标题", "名称"),
    "english_title": ("英文法规名称",),
    "doc_number": ("发文字号", "发文文号", "文件编号", "发文号", "文号", "字号"),
    "written": ("成文日期", "印发日期", "签发日期", "制发日期", "签署日期"),
    "published": ("发布日期", "发布时间", "发表时间", "公开日期", "公布日期", "发文日期", "发文时间", "更新时间",
                  "生成日期", "时间", "日期"),
    "effective": ("实施日期", "生效日期", "施行日期"),
    "expiry": ("失效日期", "废止日期"),
    "validity": ("有效性", "效力状态", "时效性", "文件状态", "效力级别"),
    "nature": ("法规性质", "公文种类", "文种", "体裁"),
    "keywords": ("主题词", "关键词"),
    "amended": ("最新异动日期", "修订日期", "修改日期"),
    "history": ("沿革内容",),
    "content": ("法规内容",),
    "url": ("法规网址",),
    "unified_no": ("统一编号",),
    "signer": ("签发人",),
    "office": ("承办部门", "承办处室", "承办单位"),
    "contact": ("联系人",),
    "phone": ("联系电话",),
}
DATE_KEYS = frozenset({"written", "published", "effective", "expiry", "amended"})
_KEY_OF = {label: key for key, labels in FIELD_LABELS.items() for label in labels}
# A label: its characters possibly spread with spaces, then a colon; at a line start or after a
# space, a list number or a bracket.
_LABEL = re.compile(
    r"(?:^|(?<=[\s|｜】\]]))(?:\d+\.\s*)?("
    + "|".join(r"\s*".join(label) for label in sorted(_KEY_OF, key=len, reverse=True))
    + r")\s*[:：]"
)
# Labels too common in body text to open a field line; they count after another label
# (`来源：本网 时间：2025-03-20`).
_BARE = frozenset({"时间", "日期"})
_EMPTY = frozenset({"", "-", "—", "--", "无", "暂无", "/"})
_SENTENCE = re.compile(r"[。！？；]")


@dataclass(frozen=True)
class FieldValue:
    key: str
    label: str  # as the source writes it
    value: str  # as the source writes it; "" when the field is empty
    lines: tuple[int, ...]  # indices of the lines the field occupies


def label_spans(norm: str) -> list[tuple[int, int, str]]:
    """(start, end of colon, canonical key) of every field label in a normalised line."""
    return [(m.start(1), m.end(), _KEY_OF[re.sub(r"\s+", "", m.group(1))]) for m in _LABEL.finditer(norm)]


def starts_with_label(norm: str) -> bool:
    """The (stripped, normalised) line opens with a field label (not a bare 时间 / 日期)."""
    spans = label_spans(norm)
    if not spans or norm[: spans[0][0]].strip(" \t0123456789.【[|"):
        return False
    return re.sub(r"\s+", "", norm[spans[0][0] : spans[0][1]]).rstrip(":：") not in _BARE


def parse_fields(texts: list[str], norms: list[str]) -> list[FieldValue]:
    """Every labelled field in lines that open with a label, in order of position.

    `texts` are the original lines, `norms` the same lines normalised (equal lengths).
    """
    out: list[FieldValue] = []
    i = 0
    while i < len(norms):
        norm = norms[i]
        if not starts_with_label(norm):
            i += 1
            continue
        spans = [sp for n, sp in enumerate(label_spans(norm))
                 if n or re.sub(r"\s+", "", norm[sp[0] : sp[1]]).rstrip(":：") not in _BARE]
        if not spans:
            i += 1
            continue
        used_next = False
        for n, (start, colon, key) in enumerate(spans):
            end = spans[n + 1][0] if n + 1 < len(spans) else len(norm)
            value = _trim(key, texts[i][colon:end].strip())
            label = texts[i][start:colon].rstrip(":： ")
            lines: tuple[int, ...] = (i,)
            if value in _EMPTY and n == len(spans) - 1:
                nxt = _next_filled(norms, i)
                if key == "history":
                    value, lines = _block(texts, norms, i)
                elif nxt is not None and _fits(key, norms[nxt].strip()):
                    value, lines, used_next = texts[nxt].strip(), (i, nxt), True
            out.append(FieldValue(key, label, "" if value in _EMPTY else value, lines))
        i = (out[-1].lines[-1] if used_next or out[-1].key == "history" else i) + 1
    return out


_GAP = re.compile(r"[ \t\u3000\u00a0]{2,}")


def _trim(key: str, value: str) -> str:
    """A value without what the page prints after it on the same line, past a wide gap
    (`市人力资源市场服务中心   浏览字号：大中小`); titles keep their gaps (`A局  B局关于…`)."""
    if key == "title":
        return value
    parts = _GAP.split(value)
    if len(parts) > 1 and any(re.search(r"[:：]|字号|浏览|打印|分享|收藏", p) for p in parts[1:]):
        value = parts[0].strip()
    # Another "word：" after a space is a label this module does not know (浏览量：): stop there.
    return re.split(r"\s+(?=[^\s:：]{1,6}[:：])", value, maxsplit=1)[0].strip()


def _next_filled(norms: list[str], i: int) -> int | None:
    for j in range(i + 1, min(i + 3, len(norms))):
        if norms[j].strip():
            return None if starts_with_label(norms[j].strip()) else j
    return None


def _block(texts: list[str], norms: list[str], i: int) -> tuple[str, tuple[int, ...]]:
    """A field whose value is the following lines, up to the next label (沿革内容)."""
    j = i + 1
    while j < len(norms) and not starts_with_label(norms[j].strip()):
        j += 1
    return "\n".join(texts[i + 1 : j]).strip(), tuple(range(i, j))


def _fits(key: str, norm: str) -> bool:
    """Whether the line after an empty label can be that field's value."""
    if not norm or norm in _EMPTY or _SENTENCE.search(norm):
        return False
    if key in DATE_KEYS:
        return len(norm) <= 30 and parse_date(norm, compact=True) is not None
    if key == "doc_number":
        return is_doc_number(norm) or (len(norm) <= 40 and "号" in norm)
    if key == "index_no":
        return len(norm) <= 40 and bool(re.fullmatch(r"[\w/\-. ]+", norm))
    if key == "title":
        return len(norm) <= 150
    if key in ("issuer", "publisher", "office"):
        return len(norm) <= 60
    if key in ("keywords", "content"):
        return False  # an empty keyword field is followed by the title: never take it
    return len(norm) <= 30


def first(fields: list[FieldValue], *keys: str) -> FieldValue | None:
    """The first non-empty field with one of `keys`, in the order of `keys`."""
    for key in keys:
        for f in fields:
            if f.key == key and f.value:
                return f
    return None
