"""Settings: one object, read from the environment (prefix ``SCO_``, nested with ``__``) at start-up.

Slack's own variable names (``SLACK_BOT_TOKEN``, ``SLACK_APP_TOKEN``, ``SLACK_SIGNING_SECRET``)
are read too. Unset optional parts (Redis, LLM, Slack, AWS) are absent, not broken.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


class PrometheusSettings(BaseModel):
    """Where metrics come from."""

    url: AnyHttpUrl | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class RedisSettings(BaseModel):
    """Shared store for anomalies, approvals and conversation context."""

    url: str | None = None

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return v


class LLMSettings(BaseModel):
    """Any OpenAI-compatible chat-completions endpoint."""

    base_url: AnyHttpUrl | None = None
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    max_model_calls: int = Field(default=8, ge=1, le=25)


class SlackSettings(BaseModel):
    """The Slack app's credentials and where to post."""

    api_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")
    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    digest_channel: str | None = None
    #: Channel ids the bot answers in (empty: every channel it is in); DMs are always answered.
    allowed_channels: list[str] = []
    #: Requests one user may make per minute before getting a friendly "slow down".
    rate_limit_per_minute: int = Field(default=20, ge=1, le=10_000)
    #: When the digest is posted: a crontab line, UTC.
    digest_schedule: str = "0 9 * * mon-fri"
    #: Anomalies from this many hours back go into the digest.
    digest_window_hours: int = Field(default=24, ge=1, le=24 * 31)
    #: Post a short "all quiet" digest when there is nothing to report.
    digest_post_when_quiet: bool = False
    #: Grafana base URL, for links to the host dashboards in digests and answers.
    grafana_url: AnyHttpUrl | None = None


class AwsSettings(BaseModel):
    """AWS region and an optional endpoint (moto, a VPC endpoint)."""

    region: str = "us-east-1"
    endpoint_url: AnyHttpUrl | None = None
    enabled: bool = False

    @model_validator(mode="after")
    def _endpoint_enables(self) -> AwsSettings:
        """A configured endpoint means AWS is in use."""
        if self.endpoint_url is not None:
            self.enabled = True
        return self


class HttpSettings(BaseModel):
    """The HTTP server of ``serve --http``."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    api_token: SecretStr | None = None


class AuditSettings(BaseModel):
    """Where the audit log goes."""

    dir: Path = Path("logs")


class RemediationSettings(BaseModel):
    """What remediation may do and who may approve it."""

    allowed_services: list[str] = ["nginx"]
    max_scale_step: int = Field(default=2, ge=1, le=100)
    expiry_minutes: int = Field(default=15, ge=1, le=1440)
    #: Per action name (or ``*``): Slack user ids (U…/W…) and user-group ids (S…) allowed to approve.
    approvers: dict[str, list[str]] = {}
    #: Distinct approvers a risky call needs (scale_to above the threshold, restart on several hosts).
    risky_quorum: int = Field(default=2, ge=1, le=10)
    #: A scale_to whose desired capacity is above this is risky.
    risky_scale_to_above: int = Field(default=10, ge=0)
    #: Approvers needed per action name for every call of it (default 1).
    quorum: dict[str, int] = {}
    #: Most instances one restart_service may target.
    max_restart_hosts: int = Field(default=10, ge=1, le=100)
    #: Seconds between SSM command status polls, and how many polls before giving up.
    poll_seconds: float = Field(default=2.0, gt=0, le=60)
    command_polls: int = Field(default=30, ge=1, le=1000)
    #: YAML file of duration rules (``cpu > 90% for 3m``), validated at start-up.
    rules_file: Path | None = None

    @field_validator("approvers")
    @classmethod
    def _approver_ids(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        known = {"*", "restart_service", "scale_up", "scale_to"}
        unknown = sorted(set(v) - known)
        if unknown:
            raise ValueError(f"unknown action(s) {', '.join(unknown)}; use {', '.join(sorted(known))}")
        for ids in v.values():
            bad = [i for i in ids if not re.fullmatch(r"[USW][A-Z0-9_]{1,30}", i)]
            if bad:
                raise ValueError(f"{', '.join(bad[:3])} not Slack user (U…/W…) or user-group (S…) ids")
        return v

    @field_validator("quorum")
    @classmethod
    def _quorum_values(cls, v: dict[str, int]) -> dict[str, int]:
        if any(n < 1 or n > 10 for n in v.values()):
            raise ValueError("each quorum must be between 1 and 10")
        return v


class AutoRemediationSettings(BaseModel):
    """Automatic remediation for rules in ``mode: auto``, and its brakes."""

    #: The setting-level kill switch: false makes every ``auto`` rule ask for approval instead.
    enabled: bool = True
    #: Actions that may ever run automatically (one host or one instance step at a time).
    low_risk_actions: list[str] = ["restart_service", "scale_up"]
    #: Most automatic restarts of one service on one host per ``restart_window_minutes``.
    restarts_per_window: int = Field(default=1, ge=0, le=100)
    restart_window_minutes: int = Field(default=30, ge=1, le=1440)
    #: Most automatic scale-ups of one group per ``scale_window_minutes``.
    scale_ups_per_window: int = Field(default=2, ge=0, le=100)
    scale_window_minutes: int = Field(default=60, ge=1, le=1440)
    #: Most automatic actions across the fleet per hour.
    fleet_budget_per_hour: int = Field(default=5, ge=0, le=1000)
    #: No automatic action for this long after one failed.
    cooldown_minutes: int = Field(default=15, ge=0, le=1440)
    #: Channel where automatic actions, fallbacks and notify-mode notes are posted (default: the digest channel).
    channel: str | None = None

    @field_validator("low_risk_actions")
    @classmethod
    def _known_actions(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - {"restart_service", "scale_up"})
        if unknown:
            raise ValueError(f"{', '.join(unknown)} cannot be automatic (only restart_service and scale_up)")
        return v


class DetectionSettings(BaseModel):
    """The detection job."""

    interval_seconds: int = Field(default=60, ge=5)
    window_minutes: int = Field(default=30, ge=5, le=1440)
    model_path: Path = Path("ml_models/anomaly_model.pkl")
    spool_path: Path | None = None


class SchedulerSettings(BaseModel):
    """The scheduled jobs (``serve``): intervals, digests per channel and the optional retrain."""

    #: Run the scheduled jobs in this process (every replica can: each tick runs once across them).
    enabled: bool = True
    #: Detection cycle interval; overrides SCO_DETECTION__INTERVAL_SECONDS (and may be shorter, for tests).
    detection_seconds: float | None = Field(default=None, ge=1)
    #: How often rules with ``then <action>`` are evaluated.
    rules_seconds: float = Field(default=15, ge=1)
    #: How often pending approvals past their expiry are closed.
    expiry_seconds: float = Field(default=30, ge=1)
    #: Default digest schedule (crontab, UTC) for the Slack digest channel.
    digest_schedule: str = "0 9 * * mon-fri"
    #: Extra digests: channel id -> crontab line (UTC).
    digests: dict[str, str] = {}
    #: Seconds before each retry of a digest that could not be posted.
    digest_retry_seconds: list[float] = [30, 120, 600, 1800]
    #: Retrain the detection model from Prometheus history on ``retrain_schedule``.
    retrain: bool = False
    retrain_schedule: str = "30 3 * * *"
    retrain_hours: float = Field(default=24, gt=0, le=24 * 31)
    #: How late a firing may start before it is reported as missed.
    misfire_grace_seconds: int = Field(default=30, ge=1)
    #: This replica's name in logs and lease tokens (default: host name and process id).
    replica: str | None = None

    @field_validator("digest_schedule", "retrain_schedule")
    @classmethod
    def _crontab(cls, v: str) -> str:
        return _check_crontab(v)

    @field_validator("digests")
    @classmethod
    def _crontabs(cls, v: dict[str, str]) -> dict[str, str]:
        for channel, line in v.items():
            if not re.fullmatch(r"[CGD][A-Z0-9]{2,30}|#?[a-z0-9_-]{1,80}", channel):
                raise ValueError(f"'{channel}' is not a Slack channel id or name")
            _check_crontab(line)
        return v


def _check_crontab(line: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(line, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"'{line}' is not a crontab line (minute hour day month weekday): {exc}") from exc
    return line


class LogsSettings(BaseModel):
    """Where ``get_logs`` reads from, besides the product's own event and audit logs."""

    cloudwatch_group: str | None = None


