"""What one question names (host, metric, window, moment), with what it inherits from its thread. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.conversation import Conversation
from domain.models import HostRef, MetricKind

_WHOLE_FLEET = re.compile(
    r"\b(fleet|all|every|across(?!\s+(the\s+)?(last|past|previous)\b)|everywhere|hosts|servers|overall)\b"
)


@dataclass(frozen=True)
class QuestionSlots:
    """What one question names, with what it inherits from its thread."""

    text: str
    known: Sequence[HostRef]
    context: Conversation
    host: str | None
    metric: MetricKind | None
    since: str | None
    moment: str | None
    follow_up: bool

    def thread_host(self) -> str | None:
        """The host of the question, or for a follow-up not about the whole fleet the thread's."""
        if self.host is None and self.follow_up and not _WHOLE_FLEET.search(self.text):
            return self.context.host
        return self.host

    def kept_host(self, intent: str) -> str | None:
        """The host, or in a follow-up on ``intent`` the thread's ("anomalies today" after "cpu on web-1": none)."""
        return self.thread_host() if self.context.intent == intent else self.host

    def kept_since(self, intent: str) -> str | None:
        """For a follow-up of a thread on ``intent``, the thread's window ("only warnings" after logs since 9am)."""
        return self.context.since if self.follow_up and self.context.intent == intent else None

    def ranking_kept(self) -> dict[str, str] | None:
        """For a follow-up of a ranking, what its thread keeps (order, count, host group); None otherwise."""
        if self.follow_up and self.context.intent == "top_hosts" and "order" in self.context.filters:
            return self.context.filters
        return None

    def thread_metric(self) -> MetricKind:
        """The metric of the question, or for a follow-up the thread's, else CPU ("how busy is web-1")."""
        if self.metric is None and self.follow_up and self.context.metric:
            return MetricKind(self.context.metric)
        return self.metric or MetricKind.CPU
