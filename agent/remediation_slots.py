"""The remediation a question asks for: its action, target and amount, read from the person's words. Pure.

Strict: a request is made only when the action, its target and its amount are all in the question
("restart nginx on web-1", "scale web-asg to 4", "add 2 instances to web-asg", "increase web-asg by 2",
"set the desired capacity of web-asg to 6"). LLM mode holds the model's request to what this reads
from the same message (``agent/remediation_binding.py``).
"""

from __future__ import annotations

import re
from typing import Any

from agent.slots import NUMBER_WORDS

_RESTART = re.compile(
    r"\b(?:restart|reboot|bounce|cycle)\s+(?:the\s+)?(?P<service>[\w.@-]+)(?:\s+service)?"
    r"\s+on\s+(?!(?:that|this|it)\b)(?P<host>[\w.:-]+)"
    # "restart web-1's nginx"
    r"|\b(?:restart|reboot|bounce|cycle)\s+(?P<host2>[\w.:-]+)'s\s+(?P<service2>[\w.@-]+)"
    # "nginx on web-1 needs a restart"
    r"|\b(?P<service3>[\w.@-]+)(?:\s+service)?\s+on\s+(?P<host3>[\w.:-]+)\s+"
    r"(?:needs?|could\s+use|requires?|wants?)\s+(?:a\s+)?(?:restart|reboot|bounce|restarting|rebooting)\b"
)
_RESTART_THERE = re.compile(
    r"\b(?:restart|reboot|bounce|cycle)\s+(?:the\s+)?(?P<service>[\w.@-]+)(?:\s+service)?\s+"
    r"(?:there|on it|on that (?:host|box|server|machine)|on this (?:host|box|server))\b"
)
#: A group name as a resize writes it; words that name something else are not groups ("set the threshold to 90").
_GROUP_NAME = (
    r"(?!(?:the|it|them|up|out|down|in|to|by|cpu|memory|mem|ram|disk|load|network|traffic|threshold|limit|rule|alerts?|level|timeout"
    r"|window|interval|severity|retention|replicas?)\b)[\w.:-]+"
)
_DIRECTION = r"(?:up|out|down|in)"
_SCALE_TO = re.compile(
    rf"\bscale\s+(?:{_DIRECTION}\s+)?(?:the\s+)?(?P<group>{_GROUP_NAME})\s+(?:group\s+)?(?:{_DIRECTION}\s+)?"
    r"to\s+(?P<n>\d+)(?![.,]\d|\d)"
)
_SIZE_WORD = r"(?:(?:desired\s+)?(?:capacity|size|count))"
#: "set web-asg desired capacity to 6", "set the size of web-asg to 3", "increase web-asg to 6", "resize web-asg to 5".
_RESIZE_TO = re.compile(
    r"\b(?P<verb>set|change|resize|grow|shrink|increase|raise|lower|reduce|decrease|bump)\s+(?:the\s+)?"
    rf"(?P<size_of>{_SIZE_WORD}\s+of\s+(?:the\s+)?)?(?P<group>{_GROUP_NAME})(?:\s+group)?(?:'s)?"
    rf"(?P<size>\s+{_SIZE_WORD})?\s+to\s+(?P<n>\d+)(?![.,]\d|\d)"
)
_MEMBERS = r"(?:instances?|nodes?|hosts?|servers?|machines?|boxes)"
#: "increase web-asg by 2", "scale out web-asg by 2", "bump web-asg by one instance".
_GROW_BY = re.compile(
    r"\b(?P<verb>bump|grow|increase|expand|raise|scale\s+out|scale\s+up)\s+(?:the\s+)?"
    rf"(?P<group>{_GROUP_NAME})(?:\s+group)?\s+by\s+(?P<n>\d+|an?|one|two|three|four|five)\b(?P<members>\s+{_MEMBERS})?"
)
#: A size no group can have: negative or fractional ("scale web-asg to -1", "to 2.5", "add 1.5 instances").
_BAD_SIZE = re.compile(
    r"\bscale\s+(?:the\s+)?(?P<group>[\w.:-]+)\s+(?:group\s+)?(?:to|by)\s+(?P<n>-\s*\d+(?:[.,]\d+)?|\d+[.,]\d+)"
    r"|\badd\s+(?P<n2>-\s*\d+(?:[.,]\d+)?|\d+[.,]\d+)\s+(?:more\s+)?instances?\s+to\s+(?P<group2>[\w.:-]+)"
)
_SCALE_UP = re.compile(
    rf"\bscale\s+(?:(?:up|out)\s+(?:the\s+)?(?P<g1>{_GROUP_NAME})|(?:the\s+)?(?P<g2>{_GROUP_NAME})\s+(?:up|out))"
    r"(?:\s+by\s+(?P<n>\d+))?"
)
#: "give web-asg two more instances".
_GIVE = re.compile(
    rf"\bgive\s+(?:the\s+)?(?P<group>{_GROUP_NAME})(?:\s+group)?\s+(?P<n>\d+|an?|one|two|three|four|five)\s+"
    rf"(?:more|extra)\s+{_MEMBERS}"
)
_ADD = re.compile(
    rf"\badd\s+(?P<n>\d+|an?|one|two|three|four|five)\s+(?:more\s+)?{_MEMBERS}\s+to\s+(?:the\s+)?(?P<group>[\w.:-]+)"
)


def remediation_in(text: str) -> dict[str, Any] | None:
    """Arguments of a remediation the question asks for, if it asks for one."""
    if m := _RESTART.search(text):
        service, host = m["service"] or m["service2"] or m["service3"], m["host"] or m["host2"] or m["host3"]
        return {"action": "restart_service", "service": service, "host": host}
    if m := _SCALE_TO.search(text):
        return {"action": "scale_to", "group": m["group"], "desired": int(m["n"])}
    if (m := _RESIZE_TO.search(text)) and _names_a_group(m, sized=bool(m["size"] or m["size_of"])):
        return {"action": "scale_to", "group": m["group"], "desired": int(m["n"])}
    if (m := _ADD.search(text) or _GIVE.search(text)) or (
        (m := _GROW_BY.search(text)) and _names_a_group(m, sized=bool(m["members"]))
    ):
        return {"action": "scale_up", "group": m["group"], "by": NUMBER_WORDS.get(m["n"]) or int(m["n"])}
    if m := _SCALE_UP.search(text):
        return {"action": "scale_up", "group": m["g1"] or m["g2"], "by": int(m["n"] or 1)}
    return None


def _names_a_group(m: re.Match[str], *, sized: bool) -> bool:
    """Whether a resize outside "scale ..." names a group: it speaks of a size or members, it is "resize" or
    "scale", or the name looks like a group's (``web-asg``, ``api2``), not a plain word ("increase logging to 3")."""
    verb = m["verb"]
    return (
        sized or verb in ("resize", "scale out", "scale up") or re.search(r"[-_\d]|asg|group", m["group"]) is not None
    )


def bad_size_in(text: str) -> tuple[str, str] | None:
    """(group, size as written) when the question asks for a negative or fractional group size."""
    if m := _BAD_SIZE.search(text):
        return (m["group"] or m["group2"], (m["n"] or m["n2"]).replace(" ", ""))
    return None


def restart_there(text: str, host: str | None) -> dict[str, Any] | None:
    """A restart on the thread's host ("restart nginx there"), when the thread has one."""
    if host and (m := _RESTART_THERE.search(text)):
        return {"action": "restart_service", "service": m["service"], "host": host}
    return None
