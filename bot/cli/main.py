"""The ``smartcloudops`` command line. Each subcommand lives in ``bot/commands/``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli.commands import ask, demo, detect, export, rules, serve, simulate, train
from bot.cli.commands import eval as eval_command
from bot.cli.commands.config import settings_from_environment
from domain.errors import ConfigError, OpsError

COMMANDS = (demo, ask, serve, simulate, detect, eval_command, train, rules, export)
#: The longest error line written, in characters: a message quoting a whole bad cell is cut in its middle.
MAX_ERROR_LINE = 1000


def _escaped(text: str) -> str:
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def one_line(message: str, *, limit: int = MAX_ERROR_LINE) -> str:
    """``message`` as one bounded line: line breaks and other control characters escaped (``\\n``),
    and the middle of an overlong message replaced by a note of how much was left out."""
    head, tail = limit * 2 // 3, limit // 4
    if len(message) > limit:  # cut before escaping: escaping a 50 MB cell whole would take seconds
        left_out = len(message) - head - tail
        start, end = _escaped(message[:head])[:head], _escaped(message[-tail:])[-tail:]
        return f"{start}… [{left_out:,} characters left out] …{end}"
    text = _escaped(message)
    if len(text) <= limit:
        return text
    return f"{text[:head]}… [{len(text) - head - tail:,} characters left out] …{text[-tail:]}"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="smartcloudops",
        description="SmartCloudOps AI: ask about your fleet, detect anomalies, and run approved remediations.",
        epilog="Settings come from SCO_* environment variables (e.g. SCO_PROMETHEUS__URL); see README.md.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``smartcloudops`` console script.

    Every command first reads the settings from the environment, so a wrong value stops any of
    them with the same one line (``configuration error: SETTING: reason``, exit code 2).
    """
    args = build_parser().parse_args(argv)
    try:
        settings_from_environment()
        code: int = args.run(args)
    except ConfigError as exc:
        sys.stderr.write(f"configuration error: {one_line(str(exc))}\n")
        return 2
    except OpsError as exc:
        sys.stderr.write(f"error: {one_line(str(exc))}\n")
        return 3
    except KeyboardInterrupt:
        return 130
    return code