class StateSettings(BaseModel):
    """Local state when Redis is absent (``ask --thread`` context)."""

    dir: Path = Path.home() / ".local" / "state" / "smartcloudops"


class SecretsSettings(BaseModel):
    """Where secrets come from besides the environment: an SSM Parameter Store path."""

    #: Path of SecureString parameters ``slack_bot_token``, ``slack_app_token``,
    #: ``slack_signing_secret`` and ``llm_api_key``, read at start-up (e.g. ``/smartcloudops/prod/``).
    ssm_path: str | None = None

    @field_validator("ssm_path")
    @classmethod
    def _ssm_path(cls, v: str | None) -> str | None:
        if not v:
            return None
        if not re.fullmatch(r"/[A-Za-z0-9_.\-/]{1,1000}", v) or "//" in v:
            raise ValueError("must be an SSM path such as /smartcloudops/prod/ (letters, digits, _ . - /)")
        return v if v.endswith("/") else v + "/"


class _SlackEnvNames(PydanticBaseSettingsSource):
    """Reads Slack's standard env names into the ``slack`` section."""

    _NAMES: ClassVar[dict[str, str]] = {
        "SLACK_BOT_TOKEN": "bot_token",
        "SLACK_APP_TOKEN": "app_token",
        "SLACK_SIGNING_SECRET": "signing_secret",
    }

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002 - signature fixed by the base class
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {key: os.environ[env] for env, key in self._NAMES.items() if os.environ.get(env)}
        return {"slack": found} if found else {}


class Settings(BaseSettings):
    """Every setting of the product."""

    model_config = SettingsConfigDict(env_prefix="SCO_", env_nested_delimiter="__", extra="ignore")

    prometheus: PrometheusSettings = PrometheusSettings()
    redis: RedisSettings = RedisSettings()
    llm: LLMSettings = LLMSettings()
    slack: SlackSettings = SlackSettings()
    aws: AwsSettings = AwsSettings()
    http: HttpSettings = HttpSettings()
    audit: AuditSettings = AuditSettings()
    remediation: RemediationSettings = RemediationSettings()
    auto_remediation: AutoRemediationSettings = AutoRemediationSettings()
    detection: DetectionSettings = DetectionSettings()
    state: StateSettings = StateSettings()
    logs: LogsSettings = LogsSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    secrets: SecretsSettings = SecretsSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """``SCO_`` variables win over Slack's standard names."""
        return (init_settings, env_settings, _SlackEnvNames(settings_cls), dotenv_settings, file_secret_settings)
