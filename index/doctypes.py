"""Document types (文种) of Chinese official documents, and how a document shows its type.

The type is read from the end of the title (GB/T 9704 titles end with the 文种: 通知, 意见,
批复…), from a labelled field (`法規性質：法律`), or from the kind of text (a reply to a CPPCC
proposal, a statistical bulletin, a Q&A interpretation). Each type has a Chinese name (what
users see) and a stable code (what evaluation data and exports use).
"""

from __future__ import annotations

import re

# (Chinese name, code, pattern matched at the end of the normalised title), most specific first.
DOC_TYPES: tuple[tuple[str, str, str], ...] = (
    ("提案答复", "proposal_reply", r"提案的?(?:答复|复函|回复)"),
    ("建议答复", "suggestion_reply", r"建议的?(?:答复|复函|回复)"),
    ("解读", "policy_interpretation", r"解读|问答|答问|\d+问|答记者问|热点问题|常见问题|问题解答|答疑"),
    ("统计公报", "statistical_bulletin", r"统计公报"),
    ("行动计划", "plan", r"行动计划"), ("实施意见", "opinion", r"实施意见"),
    ("实施方案", "plan", r"实施方案"), ("实施细则", "rules", r"细则"), ("规划", "plan", r"规划"),
    ("计划", "plan", r"计划"), ("意见", "opinion", r"意见"), ("方案", "plan", r"方案"),
    ("通知", "notice", r"通知"), ("办法", "measures", r"办法"), ("决定", "decision", r"决定"),
    ("条例", "regulation", r"条例"), ("规定", "provisions", r"规定"), ("公告", "announcement", r"公告"),
    ("通告", "announcement", r"通告"), ("批复", "approval", r"批复"), ("报告", "report", r"报告"),
    ("公报", "bulletin", r"公报"), ("措施", "measures", r"措施"), ("指引", "guide", r"指引|指南"),
    ("纲要", "plan", r"纲要"), ("函", "letter", r"复函|函$"), ("法", "law", r"法$"),
)
CODES = {name: code for name, code, _ in DOC_TYPES} | {
    "地方性法规": "local_regulation", "法律": "law", "法规": "regulation", "信息": "information_release",
    "规章": "decree",
}
# What a labelled 法规性质 / 文种 field says, to a type name.
_NATURE = {"法律": "法律", "命令": "法规", "行政法规": "法规", "地方性法规": "地方性法规", "规章": "法规"}
_LEGISLATURE = re.compile(r"人民代表大会(?:常务委员会)?")


def doc_type_of(title: str) -> str | None:
    """The type the (normalised) title ends with: the latest-ending match wins."""
    norm = re.sub(r"[》」”\s]+$", "", title)
    norm = re.sub(r"[（(][^（()）]*[)）]$", "", norm)  # a trailing (试行) / (2018-2020年)
    best: tuple[int, str] | None = None
    for name, _, pattern in DOC_TYPES:
        for m in re.finditer(pattern, norm):
            if best is None or m.end() > best[0]:
                best = (m.end(), name)
    return best[1] if best else None


def classify(title_norm: str, *, nature: str | None = None, issuer: str | None = None,
             is_page: bool = False, decree: bool = False) -> str | None:
    """The document's type from its title, a labelled nature field and who issued it.

    A 条例 or 办法 adopted by a people's congress standing committee is a local regulation; a
    办法 or 规定 a government promulgates by decree (…人民政府令第N号) is a government rule
    (规章); a labelled nature (`法规性质`) decides for statutes; a portal page whose title names
    no type is an information release.
    """
    if nature:
        key = re.sub(r"\s+", "", nature)
        if key in _NATURE:
            return _NATURE[key]
    kind = doc_type_of(title_norm)
    if kind in ("条例", "规定", "办法") and issuer and _LEGISLATURE.search(issuer):
        return "地方性法规"
    if kind in ("办法", "规定", "细则") and decree:
        return "规章"
    if kind is None and is_page:
        return "信息"
    return kind


def type_code(name: str | None) -> str | None:
    """The stable code of a type name (通知 → notice)."""
    return CODES.get(name) if name else None
