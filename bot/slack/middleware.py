"""What every Slack request goes through: the services in its context, who/where it came from, allowed channels,
a per-user rate limit, de-duplication of Slack's retries, and one structured log line with the outcome."""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from slack_bolt import BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack import messages
from bot.telemetry import BotMetrics
from domain.errors import StoreUnavailable
from domain.ports import JobLeases

log = structlog.get_logger(__name__)

_LIMITED_SURFACES = frozenset({"command", "mention", "dm"})


@dataclass(frozen=True)
class RequestInfo:
    """Where a Slack request comes from."""

    surface: str
    team: str | None
    channel: str | None
    user: str | None
    command: str | None
    event_id: str | None


def describe(body: dict[str, Any]) -> RequestInfo:
    """Surface (command, mention, dm, action, event), team, channel, user and command of a request body. Pure."""
    if "command" in body:
        words = str(body.get("text") or "").split()
        return RequestInfo(
            "command",
            body.get("team_id"),
            body.get("channel_id"),
            body.get("user_id"),
            f"{body['command']} {words[0].lower() if words else ''}".strip(),
            None,
        )
    if body.get("type") == "block_actions":
        actions = body.get("actions") or [{}]
        return RequestInfo(
            "action",
            (body.get("team") or {}).get("id"),
            (body.get("channel") or {}).get("id"),
            (body.get("user") or {}).get("id"),
            actions[0].get("action_id"),
            None,
        )
    event = body.get("event") or {}
    kind = str(event.get("type") or body.get("type") or "unknown")
    surface = "event"
    if kind == "app_mention":
        surface = "mention"
    elif (
        kind == "message" and event.get("channel_type") == "im" and not event.get("bot_id") and not event.get("subtype")
    ):
        surface = "dm"
    return RequestInfo(
        surface, body.get("team_id"), event.get("channel"), event.get("user"), kind, body.get("event_id")
    )


class RateLimiter:
    """At most ``limit`` requests per ``window`` seconds per key (sliding window); the caller passes the time."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> float:
        """Record a request by ``key`` at ``now``; returns 0 when allowed, else the seconds until it would be."""
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                return times[0] + self.window - now
            times.append(now)
            return 0.0


class SeenEvents:
    """Event ids already handled (Slack retries an event it thinks was not acked). Bounded, thread-safe.

    With ``shared`` leases (Redis), an id is claimed across every replica, so a retry that reaches
    another replica is dropped too; when the shared store is down, this process's memory decides
    (an event is never dropped because Redis is unreachable).
    """

    def __init__(self, capacity: int = 10_000, *, shared: JobLeases | None = None, ttl_ms: int = 3_600_000) -> None:
        self.capacity = capacity
        self.shared = shared
        self.ttl_ms = ttl_ms
        self._token = uuid.uuid4().hex
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is seen."""
        with self._lock:
            if event_id in self._ids:
                return False
            self._ids[event_id] = None
            if len(self._ids) > self.capacity:
                self._ids.popitem(last=False)
        if self.shared is None:
            return True
        try:
            return self.shared.acquire(f"slack-event:{event_id}", self._token, self.ttl_ms)
        except StoreUnavailable as exc:
            log.warning("event_dedup_degraded", event_id=event_id, error=str(exc))
            return True


#: The key of the request context that holds the :class:`Services`.
SERVICES_KEY = "services"


def attach_services(services: Services) -> Callable[..., None]:
    """The global Bolt middleware that puts ``services`` in every request's ``context[SERVICES_KEY]``."""

    def provide_services(
        context: dict[str, Any],
        next: Callable[[], None],  # noqa: A002 - Bolt passes arguments by name
    ) -> None:
        context[SERVICES_KEY] = services
        next()

    return provide_services


def services_in(context: Mapping[str, Any]) -> Services:
    """The services of a request, as :func:`attach_services` put them in its context.

    Raises:
        LookupError: the context has no services (the middleware is not registered).
    """
    services = context.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise LookupError(f"the request context has no {SERVICES_KEY!r}; register attach_services first")
    return services


def _ephemeral(text: str) -> BoltResponse:
    return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})


