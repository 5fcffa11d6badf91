"""Reads the held-out questions with the agent package of another commit (run by intent_accuracy in a subprocess).

Run from a directory holding that commit's ``agent/`` and ``domain/``: reads
``{"hosts": [[instance, host], ...], "items": [[question, earlier or null], ...]}`` on stdin and
prints, per item, the tool the router of that commit would call (or null) and its intent. Where
the commit has an intent model, it places what the rules could not, as that commit's router did.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

# That commit's modules, not this tree's: looked up by name, so nothing here assumes their shape.
intents: Any = importlib.import_module("agent.intents")
conversations: Any = importlib.import_module("agent.conversation")
models: Any = importlib.import_module("domain.models")
try:
    shared_model: Any = importlib.import_module("agent.intent_model").shared_model
    call_for: Any = importlib.import_module("agent.understanding").call_for
except (ImportError, AttributeError):  # a commit from before the intent model: its rules alone
    shared_model = None


def read(question: str, hosts: list[Any], conversation: Any) -> Any:
    """That commit's plan for ``question``: its rules, then its intent model for what they cannot place."""
    text = question.lower()
    step = intents.plan(text, hosts, conversation)
    if step.tool is not None or step.intent == "help" or shared_model is None:
        return step
    best = shared_model().ranked(text)[0]
    if best.confident and best.intent == "help":
        return intents.Plan("help")
    host = intents.host_in(text, hosts) or (conversation.host if intents.refers_back(text) else None)
    metric = intents.metric_in(text) or (models.MetricKind(conversation.metric) if conversation.metric else None)
    call = call_for(best.intent, host=host, metric=metric, since=intents.since_in(text)) if best.confident else None
    if call is None:
        return intents.Plan("unknown")
    tool, args = call
    return intents.Plan(best.intent, tool, args, host=args.get("host"), metric=args.get("metric"))


def main() -> int:
    """Read stdin, print the readings as JSON."""
    request = json.load(sys.stdin)
    hosts = [models.HostRef(instance=instance, host=host) for instance, host in request["hosts"]]
    out = []
    for question, earlier in request["items"]:
        conversation = conversations.Conversation()
        if earlier:
            first = read(earlier, hosts, conversation)
            conversation = conversations.Conversation(
                host=first.host, metric=first.metric, since=first.since, intent=first.intent
            )
        step = read(question, hosts, conversation)
        out.append([step.tool, step.intent])
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
