"""Reading a question: the intent model decides what it asks for, slot extraction fills the tool call.

Pure, but for the packaged model being trained at the first question of a process.
``/ops`` verbs never get here: the Slack command parser reads them, and only free text reaches
the router. Two kinds of question are read ahead of the model, each where a model cannot be right
by construction:

- A follow-up made only of slots ("and memory?", "what about db-1?", "over the last 2 hours",
  told by ``agent/follow_ups.py``): its words name no intent, only the thread does, so the
  thread's intent is kept and the new slots replace the thread's own (a metric after a status
  question asks for that metric).
- The questions ``agent/set_answers.py`` answers the same way whatever the corpus says: help, a
  rule written out, deciding a request, scaling down, a change no tool makes.

Every other question gets the intent model's ranking (``agent/intent_model.py``). Its top guess
is acted on when it is confident; otherwise, or when the intent needs a slot the question does
not give (a host for a capacity question), the answer offers the two or three closest things the
assistant can do (``agent/understanding.py``). Within the metric family (a value now, a value over
a window) the slots decide the shape: a look-back with a window word, a statistic or a disk
filling up on one host reads a range, a point in time a past value, a threshold, prefix or fleet
average the fleet, and a range with none of these the value now; a measure no host metric is
(swap, connections) is told so. A remediation is requested only when its action, target and
amount parse from the person's words (``agent/remediation_slots.py``); otherwise the answer says
how to ask for one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from agent.conversation import Conversation
from agent.fleet_intents import (
    asks_for_an_end,
    fleet_call,
    fleet_metric_call,
    ranking_follow_up,
    ranking_keeps,
    ranks_by_busyness,
    top_call,
)
from agent.follow_ups import reads_as_follow_up, slots_only
from agent.host_intents import capacity_call, diagnosis_call, restart_question_call, status_call
from agent.intent_model import IntentModel, shared_model
from agent.log_slots import logs_args, thread_filters
from agent.plan import Plan
from agent.question_slots import QuestionSlots
from agent.remediation_slots import bad_size_in, remediation_in, restart_there
from agent.set_answers import approvals_args, is_help, rule_in, set_answer
from agent.slots import (
    count_in,
    day_in,
    for_model,
    host_in,
    host_words,
    metric_in,
    moment_in,
    mountpoint_in,
    named_hosts,
    refers_back,
    severity_in,
    since_in,
    unwatched_in,
)
from agent.text import without_pasted_sql
from agent.understanding import WHOLE_SIZE, did_you_mean, how_to_request, not_watched, placed
from domain.models import HostRef, MetricKind
from domain.time_expressions import find_window

__all__ = ["Plan", "plan", "remediation_in"]

_STAT = re.compile(
    r"\b(peak|average|avg|mean|max|maximum|min|minimum|highest|lowest|trend\w*|rising|falling|growing|increasing"
    r"|decreasing|climbing|creeping|history|graph|chart|plot|draw|change[sd]?|changing|vary|varied|behaved?"
    r"|recently|lately|been|still)\b"
)
#: A look-back is a window only beside a word that makes it one ("[31m" in pasted text is not).
_WINDOW_WORD = re.compile(r"\b(over|during|in|within|for|since|across|last|past|previous|today)\b")
_FILL = re.compile(
    r"\b(fill(s|ing)?(\s+up)?|(be|get|become|go|until|till|before\s+it\s+is)\s+full|run(s|ning)?\s+out"
    r"|time[\s-]to[\s-]full|forecast|leak\w*)\b"
)
#: What fills up towards 100%: a disk, and memory (a leak).
_FILLS_UP = (MetricKind.DISK, MetricKind.MEMORY)
_SUMMARY = re.compile(r"\b(summar\w*|how many|count|overview|any)\b")
#: Intent names a thread stored before the intent model named them.
_STORED_INTENTS = {"metric": "metric_now", "range": "metric_range", "status": "host_status", "top": "top_hosts"}
_METRIC_INTENTS = ("metric_now", "metric_range")
#: The intent a thread remembers for a tool's answer, where it differs from the question's.
_TOOL_INTENTS = {
    "get_current_metric": "metric_now",
    "get_metric_range": "metric_range",
    "fleet_status": "fleet",
    "summarize_anomalies": "anomalies",
    "top_hosts": "top_hosts",
    "fleet_downtime": "fleet",
}
#: Intents that read a measure: one that is not a host metric here ("swap") is answered as such.
_MEASURES = (*_METRIC_INTENTS, "top_hosts", "fleet", "capacity")
#: Intents a follow-up made only of slots can carry on (a remediation or a rule needs its own words).
_FOLLOWED_UP = frozenset(
    {*_METRIC_INTENTS, "top_hosts", "host_status", "fleet", "capacity", "diagnosis", "what_happened"}
    | {"anomalies", "logs"}
)


def _thread_intent(slots: QuestionSlots, only_slots: bool) -> str | None:
    """The intent a follow-up made only of slots keeps from its thread, or None."""
    prior = _STORED_INTENTS.get(slots.context.intent or "", slots.context.intent)
    if prior not in _FOLLOWED_UP or not only_slots:
        return None
    if slots.metric is not None and prior not in (*_METRIC_INTENTS, "top_hosts"):
        return "metric_now"
    if prior == "fleet" and slots.host is not None:
        return "host_status"
    if prior == "metric_now" and slots.since is not None and slots.moment is None:
        return "metric_range"
    return prior


def _over_time(s: QuestionSlots) -> bool:
    """True when the question reads a metric over a window: a look-back with a window word, a statistic, or
    when a disk or memory fills up."""
    window = s.since is not None and (_WINDOW_WORD.search(s.text) is not None or find_window(s.text) is not None)
    forecast = s.thread_metric() in _FILLS_UP and _FILL.search(s.text) is not None
    return window or forecast or _STAT.search(s.text.replace("load average", "load")) is not None


def _plan(intent: str, call: tuple[str, dict[str, Any]], since: str | None = None) -> Plan:
    tool, args = call
    return Plan(
        _TOOL_INTENTS.get(tool, intent), tool, args, host=args.get("host"), metric=args.get("metric"), since=since
    )


def _metric_now(s: QuestionSlots) -> Plan:
    metric = s.thread_metric()
    if len(hosts := named_hosts(s.text, s.known)) >= 2:
        return _plan("metric_now", ("get_current_metric", {"metric": metric.value, "hosts": [h.name for h in hosts]}))
    host = s.thread_host()
    if host is not None and s.moment is None and _over_time(s):
        return _metric_range(s) or _fleet_metric(s)
    if host is None and (call := fleet_metric_call(s.text, s.known, metric, since=s.since)) is not None:
        return _plan("metric_now", call)
    if host is None and s.moment is None and asks_for_an_end(s.text):
        return _plan("top_hosts", top_call(s.text, s.known, metric, since=s.since))
    args: dict[str, Any] = {"metric": metric.value, **({"host": host} if host else {})}
    if s.moment is not None:
        args["at"] = s.moment
    return _plan("metric_now", ("get_current_metric", args))


def _metric_range(s: QuestionSlots) -> Plan | None:
    host = s.thread_host()
    if host is None:
        # A fleet has no one range; with no metric named either, nothing is left to read.
        return _fleet_metric(s) if s.metric is not None else None
    # A range needs a window (its own, or a range thread's: "and db-2?"), a statistic or a forecast; without
    # one the value is what is asked.
    kept = s.kept_since("metric_range") is not None and s.moment is None
    if not kept and ((s.moment is not None and s.since is None) or not _over_time(s)):
        return _metric_now(s)
    metric = s.thread_metric()
    forecast = metric in _FILLS_UP and _FILL.search(s.text) is not None
    window = s.since or (s.context.since if s.follow_up else None) or ("6h" if forecast else "1h")
    args = {"metric": metric.value, "host": host, "since": window}
    return _plan("metric_range", ("get_metric_range", args), since=window)


def _fleet_metric(s: QuestionSlots) -> Plan:
    metric = s.thread_metric()
    call = fleet_metric_call(s.text, s.known, metric, since=s.since) or ("get_current_metric", {"metric": metric.value})
    return _plan("metric_now", call)


def _anomalies(s: QuestionSlots) -> Plan:
    host = s.kept_host("anomalies")
    count = count_in(s.text)
    severity = severity_in(s.text)
    since = s.since or day_in(s.text)
    if count is not None or not (_SUMMARY.search(s.text) or since):
        args: dict[str, Any] = {"limit": count or 5}
        if host:
            args["host"] = host
        if severity:
            args["severity"] = severity
        return Plan("anomalies", "list_recent_anomalies", args, host=host)
    args = {
        "since": since or "24h",
        **({"host": host} if host else {}),
        **({"severity": severity} if severity else {}),
    }
    return Plan("anomalies", "summarize_anomalies", args, host=host, since=since)


def _logs(s: QuestionSlots) -> Plan:
    kept = s.context.filters if s.follow_up and s.context.intent == "logs" else None
    args = logs_args(s.text, host := s.kept_host("logs"), s.kept_since("logs"), kept)
    return Plan("logs", "get_logs", args, host=host, since=args["since"], keeps=thread_filters(args))


def _remediation(s: QuestionSlots) -> Plan:
    if (bad := bad_size_in(s.text)) is not None:
        group, size = bad
        return Plan("remediation", reply=WHOLE_SIZE.format(group=group, size=size))
    args = remediation_in(s.text) or restart_there(s.text, s.context.host)
    if args is None and (asked := restart_question_call(s.text, s.host)) is not None:
        return _plan("capacity", asked)  # "did db-1 reboot today" asks about the past, not for a restart
    if args is None:
        return Plan("remediation", reply=how_to_request(s.host or s.context.host))
    return Plan("remediation", "request_remediation", args, host=args.get("host"))


def _rule(s: QuestionSlots) -> Plan:
    rule = rule_in(s.text)
    return Plan("rule", "explain_rule", {"rule": rule} if rule else {})


def _fill(intent: str, s: QuestionSlots) -> Plan | None:
    """The plan for ``intent`` with the question's slots, or None when a slot it needs is missing.

    A ranking's thread keeps its order, count and host group for the follow-ups.
    """
    step = _fill_intent(intent, s)
    if step is None or step.tool != "top_hosts":
        return step
    return replace(step, keeps=ranking_keeps(s.text, step.args, s.ranking_kept()))


def _fill_intent(intent: str, s: QuestionSlots) -> Plan | None:
    simple = {
        "metric_now": _metric_now,
        "metric_range": _metric_range,
        "anomalies": _anomalies,
        "logs": _logs,
        "remediation": _remediation,
        "rule": _rule,
    }
    if intent in _MEASURES and s.metric is None and (word := unwatched_in(s.text)):
        return Plan("unknown", reply=not_watched(word))
    if intent == "metric_now" and s.metric is MetricKind.DISK and mountpoint_in(s.text) and not _over_time(s):
        intent = "capacity"  # "disk usage of /var on db-1": that filesystem's size, used and free
    if intent == "capacity" and s.metric in _FILLS_UP and _FILL.search(s.text):
        intent = "metric_range"  # "does db-1 have a memory leak" asks for its trend, not its size
    if intent in simple:
        return simple[intent](s)
    if intent == "help":
        return Plan("help")
    if intent == "approvals":
        return Plan("approvals", "list_pending_approvals", approvals_args(s.text))
    if intent == "top_hosts":
        metric = s.thread_metric() if s.metric or (s.follow_up and not ranks_by_busyness(s.text)) else None
        if (kept := s.ranking_kept()) is not None:
            return _plan(intent, ranking_follow_up(s.text, s.known, metric, kept, since=s.since))
        return _plan(intent, top_call(s.text, s.known, metric, since=s.since))
    if intent == "fleet":
        return _plan(intent, fleet_call(s.text, s.known, s.metric, since=s.since))
    host = s.host
    if intent == "host_status":
        return _plan(intent, status_call(host, s.text))
    call = capacity_call(s.text, host) if intent == "capacity" else None
    if intent in ("diagnosis", "what_happened"):
        # "what about 2h ago" after "what's wrong with db-1" asks about db-1 then.
        call = diagnosis_call(s.thread_host() if s.moment else host, s.moment, s.text)
        if call is None and intent == "diagnosis" and s.moment is None:
            call = fleet_call(s.text, s.known, None)  # "anything wrong with the web servers": their status
    return _plan(intent, call) if call is not None else None


def plan(text: str, known_hosts: Sequence[HostRef], context: Conversation, model: IntentModel | None = None) -> Plan:
    """Decide what to do with a cleaned, lower-cased question (``model`` defaults to the packaged one).

    A statement pasted after the question ("…'; drop table approvals;--") is not read: no question
    about a fleet goes on with SQL.
    """
    text = without_pasted_sql(text)
    if is_help(text):
        return Plan("help")
    host = host_in(text, known_hosts) or (context.host if refers_back(text) else None)
    hosts = host_words(text, known_hosts)
    only_slots = slots_only(text, hosts)
    # "peak cpu on web-1 yesterday": a statistic of a day reads that day as its window.
    day = day_in(text) if _STAT.search(text) else None
    slots = QuestionSlots(
        text=text,
        known=known_hosts,
        context=context,
        host=host,
        metric=metric_in(text),
        since=since_in(text) or day,
        moment=None if day else moment_in(text),
        follow_up=reads_as_follow_up(text) or only_slots,
    )
    if (kept := _thread_intent(slots, only_slots)) is not None and (step := _fill(kept, slots)) is not None:
        return step
    if (step := set_answer(text, host)) is not None:
        return step
    guesses = (model or shared_model()).ranked(for_model(text, known_hosts, hosts))
    best = placed(guesses)
    if best is not None and (step := _fill(best.intent, slots)) is not None:
        return step
    return Plan("unknown", reply=did_you_mean(guesses, host=host, metric=slots.metric))
