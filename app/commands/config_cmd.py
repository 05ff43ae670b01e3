"""`policyqa config show`: print the effective settings."""

from __future__ import annotations

import argparse
import json

from config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "config", help="show the effective settings",
        description="Show the settings in force after config/default.toml, --config FILE and "
        "POLICYQA_* variables are applied. Secrets are shown only as set or not set.",
    )
    p.add_argument("action", choices=["show"], help="what to do (only `show` for now)")
    p.add_argument("--json", action="store_true", help="print JSON instead of TOML-like text")


def run(args: argparse.Namespace, settings: Settings) -> int:
    data = settings.shown()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for section, values in data.items():
        print(f"[{section}]")
        for key, value in values.items():
            print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        print()
    return 0
