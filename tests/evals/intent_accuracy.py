"""Accuracy of the assistant's reading of questions on the held-out paraphrases (never trained on).

``python -m tests.evals.intent_accuracy [--old-router COMMIT]`` prints the accuracy of the
router as it is (rules, then the intent model for what they cannot place), of the intent
model alone, and, given a commit, of that commit's keyword router on the same set.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import yaml

from agent import intents
from agent.conversation import Conversation
from agent.intent_model import shared_model
from agent.understanding import call_for
from domain.models import HostRef
from simulator.fleet import FleetModel

HELDOUT = Path(__file__).parent / "intent_heldout.yaml"
TOOL_INTENTS = {
    "get_current_metric": "metric_now",
    "get_metric_range": "metric_range",
    "top_hosts": "top_hosts",
    "host_status": "host_status",
    "fleet_status": "fleet",
    "host_capacity": "capacity",
    "diagnose_host": "diagnosis",
    "list_recent_anomalies": "anomalies",
    "summarize_anomalies": "anomalies",
    "get_logs": "logs",
    "list_pending_approvals": "approvals",
    "request_remediation": "remediation",
    "explain_rule": "rule",
}
HOSTS: list[HostRef] = sorted(FleetModel(20).refs, key=lambda h: h.name)


def heldout() -> list[tuple[str, str]]:
    """The held-out (question, intent) pairs."""
    return [(str(q), str(i)) for q, i in yaml.safe_load(HELDOUT.read_text())]


def _intent_of(plan: intents.Plan) -> str:
    return TOOL_INTENTS.get(plan.tool or "", "help" if plan.intent == "help" else "unknown")


def read_now(question: str) -> str:
    """The intent the router acts on: its rules, then the intent model (routing only when confident)."""
    text = question.lower()
    plan = intents.plan(text, HOSTS, Conversation())
    if plan.tool is not None or plan.intent == "help":
        return _intent_of(plan)
    best = shared_model().ranked(text)[0]
    if best.confident and best.intent == "help":
        return "help"
    host = intents.host_in(text, HOSTS)
    if best.confident and call_for(best.intent, host=host, metric=intents.metric_in(text), since=None):
        return best.intent
    return "unknown"


def read_by_model(question: str) -> str:
    """The intent model's top guess alone."""
    return shared_model().predict(question)


def old_router(commit: str) -> Callable[[str], str]:
    """The keyword router of ``commit`` (its ``agent/intents.py``), reading the same questions."""
    source = subprocess.run(  # noqa: S603 - fixed git invocation
        ["git", "show", f"{commit}:agent/intents.py"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_intents.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_intents", path)
    assert spec is not None
    assert spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules["old_intents"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return lambda q: _intent_of(module.plan(q.lower(), HOSTS, Conversation()))


def accuracy(read: Callable[[str], str], pairs: list[tuple[str, str]]) -> float:
    """Share of ``pairs`` whose intent ``read`` gets right."""
    return sum(read(q) == i for q, i in pairs) / len(pairs)


def main(argv: list[str]) -> int:
    """Print the accuracies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-router", metavar="COMMIT", help="also score this commit's keyword router")
    args = parser.parse_args(argv)
    pairs = heldout()
    rows = [("router now (rules + intent model)", read_now), ("intent model alone", read_by_model)]
    if args.old_router:
        rows.append((f"keyword router at {args.old_router}", old_router(args.old_router)))
    for name, read in rows:
        print(f"{name}: {100 * accuracy(read, pairs):.1f}% of {len(pairs)}")  # noqa: T201 - the report
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
