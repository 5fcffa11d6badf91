"""Settings: one object, read from the environment (prefix ``SCO_``, nested with ``__``) at start-up.

Each field's ``description`` is its documentation: the README's configuration table is generated
from it (``bot/config/settings_table.py``). Slack's own variable names (``SLACK_BOT_TOKEN``,
``SLACK_APP_TOKEN``, ``SLACK_SIGNING_SECRET``) and the former names of renamed settings are read
too. Unset optional parts (Redis, LLM, Slack, AWS) are absent, not broken.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, Field, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config.remediation_settings import AutoRemediationSettings, RemediationSettings
from bot.config.scheduler_settings import SchedulerSettings
from bot.config.setting_types import (
    ApiToken,
    AwsRegion,
    DirectoryPath,
    FileLocation,
    HostAddress,
    JobSeconds,
    NamedApiTokens,
    OptionalFileLocation,
    Token,
    check_redis_url,
)
from bot.config.slack_settings import SlackSettings

__all__ = [
    "FORMER_ENV_NAMES",
    "SLACK_ENV_NAMES",
    "AuditSettings",
    "AutoRemediationSettings",
    "AwsSettings",
    "DetectionSettings",
    "HttpSettings",
    "LLMSettings",
    "LogsSettings",
    "PrometheusSettings",
    "RedisSettings",
    "RemediationSettings",
    "SchedulerSettings",
    "SecretsSettings",
    "Settings",
    "SlackSettings",
    "StateSettings",
]

# One or more PromQL label matchers: name, operator, double-quoted value, comma-separated.
_MATCHER = r'[A-Za-z_]\w*\s*(?:=~|!~|!=|=)\s*"[^"\\{}]*"'
_LABEL_MATCHERS = re.compile(rf"{_MATCHER}(?:\s*,\s*{_MATCHER})*")


class PrometheusSettings(BaseModel):
    """Where metrics come from."""

    url: AnyHttpUrl | None = Field(
        default=None,
        description="Prometheus (or VictoriaMetrics) base URL; unset: no metrics tools, no detection",
    )
    timeout_seconds: float = Field(default=10.0, gt=0, le=120, description="timeout of each metrics request")
    compress: bool = Field(
        default=False,
        description="ask for gzip answers on the detection cycle's fleet-wide reads: less traffic to a distant "
        "server, more CPU on both sides (on a LAN, unset is faster)",
    )
    node_selector: str | None = Field(
        default=None,
        description='PromQL label matchers a host\'s series carry (e.g. `job="node"`); '
        "unset: every target exposing node_exporter series is a host",
    )

    @field_validator("node_selector")
    @classmethod
    def _label_matchers(cls, v: str | None) -> str | None:
        if v is not None and not _LABEL_MATCHERS.fullmatch(v.strip()):
            raise ValueError('must be PromQL label matchers such as job="node" or job=~"node|hosts",env="prod"')
        return v.strip() if v is not None else None


class RedisSettings(BaseModel):
    """Shared store for anomalies, approvals and conversation context."""

    url: str | None = Field(
        default=None,
        description="anomaly history, approvals, conversation context, job leases "
        "(`redis://`, `rediss://`, `unix://`); unset: the SQLite file `<state dir>/state.db`, one machine",
    )

    @field_validator("url")
    @classmethod
    def _redis_url(cls, v: str | None) -> str | None:
        return check_redis_url(v) if v is not None else None


class LLMSettings(BaseModel):
    """Any OpenAI-compatible chat-completions endpoint."""

    base_url: AnyHttpUrl | None = Field(
        default=None,
        description="any OpenAI-compatible chat-completions endpoint; unset: the deterministic router answers",
    )
    model: str = Field(default="gpt-4o-mini", description="model name sent to the endpoint")
    api_key: Token | None = Field(default=None, description="API key of the endpoint")
    timeout_seconds: float = Field(
        default=30.0, gt=0, le=300, description="timeout of each model request; on timeout the router answers"
    )
    max_model_calls: int = Field(default=8, ge=1, le=25, description="model calls per question (at most 25)")


class AwsSettings(BaseModel):
    """AWS region and an optional endpoint (moto, a VPC endpoint)."""

    region: AwsRegion = Field(
        default="us-east-1", description="AWS region (remediation, CloudWatch Logs, SSM Parameter Store)"
    )
    endpoint_url: AnyHttpUrl | None = Field(
        default=None, description="custom AWS endpoint (moto, a VPC endpoint); setting it enables AWS"
    )
    enabled: bool = Field(
        default=False, description="use AWS with the default credential chain (remediation runs only with AWS)"
    )

    @model_validator(mode="after")
    def _endpoint_enables(self) -> AwsSettings:
        """A configured endpoint means AWS is in use."""
        if self.endpoint_url is not None:
            self.enabled = True
        return self


class HttpSettings(BaseModel):
    """The HTTP server of ``serve --http``."""

    host: HostAddress = Field(default="127.0.0.1", description="where `serve --http` listens (IP address or host name)")
    port: int = Field(default=8080, ge=1, le=65535, description="port of `serve --http`")
    api_token: ApiToken | None = Field(
        default=None, description="bearer token of the HTTP API (`/query`, `/status`, `/logs`); unset: API off"
    )
    api_tokens: NamedApiTokens = Field(
        default_factory=dict,
        description='named bearer tokens, a JSON map name → token (`{"ci": "…"}`); requests made with one are '
        "recorded as `api:<name>` (the single `SCO_HTTP__API_TOKEN` is `api`)",
    )


class AuditSettings(BaseModel):
    """Where the audit log and the event log go."""

    dir: DirectoryPath = Field(
        default=Path("logs"),
        description="audit log (`audit-YYYY-MM-DD.jsonl`) and event log (`events.jsonl`, "
        "earlier days `events-YYYY-MM-DD.jsonl`) directory",
    )


class DetectionSettings(BaseModel):
    """The detection job."""

    interval_seconds: JobSeconds = Field(default=60.0, description="seconds between detection cycles (at least 1)")
    window_minutes: int = Field(default=30, ge=5, le=1440, description="history each detection pass reads")
    model_path: FileLocation = Field(
        default=Path("ml_models/anomaly_model.pkl"),
        description="an earlier per-host baseline model, scored beside the engine when the file exists",
    )
    snapshot_path: FileLocation = Field(
        default=Path("ml_models/engine_snapshot.npz"),
        description="snapshot of the detection engine's state (`train`, the scheduled retrain), resumed at "
        "start-up when present and sound",
    )
    spool_path: OptionalFileLocation = Field(
        default=None,
        description="where anomalies wait while Redis is unreachable (default `<state dir>/anomaly-spool.jsonl`)",
    )
    bootstrap_hours: float = Field(
        default=168.0,
        ge=24,
        le=2160,
        description="history the detection engine fits its baselines on at start-up, after a gap, and before "
        "`detect replay --start` (hours; at least 24)",
    )
    bootstrap_points: int = Field(
        default=2_000_000,
        ge=10_000,
        le=1_000_000_000,
        description="the most hosts × time points a bootstrap reads per signal: history is read at the finest "
        "whole-minute step within it (a day every minute up to about 1,400 hosts, every 8 minutes for 10,000); "
        "more reads a large fleet more finely and starts more slowly",
    )
    recovery_minutes: float = Field(
        default=5.0, gt=0, le=1440, description="an incident resolves once its signal has been normal this long"
    )
    level_shift_hours: float = Field(
        default=6.0,
        gt=0,
        le=720,
        description="an incident still abnormal after this long is accepted as the host's new normal, with a note",
    )
    trend_horizon_hours: float = Field(
        default=24.0,
        gt=0,
        le=720,
        description="a memory leak or filling disk is an incident when projected full within this many hours",
    )


class LogsSettings(BaseModel):
    """Where ``get_logs`` reads from, besides the product's own event and audit logs."""

    cloudwatch_group: str | None = Field(default=None, description="CloudWatch Logs group `get_logs` reads (needs AWS)")


