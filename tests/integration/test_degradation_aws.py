"""AWS errors at the wire: only throttling is retried, with backoff; other errors fail once, with the reason.

moto cannot throttle, so these tests point boto3 at a small local server that speaks Auto Scaling's
query API (form-encoded ``Action=...``, XML answers) and answers ``SetDesiredCapacity`` from a script.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.config.settings import AuditSettings, AwsSettings, RemediationSettings, Settings
from bot.services import Services
from bot.wiring import build_services
from remediation import actions
from remediation.approval import ApprovalState
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.slack_bot import serve_bot, slack_settings
from tests.integration.slack_requests import block_action

NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"
ERRORS = {
    "Throttling": (400, "Rate exceeded"),
    "AccessDenied": (403, "User: arn:aws:iam::123456789012:user/bot is not authorized to perform SetDesiredCapacity"),
    "ValidationError": (400, "AutoScalingGroup name not found - AutoScalingGroup 'web-asg' not found"),
    "InternalFailure": (500, "An internal error occurred"),
}


class AutoScalingApi(ThreadingHTTPServer):
    """Auto Scaling's query API for one group; ``SetDesiredCapacity`` answers from ``script`` (then succeeds)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.desired = 2
        self.script: list[str] = []
        self.calls: list[str] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def seen(self, action: str) -> int:
        with self.lock:
            return self.calls.count(action)


class _Handler(BaseHTTPRequestHandler):
    server: AutoScalingApi

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
        action = form.get("Action", "")
        with self.server.lock:
            self.server.calls.append(action)
            outcome = self.server.script.pop(0) if action == "SetDesiredCapacity" and self.server.script else "ok"
            if action == "SetDesiredCapacity" and outcome == "ok":
                self.server.desired = int(form["DesiredCapacity"])
            desired = self.server.desired
        if outcome != "ok":
            status, message = ERRORS[outcome]
            body = (
                f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{outcome}</Code>'
                f"<Message>{message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"
            )
            self._reply(status, body)
        elif action == "DescribeAutoScalingGroups":
            group = (
                "<member><AutoScalingGroupName>web-asg</AutoScalingGroupName><MinSize>1</MinSize>"
                f"<MaxSize>10</MaxSize><DesiredCapacity>{desired}</DesiredCapacity><Instances/></member>"
            )
            self._reply(200, self._ok(action, f"<AutoScalingGroups>{group}</AutoScalingGroups>"))
        else:
            self._reply(200, self._ok(action, None))

    @staticmethod
    def _ok(action: str, result: str | None) -> str:
        inner = f"<{action}Result>{result}</{action}Result>" if result is not None else ""
        meta = "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
        return f'<{action}Response xmlns="{NS}">{inner}{meta}</{action}Response>'

    def _reply(self, status: int, body: str) -> None:
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002, ARG002 - signature fixed by http.server
        return


@pytest.fixture
def asg_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[AutoScalingApi]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    server = AutoScalingApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(asg_api: AutoScalingApi, fake_slack: FakeSlackApi, tmp_path: Path) -> Settings:
    return Settings(
        aws=AwsSettings(endpoint_url=asg_api.url),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"scale_up": ["U_LEAD"]}),
        slack=slack_settings(fake_slack.api_url),
    )


@pytest.fixture
def services(settings: Settings) -> Services:
    return build_services(settings, load_model=False)


def audit(settings: Settings) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(settings.audit.dir.glob("audit-*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def scale_up(services: Services) -> str:
    assert services.remediation is not None
    call = actions.scale_up(group="web-asg", by=1, limits=services.tools.limits)
    return services.remediation.request(call, "U_ONCALL").id


def test_throttling_is_retried_with_backoff_until_it_goes_through(
    services: Services, settings: Settings, asg_api: AutoScalingApi
) -> None:
    request_id = scale_up(services)
    asg_api.script = ["Throttling", "Throttling"]
    assert services.remediation is not None

    done = services.remediation.approve(request_id, "U_LEAD")

    assert ApprovalState.SUCCEEDED == done.state
    assert (3, 3) == (asg_api.seen("SetDesiredCapacity"), asg_api.desired)
    assert ["requested", "approved", "executing", "succeeded"] == [e["event"] for e in audit(settings)]


@pytest.mark.parametrize(
    ("code", "attempts", "reason"),
    [
        ("Throttling", 4, "Throttling: Rate exceeded"),
        ("AccessDenied", 1, "AccessDenied: User: arn:aws:iam::123456789012:user/bot is not authorized"),
        ("ValidationError", 1, "ValidationError: AutoScalingGroup name not found"),
        # A server error may come after the change was made: not retried either.
        ("InternalFailure", 1, "InternalFailure: An internal error occurred"),
    ],
)
def test_an_aws_error_fails_the_request_with_its_reason_in_the_audit_log_and_in_slack(
    services: Services,
    settings: Settings,
    asg_api: AutoScalingApi,
    fake_slack: FakeSlackApi,
    code: str,
    attempts: int,
    reason: str,
) -> None:
    request_id = scale_up(services)
    asg_api.script = [code] * 5

    with serve_bot(settings, services) as bot:
        body, headers = block_action("approval_approve", request_id, user="U_LEAD")
        assert 200 == requests.post(f"{bot.url}/slack/events", data=body, headers=headers, timeout=30).status_code
        updated = fake_slack.wait_for("chat.update", timeout=60)

    assert attempts == asg_api.seen("SetDesiredCapacity")
    assert 2 == asg_api.desired
    last = audit(settings)[-1]
    assert ("failed", request_id) == (last["event"], last["request_id"])
    assert reason in last["error"]
    assert reason in updated[0].body["text"]
    assert "failed" in updated[0].body["text"]
