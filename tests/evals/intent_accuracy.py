"""Accuracy of the assistant's reading of questions on the held-out paraphrases (never trained on).

``python -m tests.evals.intent_accuracy [--commit COMMIT ...]`` prints the accuracy of the
router as it is (the intent model decides, slot extraction fills the call), of the intent
model alone, and of the router of each given commit on the same set (that commit's ``agent/``
and ``domain/``, read in a subprocess by ``tests/evals/commit_reader.py``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import yaml

from agent import intents
from agent.conversation import Conversation
from agent.intent_model import shared_model
from agent.slots import for_model
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
    "what_happened": "what_happened",
    "list_recent_anomalies": "anomalies",
    "summarize_anomalies": "anomalies",
    "get_logs": "logs",
    "list_pending_approvals": "approvals",
    "request_remediation": "remediation",
    "explain_rule": "rule",
}
HOSTS: list[HostRef] = sorted(FleetModel(20).refs, key=lambda h: h.name)
#: (question, intent, the earlier question of its thread or None)
Item = tuple[str, str, str | None]


def heldout() -> list[Item]:
    """The held-out items."""
    return [
        (str(row[0]), str(row[1]), str(row[2]) if len(row) > 2 else None) for row in yaml.safe_load(HELDOUT.read_text())
    ]


def intent_of(tool: str | None, intent: str) -> str:
    """The held-out label of a reading: the intent its tool serves, ``help``, or ``unknown``."""
    return TOOL_INTENTS.get(tool or "", "help" if intent == "help" else "unknown")


def read_now(question: str, earlier: str | None = None) -> str:
    """The intent the router acts on, with the thread of ``earlier`` when there is one."""
    conversation = Conversation()
    if earlier is not None:
        first = intents.plan(earlier.lower(), HOSTS, conversation)
        conversation = conversation.remember(
            earlier, "", host=first.host, metric=first.metric, since=first.since, intent=first.intent
        )
    step = intents.plan(question.lower(), HOSTS, conversation)
    return intent_of(step.tool, step.intent)


def read_by_model(question: str, earlier: str | None = None) -> str:
    """The intent model's top guess alone, which reads no thread (small talk counts as ``unknown``)."""
    del earlier
    guess = shared_model().predict(for_model(question, HOSTS))
    return "unknown" if guess == "unrelated" else guess


def at_commit(commit: str, items: list[Item]) -> list[str]:
    """The intents the router of ``commit`` reads for ``items``."""
    archive = subprocess.run(  # noqa: S603 - fixed git invocation
        ["git", "archive", "--format=tar", commit, "agent", "domain"],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout
    work = Path(tempfile.mkdtemp(prefix="intent-accuracy-"))
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(work, filter="data")
    request = {"hosts": [[h.instance, h.name] for h in HOSTS], "items": [[q, earlier] for q, _, earlier in items]}
    done = subprocess.run(  # noqa: S603 - the project's own script, with this interpreter
        [sys.executable, str(Path(__file__).with_name("commit_reader.py"))],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        cwd=work,
        env={"PYTHONPATH": str(work), "PATH": "/usr/bin:/bin"},
    )
    return [intent_of(tool, intent) for tool, intent in json.loads(done.stdout)]


def accuracy(read: Callable[[str, str | None], str], items: list[Item]) -> float:
    """Share of ``items`` whose intent ``read`` gets right."""
    return sum(read(q, earlier) == i for q, i, earlier in items) / len(items)


def main(argv: list[str]) -> int:
    """Print the accuracies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", action="append", default=[], help="also score this commit's router")
    parser.add_argument("--misses", action="store_true", help="list the questions the router now gets wrong")
    args = parser.parse_args(argv)
    items = heldout()
    rows = [("router now (intent model first)", accuracy(read_now, items))]
    rows.append(("intent model alone", accuracy(read_by_model, items)))
    for commit in args.commit:
        read = at_commit(commit, items)
        rows.append((f"router at {commit}", sum(r == i for r, (_, i, _) in zip(read, items, strict=True)) / len(items)))
    for name, share in rows:
        print(f"{name}: {100 * share:.1f}% of {len(items)}")  # noqa: T201 - the report
    if args.misses:
        for q, i, earlier in items:
            if (got := read_now(q, earlier)) != i:
                print(f"  miss: {q!r} ({earlier or '-'}) → {got}, expected {i}")  # noqa: T201 - the report
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
