"""Every sentence the Slack app says to people, in one place."""

from __future__ import annotations

WORKING = ":hourglass_flowing_sand: Working on it…"
EMPTY_COMMAND = "Tell me what you need, e.g. `/ops what is the CPU on web-1?` or `/ops help`."
INTERNAL_ERROR = "Something went wrong on my side; the details are in the bot's log."


def upstream_down(what: str) -> str:
    """A dependency is unreachable."""
    return f"{what} is unreachable right now, try again in a minute."


def not_allowed(reason: str) -> str:
    """An approval click was refused."""
    return f"You can't do that: {reason}."


def approval_done(user: str, result: str) -> str:
    """An approval went through and the action ran."""
    return f"Approved by <@{user}>. Result: {result}"


def approval_rejected(user: str) -> str:
    """A request was rejected."""
    return f"Rejected by <@{user}>. Nothing was run."


def approval_waiting(user: str, remaining: int) -> str:
    """An approval was recorded but the quorum is not met yet."""
    return f"Approval by <@{user}> recorded; {remaining} more needed."


def already_decided(state: str, by: str | None) -> str:
    """A click on a request that is no longer pending."""
    who = f" by <@{by}>" if by and not by.startswith("policy:") else ""
    return f"This request is already {state}{who}."
