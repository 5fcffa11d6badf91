"""The scheduled jobs' settings (``serve``): intervals, extra digests and the optional retrain."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from bot.config.setting_types import MAX_SECONDS, JobSeconds, RetryDelay, quoted


def check_crontab(line: str) -> str:
    """``line`` when APScheduler reads it as a crontab line (UTC).

    Raises:
        ValueError: naming the line and what is wrong with it.
    """
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(line, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"{quoted(line)} is not a crontab line (minute hour day month weekday): {exc}") from exc
    return line


class SchedulerSettings(BaseModel):
    """The scheduled jobs (``serve``): intervals, digests per channel and the optional retrain.

    The detection interval is ``detection.interval_seconds`` and the digest channel's schedule is
    ``slack.digest_schedule``.
    """

    enabled: bool = Field(
        default=True,
        description="run the scheduled jobs in this process (every replica can: each tick runs once across them)",
    )
    rules_seconds: JobSeconds = Field(default=15, description="how often rules with `then <action>` are evaluated")
    expiry_seconds: JobSeconds = Field(
        default=30, description="how often pending approvals past their expiry are closed"
    )
    digests: dict[str, str] = Field(
        default={},
        description="extra digests: channel id -> crontab line (UTC), besides the Slack digest channel",
    )
    digest_retry_seconds: list[RetryDelay] = Field(
        default=[30, 120, 600, 1800], description="seconds before each retry of a digest that could not be posted"
    )
    retrain: bool = Field(
        default=False,
        description="snapshot the detection engine's state to `SCO_DETECTION__SNAPSHOT_PATH` on `retrain_schedule` "
        "(the live state; before the first cycle, bootstrapped on `retrain_hours` of history)",
    )
    retrain_schedule: str = Field(
        default="30 3 * * *",
        description="when the engine's snapshot is saved (crontab line, UTC), with `retrain` on",
    )
    retrain_hours: float = Field(
        default=24,
        gt=0,
        le=24 * 31,
        description="hours of Prometheus history a retrain bootstraps on when the engine has not run yet",
    )
    misfire_grace_seconds: int = Field(
        default=30, ge=1, le=MAX_SECONDS, description="how late a firing may start before it is reported as missed"
    )
    replica: str | None = Field(
        default=None,
        description="this replica's name in logs and lease tokens (default: host name and process id)",
    )

    @field_validator("retrain_schedule")
    @classmethod
    def _crontab(cls, v: str) -> str:
        return check_crontab(v)

    @field_validator("digests")
    @classmethod
    def _crontabs(cls, v: dict[str, str]) -> dict[str, str]:
        for channel, line in v.items():
            if not re.fullmatch(r"[CGD][A-Z0-9]{2,30}|#?[a-z0-9_-]{1,80}", channel):
                raise ValueError(f"{quoted(channel)} is not a Slack channel id or name")
            check_crontab(line)
        return v
