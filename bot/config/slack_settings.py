"""Slack settings: the app's credentials, where to post (digest, incidents and their routes), and the digest."""

from __future__ import annotations

from pydantic import AnyHttpUrl, BaseModel, Field, field_validator

from bot.config.alert_routes import AlertRoute
from bot.config.scheduler_settings import check_crontab
from bot.config.setting_types import ChannelId, Token
from domain.models import MetricKind, Severity


class SlackSettings(BaseModel):
    """The Slack app's credentials, where to post, and the digest."""

    api_url: AnyHttpUrl = Field(default=AnyHttpUrl("https://slack.com/api/"), description="Slack Web API base URL")
    bot_token: Token | None = Field(default=None, description="bot token (`xoxb-…`)")
    app_token: Token | None = Field(default=None, description="app-level token for Socket Mode (`xapp-…`)")
    signing_secret: Token | None = Field(default=None, description="verifies that HTTP requests come from Slack")
    digest_channel: ChannelId | None = Field(
        default=None, description="channel id the anomaly digest is posted to; unset: no digest"
    )
    allowed_channels: list[ChannelId] = Field(
        default=[],
        description='channel ids the bot answers in, a JSON list (`["C0123ABCD"]`; empty: every channel it is in); '
        "DMs are always answered",
    )
    rate_limit_per_minute: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description='requests one user may make per minute before getting a friendly "slow down"',
    )
    digest_schedule: str = Field(
        default="0 9 * * mon-fri", description="when the digest is posted to the digest channel: a crontab line, UTC"
    )
    digest_window_hours: int = Field(
        default=24, ge=1, le=24 * 31, description="anomalies from this many hours back go into the digest"
    )
    digest_post_when_quiet: bool = Field(
        default=False, description='post a short "all quiet" digest when there is nothing to report'
    )
    grafana_url: AnyHttpUrl | None = Field(
        default=None, description="Grafana base URL for host-dashboard links in digests"
    )
    alert_channel: ChannelId | None = Field(
        default=None, description="channel id new incidents are posted to (one message per incident); unset: none"
    )
    alert_min_severity: Severity = Field(
        default=Severity.HIGH, description="lowest severity posted to the alert channel (low, medium, high, critical)"
    )
    alert_routes: list[AlertRoute] = Field(
        default_factory=list,
        description='per-host routes, a JSON list tried in order (`[{"channel": "C0DB", "hosts": "db-*", '
        '"min_severity": "medium"}]`); an incident no route matches goes to the alert channel',
    )
    renotify_minutes: int = Field(
        default=30, ge=1, le=1440, description="an unacknowledged critical incident is announced again after this long"
    )
    renotify_max: int = Field(default=3, ge=0, le=20, description="most times one incident is announced again")
    runbooks: dict[MetricKind, AnyHttpUrl] = Field(
        default_factory=dict,
        description='runbook link per signal, a JSON map (`{"cpu": "https://wiki.example/cpu"}`), shown on incidents',
    )
    group_min_hosts: int = Field(
        default=3,
        ge=0,
        le=1000,
        description="incidents of one signal opening together on at least this many hosts are posted as one "
        "fleet-wide message listing the hosts (0: never grouped; otherwise at least 2)",
    )
    group_window_seconds: int = Field(
        default=120,
        ge=0,
        le=3600,
        description="incidents of one signal announced alone this recently are moved into a fleet-wide message "
        "when more hosts join them (0: only incidents of the same notifier pass are grouped)",
    )
    app_id: str | None = Field(
        default=None,
        pattern=r"^A[A-Z0-9]+$",
        description="this Slack app's id (`A0…`); set: button clicks carrying another `api_app_id` are refused "
        "(clicks from another workspace always are)",
    )

    @field_validator("group_min_hosts")
    @classmethod
    def _group_of_several(cls, v: int) -> int:
        if v == 1:
            raise ValueError("a fleet-wide message needs at least 2 hosts (or 0 to never group)")
        return v

    @field_validator("digest_schedule")
    @classmethod
    def _crontab(cls, v: str) -> str:
        return check_crontab(v)
