"""``smartcloudops demo``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``demo`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "demo", help="run the whole story on a simulated fleet (no Slack, LLM, AWS or Redis)"
    )
    p.add_argument("--hosts", type=int, default=5, help="simulated hosts (default 5)")
    p.add_argument("--log-dir", type=Path, default=Path("logs/demo"), help="where audit and event logs go")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo, logging events to a file so the terminal shows only the story."""
    from bot.cli.demo import run_demo
    from bot.logging import configure_logging

    args.log_dir.mkdir(parents=True, exist_ok=True)
    with (args.log_dir / "events.jsonl").open("a", encoding="utf-8") as events:
        configure_logging(stream=events, json=True)
        return run_demo(out=sys.stdout, log_dir=args.log_dir, hosts=args.hosts)
