"""The ``smartcloudops`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from domain.errors import ConfigError, OpsError

if TYPE_CHECKING:
    from bot.settings import Settings

_ENV_HINT = "settings come from SCO_* environment variables (e.g. SCO_PROMETHEUS__URL)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartcloudops",
        description="SmartCloudOps AI: ask about your fleet, detect anomalies, and run approved remediations.",
        epilog=_ENV_HINT,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the whole story on a simulated fleet (no Slack, LLM, AWS or Redis)")
    demo.add_argument("--hosts", type=int, default=5, help="simulated hosts (default 5)")
    demo.add_argument("--log-dir", type=Path, default=Path("logs/demo"), help="where audit and event logs go")

    ask = sub.add_parser("ask", help="answer one question with the configured settings")
    ask.add_argument("question", help='the question, e.g. "what is the current CPU on web-1?"')
    ask.add_argument("--json", action="store_true", help="print one JSON object: answer, mode, tool_calls, approval_id")
    ask.add_argument(
        "--thread", metavar="ID", help="conversation id; follow-up questions with the same id keep context"
    )
    ask.add_argument("--user", default="cli", help="who is asking (recorded as requester of remediations)")

    serve = sub.add_parser("serve", help="run the Slack app")
    mode = serve.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--http", action="store_true", help="HTTP mode: /slack/events and the HTTP API on SCO_HTTP__HOST:PORT"
    )
    mode.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")

    sim = sub.add_parser("simulate", help="serve node_exporter-format metrics for a simulated fleet")
    sim.add_argument("--hosts", type=int, default=20, help="number of hosts (default 20)")
    sim.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sim.add_argument("--port", type=int, default=9101, help="port to bind (default 9101)")
    sim.add_argument("--scenario", type=Path, help="YAML file of incidents to inject")
    return parser


def _settings() -> Settings:
    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = "__".join(str(p).upper() for p in err["loc"])
        raise ConfigError(f"SCO_{where}: {err['msg']}") from None


def _cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo
    from bot.logging import configure_logging

    args.log_dir.mkdir(parents=True, exist_ok=True)
    with (args.log_dir / "events.jsonl").open("a", encoding="utf-8") as events:
        configure_logging(stream=events, json=True)
        return run_demo(out=sys.stdout, log_dir=args.log_dir, hosts=args.hosts)


def _cmd_ask(args: argparse.Namespace) -> int:
    from bot.logging import configure_logging
    from bot.main import build_services

    configure_logging(stream=sys.stderr, level="WARNING")
    services = build_services(_settings())
    answer = services.runner.answer(args.question, user=args.user)
    outage = answer.outage()
    if outage:
        print(f"error: {outage}", file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False))
    else:
        print(answer.answer)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from bot.serve import serve

    return serve(_settings(), http=bool(args.http))


def _cmd_simulate(args: argparse.Namespace) -> int:
    from simulator.server import run_simulator

    return run_simulator(hosts=args.hosts, host=args.host, port=args.port, scenario=args.scenario)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``smartcloudops`` console script."""
    args = _parser().parse_args(argv)
    handlers = {"demo": _cmd_demo, "ask": _cmd_ask, "serve": _cmd_serve, "simulate": _cmd_simulate}
    try:
        return handlers[args.command](args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except OpsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
