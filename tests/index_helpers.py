"""Small corpora and settings for index and retrieval tests (fake embedder, temp folders)."""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings

POLICY_A = (
    "关于促进科技创新的若干措施\n\n"
    "一、加大研发投入\n\n"
    "对首次认定的高新技术企业给予一次性奖励30万元研发经费，支持企业建设研发平台。\n\n"
    "二、培养科技人才\n\n"
    "每年引导1500名左右的科技人员到基层服务，开展技术培训和科学普及活动。"
)
PLAN_B = (
    "康巴什區科技創新規劃\n\n"
    "第一章 發展目標\n\n"
    "到2025年，全社會研發經費投入占GDP的比重達到2.2%，高新技術企業達到15家以上。\n\n"
    "第二章 保障措施\n\n"
    "加強組織領導，建立健全規劃組織實施機制，強化評估監督。"
)
NOTICE_C = (
    "关于黄河流域生态保护的通知\n\n"
    "一、总体要求\n\n"
    "坚持生态优先、绿色发展，推进黄河流域水土保持和湿地修复，严格控制地下水开采。"
)


def write_corpus(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def fake_settings(settings: Settings, tmp_path: Path, corpus: Path) -> Settings:
    """The default settings with the fake embedder and everything under `tmp_path`."""
    return settings.with_overrides(
        paths={"corpus": corpus, "data_dir": tmp_path / "data"},
        embedding={"backend": "fake"},
    )