class StateSettings(BaseModel):
    """Local state: the SQLite store when Redis is absent, ``ask --thread`` context, the anomaly spool."""

    dir: DirectoryPath = Field(
        default=Path.home() / ".local" / "state" / "smartcloudops",
        description="local state: without Redis the SQLite store `state.db` (anomalies, approvals, job leases, "
        "automatic-remediation state) and `ask --thread` context; with Redis the anomaly spool",
    )


class SecretsSettings(BaseModel):
    """Where secrets come from besides the environment: an SSM Parameter Store path."""

    ssm_path: str | None = Field(
        default=None,
        description="SSM path whose SecureString parameters `slack_bot_token`, `slack_app_token`, "
        "`slack_signing_secret`, `llm_api_key` are read at start-up (the environment wins)",
    )

    @field_validator("ssm_path")
    @classmethod
    def _ssm_path(cls, v: str | None) -> str | None:
        if not v:
            return None
        if not re.fullmatch(r"/[A-Za-z0-9_.\-/]{1,1000}", v) or "//" in v:
            raise ValueError("must be an SSM path such as /smartcloudops/prod/ (letters, digits, _ . - /)")
        return v if v.endswith("/") else v + "/"


#: Slack's standard variable names → (section, field); the ``SCO_SLACK__*`` name wins when both are set.
SLACK_ENV_NAMES: dict[str, tuple[str, str]] = {
    "SLACK_BOT_TOKEN": ("slack", "bot_token"),
    "SLACK_APP_TOKEN": ("slack", "app_token"),
    "SLACK_SIGNING_SECRET": ("slack", "signing_secret"),
}

#: Former names of settings that were merged into another one → (section, field); the current name wins.
FORMER_ENV_NAMES: dict[str, tuple[str, str]] = {
    "SCO_SCHEDULER__DETECTION_SECONDS": ("detection", "interval_seconds"),
    "SCO_SCHEDULER__DIGEST_SCHEDULE": ("slack", "digest_schedule"),
}


class _OtherEnvNames(PydanticBaseSettingsSource):
    """Reads ``SLACK_ENV_NAMES`` and ``FORMER_ENV_NAMES`` into their sections."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002 - signature fixed by the base class
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for env, (section, name) in {**SLACK_ENV_NAMES, **FORMER_ENV_NAMES}.items():
            if os.environ.get(env):
                found.setdefault(section, {})[name] = os.environ[env]
        return found


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
        """``SCO_`` variables win over Slack's standard names and over former names."""
        return (init_settings, env_settings, _OtherEnvNames(settings_cls), dotenv_settings, file_secret_settings)
