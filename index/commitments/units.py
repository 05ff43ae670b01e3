"""Split responsible-unit lists into single units and give each one canonical name.

A list such as "各市人民政府,县级人民政府,省科技厅、发展改革委" has two
levels of separator: commas (and ;) separate groups, 、 separates names within a group. A
group that begins with 各 ("各盟行政公署、市人民政府") is one distributive phrase and stays
one unit; a regional prefix at the head of a group ("自治区…") applies to every name in it
and is dropped, so 自治区科技厅, 科技厅 and 某某自治区科学技术厅 all become 科技厅.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.normalize import normalize

ALIASES_FILE = Path(__file__).with_name("aliases.toml")
_GROUP_SEP = re.compile(r"[,，;；]|以及|及(?=[^\s,，;；、]{2,})")
_NAME_SEP = re.compile(r"[、/]")
_ROLE_WORDS = re.compile(r"^(?:责任单位|牵头单位|配合单位|责任部门|牵头部门|配合部门|负责单位|参与单位)[:：]?")
_TRAILING = re.compile(r"(?:等(?:单位|部门)?|按职责分工负责|分别负责|负责|牵头|配合|参与)$")


@dataclass(frozen=True)
class UnitTable:
    """The alias data: prefixes to drop, department-name endings, alias → canonical name."""

    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    aliases: dict[str, str]


@lru_cache(maxsize=4)
def load_unit_table(path: Path = ALIASES_FILE) -> UnitTable:
    """Read the alias data file (cached; the file is part of the package)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    prefixes = tuple(sorted((normalize(p) for p in data.get("prefixes", [])), key=len, reverse=True))
    return UnitTable(
        prefixes=prefixes,
        suffixes=tuple(normalize(s) for s in data.get("suffixes", [])),
        aliases={normalize(k): normalize(v) for k, v in data.get("aliases", {}).items()},
    )


def is_department(name: str, table: UnitTable | None = None) -> bool:
    """True when `name` ends like an organisation name (…厅, …局, …人民政府)."""
    table = table or load_unit_table()
    return len(name) >= 2 and name.endswith(table.suffixes)


def canonical_unit(name: str, table: UnitTable | None = None) -> str:
    """One unit name in canonical form: normalised, regional prefix dropped, alias applied."""
    table = table or load_unit_table()
    name = normalize(name).strip(" \t\n:：()（）")
    name = _TRAILING.sub("", _ROLE_WORDS.sub("", name)).strip()
    if name.startswith("各"):
        return name
    name = _TAX_BUREAU.sub("税务局", name)
    for prefix in (*_place_prefixes(name), *table.prefixes):
        rest = name[len(prefix):]
        if name.startswith(prefix) and rest and is_department(rest, table) and "人民政府" not in rest:
            name = rest
            break
    return table.aliases.get(name, name)


# A place at the head of a name: a named place of any level, or a bare level word.
_PLACE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区|市|自治州|州|盟|地区|县|区|旗))+"
    r"|^(?:自治区|省|市|州|盟|县|区|旗)(?![场域份级委长属辖内外政])"  # a bare level word, not 市场 / 区域 / 区委
)
_TAX_BUREAU = re.compile(r"^国家税务总局.{2,10}?税务局$")  # a province's or city's tax bureau


def _place_prefixes(name: str) -> list[str]:
    """Candidate place prefixes of `name`, longest first."""
    m = _PLACE.match(name)
    if not m:
        return []
    whole = m.group(0)
    return [whole[:i] for i in range(len(whole), 0, -1) if whole[i - 1] in "省区市州盟县旗" ]


def split_units(text: str, table: UnitTable | None = None) -> tuple[str, ...]:
    """The individual, canonical units named in a list, in order, without repeats."""
    table = table or load_unit_table()
    text = _ROLE_WORDS.sub("", normalize(text).strip())
    out: list[str] = []
    for group in _GROUP_SEP.split(text):
        group = group.strip()
        if not group:
            continue
        names = [group] if group.startswith("各") else _split_names(group, table)
        out.extend(canonical_unit(n, table) for n in names if n.strip())
    return tuple(dict.fromkeys(u for u in out if u))


def _split_names(group: str, table: UnitTable) -> list[str]:
    names = [n.strip() for n in _NAME_SEP.split(group) if n.strip()]
    # "和" joins two units only when both sides are department names; "工业和信息化厅" stays whole.
    split: list[str] = []
    for name in names:
        parts = name.split("和")
        if len(parts) == 2 and all(is_department(p, table) for p in parts):
            split.extend(parts)
        else:
            split.append(name)
    return split


def unit_matches(query: str, unit: str, table: UnitTable | None = None) -> bool:
    """True when a user's unit name (any form) denotes `unit` (a canonical ledger unit)."""
    want = canonical_unit(query, table)
    return bool(want) and (want == unit or (len(want) >= 2 and want in unit))
