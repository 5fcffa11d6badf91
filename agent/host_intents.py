"""Slots of questions about one host: its status, capacity, a diagnosis, what happened around a time. Pure."""

from __future__ import annotations

from typing import Any

from agent.slots import mountpoint_in

Call = tuple[str, dict[str, Any]]


def status_call(host: str | None) -> Call:
    """The host's status, or the fleet's when the question names no host."""
    return ("host_status", {"host": host}) if host else ("fleet_status", {})


def capacity_call(text: str, host: str | None) -> Call | None:
    """What the host has (memory, CPUs, uptime, filesystems, one mountpoint), or None without a host."""
    if host is None:
        return None
    args: dict[str, Any] = {"host": host}
    if (mount := mountpoint_in(text)) is not None:
        args["mountpoint"] = mount
    return "host_capacity", args


def diagnosis_call(host: str | None, moment: str | None) -> Call | None:
    """A health check of the host now, or what happened on it around ``moment``; None without a host."""
    if host is None:
        return None
    if moment is not None:
        return "what_happened", {"host": host, "at": moment}
    return "diagnose_host", {"host": host}
