"""Named HTTP API tokens: each request is recorded as its token's caller; the single token keeps working."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.testclient import TestClient

from adapters.clock import ManualClock
from bot.config.secrets import secret_values
from bot.config.settings import AuditSettings, HttpSettings, RemediationSettings, Settings
from bot.http.api import api_routes, api_tokens, caller_of
from tests.unit.bot.simulated_services import START, simulated_cloud, simulated_services

HTTP = HttpSettings(api_token=SecretStr("single"), api_tokens={"ci": SecretStr("ci-token"), "ann": SecretStr("ann-t")})


@pytest.mark.parametrize(
    ("header", "caller"),
    [
        ("Bearer single", "api"),
        ("Bearer ci-token", "api:ci"),
        ("Bearer ann-t", "api:ann"),
        ("Bearer ci-token ", None),
        ("ci-token", None),
        ("", None),
    ],
)
def test_the_caller_is_the_name_of_the_token_presented(header: str, caller: str | None) -> None:
    assert caller == caller_of(header, api_tokens(HTTP))


def test_only_named_tokens_still_turn_the_api_on() -> None:
    assert ["api:ci"] == list(api_tokens(HttpSettings(api_tokens={"ci": SecretStr("x")})))
    assert {} == api_tokens(HttpSettings())


def test_named_tokens_are_redacted_like_every_secret(tmp_path: Path) -> None:
    values = secret_values(Settings(http=HTTP, audit=AuditSettings(dir=tmp_path)))

    assert {"single", "ci-token", "ann-t"} <= set(values)


def test_a_remediation_asked_with_a_named_token_is_requested_by_its_name(tmp_path: Path) -> None:
    settings = Settings(
        http=HttpSettings(api_tokens={"ci": SecretStr("ci-token")}),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD"]}),
    )
    services = simulated_services(settings, clock=ManualClock(START), cloud=simulated_cloud())

    with TestClient(Starlette(routes=api_routes(services))) as api:
        resp = api.post(
            "/query", json={"question": "scale web-asg up by 1"}, headers={"Authorization": "Bearer ci-token"}
        )

    assert 200 == resp.status_code
    [pending] = services.approvals.pending()
    assert "api:ci" == pending.requested_by
