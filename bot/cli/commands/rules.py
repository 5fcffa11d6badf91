"""``smartcloudops rules``: check a duration-rules file, or export it as Prometheus alerting rules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from adapters.prometheus.rule_export import render_alerting_rules
from detectors.rules.file import NamedRule, load_rules_file
from domain.durations import format_duration
from domain.errors import ConfigError


def register(sub: Any) -> None:
    """Add the ``rules`` subcommand."""
    parser = sub.add_parser(
        "rules",
        help="check a duration-rules file or export it as Prometheus alerting rules",
        description="Duration rules look like 'cpu > 90% for 3m on web-* then restart_service nginx'. "
        "'check' validates the file (column of any error); 'export' prints a Prometheus rule file whose "
        "alerts fire exactly when the bot's rules do.",
    )
    parser.add_argument("action", choices=("check", "export"), help="what to do with the file")
    parser.add_argument(
        "file",
        nargs="?",
        type=Path,
        help="the rules file (default: SCO_REMEDIATION__RULES_FILE)",
    )
    parser.add_argument(
        "--group", default="smartcloudops-rules", type=_group_name, help="rule group name in the export"
    )
    parser.add_argument("-o", "--output", type=Path, help="write the export here instead of stdout")
    parser.set_defaults(run=run)


def _group_name(text: str) -> str:
    """A Prometheus rule group name: promtool refuses an empty one."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the rule group name must not be empty")
    if not text.isprintable():
        raise argparse.ArgumentTypeError("the rule group name must be printable text (no line breaks or tabs)")
    return text


def _rules_path(args: argparse.Namespace) -> Path:
    if args.file is not None:
        return Path(args.file)
    from bot.cli.commands.config import load_settings

    configured = load_settings().remediation.rules_file
    if configured is None:
        raise ConfigError("no rules file given: pass one, or set SCO_REMEDIATION__RULES_FILE")
    return configured


def _describe(rule: NamedRule) -> str:
    r = rule.rule
    where = f" on {r.selector}" if r.selector else " on every host"
    then = f", then ask approval for: {r.action}" if r.action else ""
    return (
        f"  {rule.name} [{rule.severity.value}]: {r.condition} for {format_duration(r.duration_seconds)}{where}{then}"
    )


def run(args: argparse.Namespace) -> int:
    """Check or export the rules file; a bad file is one error line and exit status 2."""
    path = _rules_path(args)
    rules = load_rules_file(path)
    if not rules:
        # A file one checks or exports is meant to hold rules: an empty one is a mistake, not "0 rules OK".
        raise ConfigError(f"rules file {path}: holds no rules (it is empty or only comments, or 'rules:' is empty)")
    if args.action == "check":
        sys.stdout.write(f"{path}: {len(rules)} rule(s) OK\n")
        for rule in rules:
            sys.stdout.write(_describe(rule) + "\n")
        return 0
    text = render_alerting_rules(rules, group=args.group)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    sys.stdout.write(f"wrote {len(rules)} alerting rule(s) to {args.output}\n")
    return 0
