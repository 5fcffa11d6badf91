"""Reading questions about one host's health and capacity: diagnosis, memory size, CPUs, uptime, mountpoints. Pure."""

from __future__ import annotations

import re
from typing import Any

_DIAGNOSE = re.compile(
    r"\bwhy\s+(is|are|'s)\b|\bwhat'?s?\s+(is\s+)?(wrong|up|going on|happening)\s+(with|on)\b|\bwhat\s+is\s+wrong\b"
    r"|\b(healthy|unhealthy|ok|okay|fine|alright|all right)\b\??$|\bhealth\s*-?check\b"
    r"|\bcheck\s+(the\s+|on\s+)?health\b|\bhealth\s+of\b|\bdiagnos\w*|\btroubleshoot\w*"
    r"|\b(slow|sluggish|struggling|lagging|misbehaving|acting up|in trouble)\b"
    r"|\b(problems?|issues?|trouble)\s+(with|on)\b"
    r"|\bmatter\s+with\b|\banything\s+(wrong|abnormal|unusual|odd)\b"
)
_CAPACITY = re.compile(
    r"\bhow\s+much\s+(memory|ram|disk|storage|space)\s+(does|do|has|is\s+there|in\s+total|total)\b"
    r"|\b(total|installed)\s+(memory|ram|disk)\b|\b(memory|ram)\s+size\b"
    r"|\bhow\s+many\s+(cpus?|cores?|vcpus?|processors?)\b|\b(cpu|core|vcpu)\s+count\b|\bnumber\s+of\s+(cpus|cores)\b"
    r"|\buptime\b|\bhow\s+long\s+(has|have)\b.*\b(up|running)\b|\b(last\s+(re)?boot(ed)?|(re)?booted|boot\s+time)\b"
    r"|\bcapacity\b|\bspecs?\b|\bfilesystems?\b|\bmount(s|ed|points?)?\b|\bpartitions?\b|\bfree\s+space\b"
)
_MOUNT = re.compile(r"(?:^|\s)(/[a-z0-9_][a-z0-9_./-]*|/)(?=\s|$|\?|,)")


_HAPPENED = re.compile(
    r"\bwhat\s+(happened|was\s+(going\s+on|happening|wrong|up)|went\s+(on|wrong))\b"
    r"|\bany(thing)?\s+(happen|unusual|odd)\b|\bhow\s+was\b"
)


def host_call(text: str, host: str | None, *, moment: str | None = None) -> tuple[str, dict[str, Any]] | None:
    """The diagnosis, capacity or "what happened around T" call a question about ``host`` asks for, or None."""
    if host is None:
        return None
    if moment is not None and (_HAPPENED.search(text) or _DIAGNOSE.search(text)):
        return "what_happened", {"host": host, "at": moment}
    mount = _MOUNT.search(text)
    if _CAPACITY.search(text) or mount:
        args: dict[str, Any] = {"host": host}
        if mount:
            args["mountpoint"] = mount.group(1).rstrip("?,.")
        return "host_capacity", args
    if _DIAGNOSE.search(text):
        return "diagnose_host", {"host": host}
    return None