def build_gate(
    *,
    allowed_channels: frozenset[str],
    limiter: RateLimiter,
    seen: SeenEvents,
    notices: WebClient,
    monotonic: Callable[[], float] = time.monotonic,
) -> Callable[..., BoltResponse | None]:
    """The global Bolt middleware: channel allow-list, duplicate events, per-user rate limit.

    ``notices`` posts the "slow down" note for mentions and DMs; it must not retry (it runs before the ack).
    """

    def gate(
        body: dict[str, Any],
        context: dict[str, Any],
        next: Callable[[], None],  # noqa: A002 - Bolt passes arguments by name
    ) -> BoltResponse | None:
        info = describe(body)
        context["request_info"] = info
        if info.event_id and not seen.first_time(info.event_id):
            context["outcome"] = "duplicate"
            return BoltResponse(status=200, body="")
        is_dm = bool(info.channel and info.channel.startswith("D"))
        if allowed_channels and info.channel and not is_dm and info.channel not in allowed_channels:
            context["outcome"] = "channel_not_allowed"
            if info.surface == "command":
                return _ephemeral(messages.channel_not_allowed(info.channel))
            return BoltResponse(status=200, body="")
        if info.surface in _LIMITED_SURFACES and info.user:
            wait = limiter.allow(info.user, monotonic())
            if wait > 0:
                context["outcome"] = "rate_limited"
                text = messages.rate_limited(max(1, round(wait)))
                if info.surface == "command":
                    return _ephemeral(text)
                if info.channel:
                    try:
                        notices.chat_postEphemeral(channel=info.channel, user=info.user, text=text)
                    except SlackApiError as exc:
                        log.warning("slack_post_failed", channel=info.channel, error=str(exc.response.get("error")))
                return BoltResponse(status=200, body="")
        next()
        return None

    return gate


def record_request(req: BoltRequest, resp: BoltResponse, *, seconds: float, telemetry: BotMetrics) -> None:
    """The one log line and the metrics of a handled request."""
    info = req.context.get("request_info")
    if not isinstance(info, RequestInfo):
        info = describe(req.body if isinstance(req.body, dict) else {})
    outcome = req.context.get("outcome")
    if outcome is None:
        outcome = "ok" if resp.status < 400 else ("unauthorized" if resp.status == 401 else "error")
    retries = req.headers.get("x-slack-retry-num") or []
    retry = retries[0] if retries else None
    telemetry.count_request(surface=info.surface, outcome=str(outcome), seconds=seconds)
    log.info(
        "slack_request",
        request_id=uuid.uuid4().hex[:16],
        mode=req.mode,
        surface=info.surface,
        team=info.team,
        channel=info.channel,
        user=info.user,
        command=req.context.get("command") or info.command,
        status=resp.status,
        outcome=outcome,
        retry_num=retry,
        duration_ms=round(seconds * 1000, 2),
    )


def click_team(body: dict[str, Any]) -> str | None:
    """The workspace a button click comes from: the clicker's team, else the payload's team. Pure."""
    return (body.get("user") or {}).get("team_id") or (body.get("team") or {}).get("id")


def scope_to_workspace(*, app_id: str | None) -> Callable[..., BoltResponse | None]:
    """The global Bolt middleware that refuses a button click from another workspace or another app.

    The bot's workspace is the token's (``auth.test``, in ``context.authorize_result``); a click
    from a user of another team (a shared channel) or with another ``api_app_id`` (when
    ``app_id`` is set) never reaches a listener, and the clicker is told why.
    """

    def scope(
        body: dict[str, Any],
        context: dict[str, Any],
        next: Callable[[], None],  # noqa: A002 - Bolt passes arguments by name
    ) -> BoltResponse | None:
        if body.get("type") != "block_actions":
            next()
            return None
        authorized = context.get("authorize_result")
        own_team = getattr(authorized, "team_id", None)
        team = click_team(body)
        foreign_app = app_id is not None and body.get("api_app_id") != app_id
        if not foreign_app and (own_team is None or team == own_team):
            next()
            return None
        context["outcome"] = "foreign_workspace"
        user = (body.get("user") or {}).get("id")
        channel = (body.get("channel") or {}).get("id")
        log.warning("click_refused", team=team, api_app_id=body.get("api_app_id"), user=user)
        client = context.get("client")
        if isinstance(client, WebClient) and channel and user:
            try:
                client.chat_postEphemeral(
                    channel=channel, user=user, text=messages.foreign_click(team or str(body.get("api_app_id")))
                )
            except SlackApiError as exc:
                log.warning("slack_post_failed", channel=channel, error=str(exc.response.get("error")))
        return BoltResponse(status=200, body="")

    return scope
