"""``/ops auto on|off|status``: the kill switch of automatic remediation, for approvers only."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from bot.services import Services

USAGE = "Use `/ops auto off` to stop automatic remediation, `/ops auto on` to allow it again, `/ops auto status`."


def is_approver(services: Services, user: str, user_groups: Collection[str]) -> bool:
    """True when ``user`` (or one of their groups) may approve at least one action."""
    if services.remediation is None:
        return False
    return services.remediation.policy.may_approve(user, user_groups)


def switch_auto(services: Services, argument: str, *, user: str, user_groups: Collection[str] = ()) -> str:
    """Carry out ``/ops auto <argument>`` and say what happened."""
    state = services.auto_state
    if state is None or services.remediation is None:
        return "Automatic remediation is not set up on this bot (no remediation configured)."
    word = argument.strip().lower()
    if word in ("", "status"):
        since = services.clock.now() - timedelta(hours=1)
        recent = [a for a in state.history(since) if not a.action.startswith("notify:")]
        setting = services.settings.auto_remediation.enabled
        if state.kill_switch() or not setting:
            why = "switched off with `/ops auto off`" if state.kill_switch() else "switched off in the settings"
            return (
                f"Automatic remediation is OFF ({why}); rules in auto mode ask for approval. "
                f"{len(recent)} automatic actions in the last hour."
            )
        return f"Automatic remediation is ON for rules in auto mode. {len(recent)} automatic actions in the last hour."
    if word not in ("on", "off"):
        return USAGE
    if not is_approver(services, user, user_groups):
        return "Only approvers can switch automatic remediation on or off."
    state.set_kill_switch(word == "off", by=user)
    if word == "off":
        return f"Automatic remediation is now OFF (by <@{user}>): rules in auto mode will ask for approval."
    return f"Automatic remediation is now ON again (by <@{user}>)."
