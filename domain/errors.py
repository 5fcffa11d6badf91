"""The project's exception tree.

Every error the product raises on purpose is one of these; adapters translate SDK
errors into them at the boundary (``raise X(...) from exc``)::

    OpsError
    ├── ConfigError                 settings or files that cannot be used
    │   └── StateStoreRefused       the local state database cannot be opened as ours
    ├── InputError                  bad user or file input (label, host, rule, CSV)
    │   └── UnknownHost             carries close matches
    ├── UpstreamError               a dependency failed
    │   ├── MetricsUnavailable      Prometheus / VictoriaMetrics
    │   ├── QueryError              the metrics server rejected a query
    │   ├── StoreUnavailable        Redis
    │   │   └── OutcomeNotStored    an action ran but its outcome could not be stored
    │   ├── AuditWriteFailed        the audit log could not be written
    │   ├── CloudActionFailed       AWS
    │   ├── LogsUnavailable         a log source (CloudWatch Logs)
    │   ├── NotifierUnavailable     Slack Web API
    │   └── LLMUnavailable          the model endpoint
    └── PolicyError                 refused by a rule of the product
        ├── NotAllowedToApprove
        ├── ActionNotAllowed
        ├── InvalidTransition
        ├── ApprovalExpired
        └── ApprovalNotFound
"""

from __future__ import annotations

from collections.abc import Sequence


class OpsError(Exception):
    """Base class of every error the product raises on purpose."""


class ConfigError(OpsError):
    """Settings or a configuration file cannot be used."""


class StateStoreRefused(ConfigError):
    """The local state database (SQLite under the state directory) cannot be used; nothing was written to it."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"state store {path}: {reason}")


class InputError(OpsError):
    """Input from a user or a file is not acceptable."""


class UnknownHost(InputError):
    """A host name did not resolve to any known series."""

    def __init__(self, host: str, close_matches: Sequence[str] = ()) -> None:
        self.host = host
        self.close_matches = tuple(close_matches)
        hint = f" Did you mean: {', '.join(self.close_matches)}?" if self.close_matches else ""
        super().__init__(f"Unknown host '{host}'.{hint}")


class UpstreamError(OpsError):
    """A dependency (metrics server, Redis, AWS, Slack, LLM) failed."""


class MetricsUnavailable(UpstreamError):
    """The metrics server could not be reached or answered with an error status."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"metrics unavailable ({reason}) at {url}")


class QueryError(UpstreamError):
    """The metrics server rejected a query; carries the server's own message."""

    def __init__(self, query: str, message: str) -> None:
        self.query = query
        self.message = message
        super().__init__(f"query rejected: {message}")


class StoreUnavailable(UpstreamError):
    """The shared store (Redis) could not be used."""


class OutcomeNotStored(StoreUnavailable):
    """An action ran (its outcome is in the audit log) but the approval store could not record it."""

    def __init__(self, request_id: str, outcome: str, reason: str) -> None:
        self.request_id = request_id
        self.outcome = outcome
        self.reason = reason
        super().__init__(f"request {request_id} {outcome}, but the approval store could not record it: {reason}")


class AuditWriteFailed(UpstreamError):
    """An audit entry could not be written durably."""


class CloudActionFailed(UpstreamError):
    """An AWS call failed."""

    def __init__(self, action: str, reason: str, *, code: str | None = None) -> None:
        self.action = action
        self.reason = reason
        self.code = code
        super().__init__(f"{action} failed: {reason}")


class LogsUnavailable(UpstreamError):
    """A log source could not be read."""


class NotifierUnavailable(UpstreamError):
    """The Slack Web API could not be used."""


class LLMUnavailable(UpstreamError):
    """The language model endpoint failed."""


class PolicyError(OpsError):
    """A rule of the product refused the operation."""


class NotAllowedToApprove(PolicyError):
    """The user may not approve this request."""

    def __init__(self, user: str, request_id: str, reason: str) -> None:
        self.user = user
        self.request_id = request_id
        self.reason = reason
        super().__init__(reason)


class ActionNotAllowed(PolicyError):
    """The action or its parameters are outside what configuration allows."""

    def __init__(self, action: str, reason: str) -> None:
        self.action = action
        self.reason = reason
        super().__init__(reason)


class InvalidTransition(PolicyError):
    """An approval request cannot move from its current state to the asked one."""

    def __init__(self, request_id: str, current: str, target: str) -> None:
        self.request_id = request_id
        self.current = current
        self.target = target
        super().__init__(f"request {request_id} is {current}; it cannot become {target}")


class ApprovalExpired(PolicyError):
    """The approval request expired before it was approved."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(f"request {request_id} has expired")


class ApprovalNotFound(PolicyError):
    """No approval request has this id."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(f"no approval request {request_id}")
