"""CloudWatchLogSource: AWS CloudWatch Logs (``filter_log_events``) as a LogSource."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from domain.errors import LogsUnavailable
from domain.log_levels import at_least, level_of_text
from domain.ports import LogLine, LogPage, LogQuery

_MAX_PAGES = 20


class CloudWatchLogSource:
    """Lines of one log group.

    Args:
        client: a boto3 ``logs`` client.
        log_group: the group to read.
    """

    name = "cloudwatch"

    def __init__(self, client: Any, log_group: str) -> None:
        self._client = client
        self.log_group = log_group

    def read(self, query: LogQuery) -> LogPage:
        """Matching events, newest first; the host is matched against the log stream name or the text, the
        level is what the text says (``log_levels``)."""
        kwargs: dict[str, Any] = {
            "logGroupName": self.log_group,
            "startTime": int(query.start.timestamp() * 1000),
            "endTime": int(query.end.timestamp() * 1000) - 1,
        }
        # Text matching is done here, case-insensitively: CloudWatch filter patterns are case-sensitive.
        events: list[dict[str, Any]] = []
        try:
            for _ in range(_MAX_PAGES):
                resp = self._client.filter_log_events(**kwargs)
                events.extend(resp.get("events", []))
                token = resp.get("nextToken")
                if not token:
                    break
                kwargs["nextToken"] = token
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise LogsUnavailable(f"CloudWatch Logs: {err.get('Code')}: {err.get('Message')}") from exc
        except BotoCoreError as exc:
            raise LogsUnavailable(f"CloudWatch Logs: {exc}") from exc
        wanted = query.host.lower() if query.host else None
        needle = query.contains.lower() if query.contains else None
        lines = [
            LogLine(
                timestamp=datetime.fromtimestamp(e["timestamp"] / 1000, UTC),
                source=self.name,
                message=str(e.get("message", "")).rstrip(),
                host=str(e.get("logStreamName")) or None,
                level=level_of_text(str(e.get("message", ""))),
            )
            for e in events
            if (not wanted or wanted in f"{e.get('logStreamName', '')} {e.get('message', '')}".lower())
            and (not needle or needle in str(e.get("message", "")).lower())
        ]
        lines = [line for line in lines if at_least(line.level or "info", query.level)]
        lines.sort(key=lambda line: line.timestamp, reverse=True)
        return LogPage(lines=tuple(lines[: max(query.limit, 0)]), omitted=max(len(lines) - query.limit, 0))
