"""Where incident messages go: the routes of ``SCO_SLACK__ALERT_ROUTES``, and the pure choice of a channel."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from pydantic import BaseModel, ConfigDict, Field

from bot.config.setting_types import ChannelId
from domain.models import Anomaly, Severity


class AlertRoute(BaseModel):
    """One route: incidents on hosts matching ``hosts`` with at least ``min_severity`` go to ``channel``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: ChannelId = Field(description="channel id the matching incidents are posted to")
    hosts: str = Field(default="*", description="host-name glob (`db-*`, `web-[12]`)")
    min_severity: Severity | None = Field(
        default=None, description="lowest severity routed here; unset: `SCO_SLACK__ALERT_MIN_SEVERITY`"
    )


def alert_channel_for(
    anomaly: Anomaly, *, routes: Sequence[AlertRoute], default: str | None, min_severity: Severity
) -> str | None:
    """The channel an incident is posted to: the first route that matches, else ``default``; None: not posted.

    A route's own ``min_severity`` replaces the global one for the hosts it matches.
    """
    for route in routes:
        if fnmatchcase(anomaly.host.name, route.hosts):
            floor = route.min_severity or min_severity
            if anomaly.severity.rank >= floor.rank:
                return route.channel
    if default is not None and anomaly.severity.rank >= min_severity.rank:
        return default
    return None
