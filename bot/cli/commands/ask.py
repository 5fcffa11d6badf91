"""``smartcloudops ask [--json] [--thread ID] "QUESTION"``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``ask`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("ask", help="answer one question with the configured settings")
    p.add_argument("question", help='the question, e.g. "what is the current CPU on web-1?"')
    p.add_argument("--json", action="store_true", help="print one JSON object: answer, mode, tool_calls, approval_id")
    p.add_argument("--thread", metavar="ID", help="conversation id; follow-ups with the same id keep context")
    p.add_argument("--user", default="cli", help="who is asking (recorded as requester of remediations)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Answer; when a dependency the answer needed was unreachable, also one ``error:`` line on stderr and exit 3.

    The answer (or with ``--json`` its JSON object) is printed either way, so a script reading
    stdout always gets the assistant's words; a part that is not configured is answered in words
    with exit 0 ("set SCO_PROMETHEUS__URL").
    """
    from bot.cli.commands.config import load_settings
    from bot.config.secrets import secret_values
    from bot.logging import configure_logging
    from bot.wiring import build_services
    from domain.redaction import SecretRedactor

    configure_logging(stream=sys.stderr, level="WARNING")
    settings = load_settings()
    redactor = SecretRedactor.of(secret_values(settings))
    configure_logging(stream=sys.stderr, level="WARNING", redactor=redactor)
    services = build_services(settings, load_model=False, redactor=redactor)
    answer = services.runner.answer(args.question, user=args.user, thread=args.thread)
    if args.json:
        sys.stdout.write(json.dumps(redactor.data(answer.model_dump(mode="json")), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(redactor.text(answer.answer) + "\n")
    outage = answer.outage()
    if outage:
        sys.stderr.write(redactor.text(f"error: {outage}") + "\n")
        return 3
    return 0
