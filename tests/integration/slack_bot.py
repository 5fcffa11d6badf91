"""The Slack bot served over HTTP as in production, with its lazy listeners counted until they finish.

Tests that assert that nothing happened wait for ``RunningBot.lazy.wait_idle()`` first: every
lazy listener Bolt started for the requests sent so far has then returned, so an absence cannot
come from a thread that was merely late.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from slack_bolt import App, BoltRequest
from slack_bolt.lazy_listener.internals import build_runnable_function
from slack_bolt.lazy_listener.thread_runner import ThreadLazyListenerRunner

from bot.config.settings import (
    AuditSettings,
    AwsSettings,
    PrometheusSettings,
    RedisSettings,
    RemediationSettings,
    Settings,
    SlackSettings,
)
from bot.http.asgi import build_http_app
from bot.services import Services
from bot.slack.app import build_app
from bot.wiring import build_services
from tests.integration.asgi_server import serve_asgi
from tests.integration.slack_requests import SIGNING_SECRET

BOT_TOKEN = "xoxb-test"


def slack_settings(api_url: str, *, bot_token: str = BOT_TOKEN, **fields: Any) -> SlackSettings:
    """Slack settings for the fake Web API at ``api_url``, signed like ``slack_requests``; ``fields`` set the rest."""
    return SlackSettings(
        api_url=api_url, bot_token=SecretStr(bot_token), signing_secret=SecretStr(SIGNING_SECRET), **fields
    )


def rule_bot_settings(
    rules: str,
    folder: Path,
    *,
    slack: SlackSettings,
    aws_endpoint: str,
    prometheus_url: str | None = None,
    redis_url: str | None = None,
) -> Settings:
    """Settings of a bot with the rules file ``rules`` (written under ``folder``), U_LEAD approving everything."""
    path = folder / "rules.yaml"
    path.write_text(rules)
    sources: dict[str, Any] = {}
    if prometheus_url:
        sources["prometheus"] = PrometheusSettings(url=prometheus_url)
    if redis_url:
        sources["redis"] = RedisSettings(url=redis_url)
    return Settings(
        **sources,
        aws=AwsSettings(endpoint_url=aws_endpoint),
        audit=AuditSettings(dir=folder / "audit"),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD"]}, rules_file=path),
        slack=slack,
    )


class TrackedLazyRunner(ThreadLazyListenerRunner):
    """Bolt's thread runner for lazy listeners, counting the listeners started and finished."""

    def __init__(self, original: ThreadLazyListenerRunner) -> None:
        super().__init__(logger=original.logger, executor=original.executor)
        self._changed = threading.Condition()
        self.started = 0
        self.finished = 0

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        """Run ``function`` on the executor, as Bolt does, and count it."""
        runnable = build_runnable_function(func=function, logger=self.logger, request=request)
        with self._changed:
            self.started += 1

        def run() -> None:
            try:
                runnable()
            finally:
                with self._changed:
                    self.finished += 1
                    self._changed.notify_all()

        self.executor.submit(run)

    def wait_idle(self, timeout: float = 30.0) -> int:
        """Wait until every lazy listener started so far has returned; how many were started.

        Raises:
            AssertionError: some were still running after ``timeout`` seconds.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: self.finished == self.started, timeout):
                raise AssertionError(f"{self.started - self.finished} lazy listeners still running after {timeout}s")
            return self.started


@dataclass(frozen=True)
class RunningBot:
    """A bot serving HTTP: its base URL, Bolt app, services and lazy-listener runner."""

    url: str
    app: App
    services: Services
    lazy: TrackedLazyRunner


def track_lazy_listeners(app: App) -> TrackedLazyRunner:
    """Replace the app's lazy-listener runner with a counting one on the same executor."""
    original = app.listener_runner.lazy_listener_runner
    if not isinstance(original, ThreadLazyListenerRunner):
        raise TypeError(f"expected Bolt's thread runner, got {type(original).__name__}")
    tracked = TrackedLazyRunner(original)
    app.listener_runner.lazy_listener_runner = tracked
    return tracked


@contextmanager
def serve_bot(settings: Settings, services: Services | None = None, **wiring: Any) -> Iterator[RunningBot]:
    """Build the app (and the services, with ``wiring`` keywords for ``build_services``) and serve it."""
    services = services or build_services(settings, **wiring)
    app = build_app(settings, services)
    lazy = track_lazy_listeners(app)
    with serve_asgi(build_http_app(app, services)) as url:
        yield RunningBot(url=url, app=app, services=services, lazy=lazy)
