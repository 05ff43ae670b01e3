"""Who issued a document: organisation names as official documents state them.

Places an issuer shows, most trustworthy first (see `index.metadata`): a labelled 发文机关
field; the organisations that open the title (`广州市民政局 广州市财政局关于印发…`); the
organisations of the sign-off or byline, next to a date; the legislature of a regulation's
adoption line (`…人民代表大会常务委员会第五次会议通过`); the organs of a Taiwan promulgation
line; and only then the site's 来源 / 发布机构 field, which may name a site that reposted it.
A short form that drops its place (`市人力资源社会保障局`) gets the place of that level the
document names most often (`广州市`).
"""

from __future__ import annotations

import re
from collections import Counter

from index.docnumber import issuing_organ
from index.normalize import normalize

# How organisation names end (the generic heads of bodies at every level of government).
ORG_END = (
    r"(?:办公厅|办公室|委员会|人民政府|政府|常务委员会|人民代表大会|厅|局|委|部|院|办|处|署|中心|协会|"
    r"联合会|总队|调查队|队|科|所|站|行|会|总统|總統|府)"
)
_ORG = re.compile(rf"^[\u4e00-\u9fff（）()·]{{2,40}}?{ORG_END}$")
_TITLE_HEAD = re.compile(r"^(.{2,120}?)(?:关于|對|对)")
_N = r"[一二三四五六七八九十百\d]+"
_ADOPTED = re.compile(rf"(.{{2,12}}?)第{_N}届(人民代表大会(?:常务委员会)?)第{_N}次(?:全体)?会议")
_LEVEL_SHORT = re.compile(r"^(省|市|区|县|州|盟|旗)(?=[\u4e00-\u9fff]{2,})")


def is_org(name: str) -> bool:
    """The (normalised, squeezed) string is shaped like one organisation's name."""
    return bool(_ORG.match(name)) and not re.search(r"关于|[的、，。]", name)


def split_orgs(text: str) -> list[str]:
    """Organisation names in a run like `广州市民政局　广州市财政局` or `A、B`; [] if any part is not one."""
    parts = [p for p in re.split(r"[\s、，,；;]+", text.strip()) if p]
    return parts if parts and all(is_org(p) for p in parts) else []


def orgs_of_title(title_norm: str) -> list[str]:
    """The organisations a title opens with: `A B关于…的通知` → [A, B]; `A对…的答复` → [A];
    `A转发B关于…` → [A] (B wrote what A forwards)."""
    m = _TITLE_HEAD.match(title_norm)
    if not m:
        return []
    head = re.split(r"转发|批转|印发", m.group(1))[0]
    return split_orgs(head)


def adopting_legislature(text_norm: str) -> str | None:
    """`山东省第十三届人民代表大会常务委员会第十八次会议通过` → `山东省人民代表大会常务委员会`."""
    m = _ADOPTED.search(text_norm)
    if not m:
        return None
    place = re.sub(r"^.*?(?:\d日|日|\s)", "", m.group(1)).strip()
    return f"{place}{m.group(2)}" if place else None


def promulgating_organs(numbers: list[str]) -> list[str]:
    """The organs whose 字号 a promulgation line cites (`總統華總一經字第…號令` → 總統)."""
    out: list[str] = []
    for number in numbers:
        organ = issuing_organ(number)
        if organ and organ not in out:
            out.append(organ)
    return out


_SITE_WORDS = re.compile(r"^(?:本网|本站)|(?:官方网站|门户网站|官网|网站|微信公众号|公众号|客户端|微博)$")


def publisher_name(source: str, text_norm: str) -> str | None:
    """The organisation a page's 来源 / 发布机构 names: site words dropped (本网, …官网), a short
    form given its place; None when what remains is not an organisation (国家法律法规数据库)."""
    parts = [_SITE_WORDS.sub("", p) for p in re.split(r"[\s、，,；;]+", source.strip())]
    parts = [expand_short(p, text_norm) for p in parts if p]
    if not parts or not all(is_org(normalize(p)) for p in parts):
        return None
    return "、".join(parts)


def expand_short(name: str, text_norm: str) -> str:
    """`市人力资源社会保障局` → `广州市人力资源社会保障局`, taking the place of that level named
    most often in the document; unchanged when the document names none."""
    parts = re.split(r"([、，,；;\s]+)", name)
    places: dict[str, str] = {}
    out = []
    for part in parts:
        m = _LEVEL_SHORT.match(part)
        if m and not re.match(r"^(?:省|市|区|县)(?:委|政府|人大|政协)$", part):
            level = m.group(1)
            if level not in places:
                places[level] = _commonest_place(text_norm, level)
            if places[level]:
                part = places[level] + part[1:]
        out.append(part)
    return "".join(out)


def _commonest_place(text_norm: str, level: str) -> str:
    """The name of that level (2–4 characters before 市/区…) the text repeats most; shorter wins ties."""
    names: Counter[str] = Counter()
    for m in re.finditer(level, text_norm):
        p = m.start()
        for k in (2, 3, 4):
            name = text_norm[max(0, p - k) : p + 1]
            if len(name) == k + 1 and re.fullmatch(r"[\u4e00-\u9fff]+", name):
                names[name] += 1
    ranked = sorted(names.items(), key=lambda kv: (-kv[1], len(kv[0])))
    for name, n in ranked:
        if n >= 2 and not re.match(r"^(?:全|本|各|该|我|辖|城|外|省|市|区|县|在|的|和|与|及|对)", name):
            return name
    return ""
