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
    p.add_argument("--hosts", type=int, default=5, help="simulated hosts, 1 to 1000 (default 5)")
    p.add_argument(
        "--log-dir",
        default="logs/demo",
        help="folder where audit and event logs go (default logs/demo; created if missing)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo, logging events to a file so the terminal shows only the story."""
    from bot.cli.demo import MAX_HOSTS, run_demo
    from bot.logging import configure_logging
    from domain.errors import InputError

    if not 1 <= args.hosts <= MAX_HOSTS:
        raise InputError(f"--hosts must be between 1 and {MAX_HOSTS} (got {args.hosts})")
    if not args.log_dir.strip():
        raise InputError("--log-dir is empty: give a folder for the demo's logs")
    log_dir = Path(args.log_dir)
    try:
        if log_dir.exists() and not log_dir.is_dir():
            raise InputError(f"--log-dir {log_dir}: is not a folder")
        log_dir.mkdir(parents=True, exist_ok=True)
        events = (log_dir / "events.jsonl").open("a", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--log-dir {log_dir}: cannot write there ({exc.strerror or exc})") from exc
    with events:
        configure_logging(stream=events, json=True)
        return run_demo(out=sys.stdout, log_dir=log_dir, hosts=args.hosts)
