"""The services reach every handler through the request context, lazy listeners included."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from slack_bolt import BoltRequest

from bot.services import Services
from bot.slack.middleware import SERVICES_KEY, attach_services, services_in


def test_the_middleware_puts_the_services_in_the_context_and_goes_on(services: Services) -> None:
    context: dict[str, Any] = {}
    went_on: list[bool] = []

    attach_services(services)(context=context, next=lambda: went_on.append(True))

    assert services is services_in(context)
    assert [True] == went_on


def test_a_context_without_services_is_refused() -> None:
    with pytest.raises(LookupError, match="attach_services"):
        services_in({})


def test_a_lazy_listener_gets_the_same_services(services: Services) -> None:
    """Bolt hands a lazy listener a deep copy of the request; the services in it must be the very same object."""
    request = BoltRequest(body={"type": "event_callback"}, context={SERVICES_KEY: services}, mode="socket_mode")

    lazy_request = copy.deepcopy(request.to_copyable())

    assert services is services_in(lazy_request.context)
