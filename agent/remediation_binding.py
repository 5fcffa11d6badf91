"""Whether a remediation a model requests is the one the person's message asks for. Pure.

Both sides are read the same way: the person's message by ``remediation_slots.remediation_in``, the model's
request as tool arguments; the action, its target and its amount must all agree.
"""

from __future__ import annotations

from typing import Any

_TARGET = {"restart_service": ("service", "host"), "scale_up": ("group", "by"), "scale_to": ("group", "desired")}


def _norm(value: Any) -> str:
    return str(value).strip().lower()


def same_remediation(asked: dict[str, Any], requested: dict[str, Any]) -> bool:
    """True when ``requested`` has the action, target and amount of ``asked`` (a scale-up's amount defaults to 1)."""
    action = _norm(requested.get("action", ""))
    if action != _norm(asked.get("action", "")):
        return False
    defaults = {"by": 1} if action == "scale_up" else {}
    return all(
        _norm(requested.get(key, defaults.get(key))) == _norm(asked.get(key, defaults.get(key)))
        for key in _TARGET.get(action, ())
    )


def describe_asked(asked: dict[str, Any]) -> str:
    """The asked remediation in words: ``scale_to web-asg desired=3``."""
    details = " ".join(f"{k}={v}" for k, v in asked.items() if k != "action")
    return f"{asked.get('action')} {details}".strip()
