"""Remediation settings: what may run, who may approve it, and the brakes of automatic remediation.

Action names are ``ActionName`` values (or ``*`` where every action is meant), so a misspelt key
or list entry stops start-up with one line naming the setting.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from bot.config.setting_types import ChannelId, OptionalFileLocation
from domain.durations import format_duration, parse_duration
from domain.errors import InputError
from remediation.actions import ActionName

#: The longest a fix's check may watch its signal.
MAX_VERIFY_FOR = timedelta(hours=6)
#: The actions automatic remediation may ever run (one host or one instance step at a time).
AUTOMATIC_ACTIONS = (ActionName.RESTART_SERVICE, ActionName.SCALE_UP)


def check_action_names(names: object, *, allowed: Collection[str], refusal: str = "unknown action") -> object:
    """``names`` (a mapping's keys or a list) when each is in ``allowed``; other shapes are left to the type.

    One error naming every wrong entry reads better than pydantic's one per entry and union member.

    Args:
        names: the raw setting value.
        allowed: the names that may appear.
        refusal: what a wrong entry is called in the error.

    Raises:
        ValueError: naming the wrong entries and the allowed ones.
    """
    given = list(names) if isinstance(names, dict | list) else []
    wrong = sorted({str(n) for n in given} - set(allowed))
    if wrong:
        raise ValueError(f"{refusal} {', '.join(wrong)}; use {', '.join(allowed)}")
    return names


class RemediationSettings(BaseModel):
    """What remediation may do and who may approve it."""

    allowed_services: list[str] = Field(
        default=["nginx"], description="services `restart_service` may restart (JSON list)"
    )
    max_scale_step: int = Field(default=2, ge=1, le=100, description="largest change of desired capacity in one action")
    expiry_minutes: int = Field(default=15, ge=1, le=1440, description="how long an approval request stays open")
    approvers: dict[ActionName | Literal["*"], list[str]] = Field(
        default={},
        description="JSON map of action (or `*`) to Slack user (`U…`/`W…`) or user-group (`S…`) ids "
        "(a list, or one string of ids separated by commas)",
    )
    risky_quorum: int = Field(
        default=2,
        ge=1,
        le=10,
        description="distinct approvers a risky call needs (scale_to above the threshold, restart on several hosts)",
    )
    risky_scale_to_above: int = Field(
        default=10, ge=0, description="a scale_to whose desired capacity is above this is risky"
    )
    quorum: dict[ActionName, int] = Field(
        default={}, description="approvers needed per action name for every call of it (default 1)"
    )
    max_restart_hosts: int = Field(
        default=10, ge=1, le=100, description="most instances one restart_service may target"
    )
    poll_seconds: float = Field(default=2.0, gt=0, le=60, description="seconds between SSM command status polls")
    command_polls: int = Field(default=30, ge=1, le=1000, description="status polls before an SSM command is given up")
    rules_file: OptionalFileLocation = Field(
        default=None, description="YAML file of duration rules (`cpu > 90% for 3m`), validated at start-up"
    )
    verify_for: timedelta = Field(
        default=timedelta(minutes=10),
        description="after an action ran, how long its signal is watched before the thread is told whether it "
        "recovered (`90s`, `10m`, at most `6h`; `0`: no check)",
    )

    @field_validator("allowed_services")
    @classmethod
    def _service_names(cls, v: list[str]) -> list[str]:
        if any(not name.strip() for name in v):
            raise ValueError("a service name is empty")
        return v

    @field_validator("verify_for", mode="before")
    @classmethod
    def _verify_for(cls, v: object) -> object:
        if not isinstance(v, str) or v.strip() in {"0", ""}:
            return timedelta(0) if isinstance(v, str) else v
        try:
            return parse_duration(v, at_most=MAX_VERIFY_FOR)
        except InputError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("verify_for")
    @classmethod
    def _verify_for_range(cls, v: timedelta) -> timedelta:
        if not timedelta(0) <= v <= MAX_VERIFY_FOR:
            raise ValueError(f"must be between 0 and {format_duration(MAX_VERIFY_FOR)}")
        return v

    @field_validator("approvers", mode="before")
    @classmethod
    def _approver_actions(cls, v: object) -> object:
        checked = check_action_names(v, allowed=["*", *ActionName])
        if not isinstance(checked, dict):
            return checked
        # One id, or ids separated by commas, written as a string: {"scale_up": "U1"}, {"*": "U1,U2"}.
        return {
            action: [i.strip() for i in ids.split(",") if i.strip()] if isinstance(ids, str) else ids
            for action, ids in checked.items()
        }

    @field_validator("quorum", mode="before")
    @classmethod
    def _quorum_actions(cls, v: object) -> object:
        return check_action_names(v, allowed=list(ActionName))

    @field_validator("approvers")
    @classmethod
    def _approver_ids(cls, v: dict[ActionName | Literal["*"], list[str]]) -> dict[ActionName | Literal["*"], list[str]]:
        for ids in v.values():
            bad = [i for i in ids if not re.fullmatch(r"[USW][A-Z0-9_]{1,30}", i)]
            if bad:
                raise ValueError(f"{', '.join(bad[:3])} not Slack user (U…/W…) or user-group (S…) ids")
        return v

    @field_validator("quorum")
    @classmethod
    def _quorum_values(cls, v: dict[ActionName, int]) -> dict[ActionName, int]:
        if any(n < 1 or n > 10 for n in v.values()):
            raise ValueError("each quorum must be between 1 and 10")
        return v


class AutoRemediationSettings(BaseModel):
    """Automatic remediation for rules in ``mode: auto``, and its brakes."""

    enabled: bool = Field(
        default=True,
        description="the setting-level kill switch: false makes every `auto` rule ask for approval instead",
    )
    low_risk_actions: list[ActionName] = Field(
        default=list(AUTOMATIC_ACTIONS),
        description="actions that may ever run automatically (one host or one instance step at a time)",
    )
    restarts_per_window: int = Field(
        default=1,
        ge=0,
        le=100,
        description="most automatic restarts of one service on one host per `restart_window_minutes`",
    )
    restart_window_minutes: int = Field(
        default=30, ge=1, le=1440, description="length of the window of `restarts_per_window`, in minutes"
    )
    scale_ups_per_window: int = Field(
        default=2, ge=0, le=100, description="most automatic scale-ups of one group per `scale_window_minutes`"
    )
    scale_window_minutes: int = Field(
        default=60, ge=1, le=1440, description="length of the window of `scale_ups_per_window`, in minutes"
    )
    fleet_budget_per_hour: int = Field(
        default=5, ge=0, le=1000, description="most automatic actions across the fleet per hour"
    )
    cooldown_minutes: int = Field(
        default=15, ge=0, le=1440, description="no automatic action for this long after one failed"
    )
    channel: ChannelId | None = Field(
        default=None,
        description="channel id where automatic actions, fallbacks and notify-mode notes are posted "
        "(default: the digest channel)",
    )

    @field_validator("low_risk_actions", mode="before")
    @classmethod
    def _automatic_actions(cls, v: object) -> object:
        return check_action_names(v, allowed=AUTOMATIC_ACTIONS, refusal="not automatic:")
