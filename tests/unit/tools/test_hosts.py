"""Host resolution from what users type to the series' labels."""

from __future__ import annotations

import pytest

from adapters.prometheus.hosts import match_host_label
from domain.errors import InputError, UnknownHost
from domain.hosts import find_host_mentions, resolve_host
from domain.models import HostRef

VALUES = {
    "host": ["web-1", "web-12", "db-1"],
    "instance_id": ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002", "i-0a1b2c3d4e5f60003"],
    "instance": ["10.0.1.11:9100", "10.0.1.12:9100", "10.0.1.13:9100", "127.0.0.1:9100"],
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("web-1", ("host", "web-1")),
        ("WEB-1", ("host", "web-1")),
        ("  db-1 ", ("host", "db-1")),
        ("web-1:9100", ("host", "web-1")),
        ("10.0.1.12", ("instance", "10.0.1.12:9100")),
        ("10.0.1.12:9100", ("instance", "10.0.1.12:9100")),
        ("127.0.0.1:9100", ("instance", "127.0.0.1:9100")),
        ("i-0a1b2c3d4e5f60002", ("instance_id", "i-0a1b2c3d4e5f60002")),
        ("I-0A1B2C3D4E5F60002", ("instance_id", "i-0a1b2c3d4e5f60002")),
    ],
)
def test_names_users_type_resolve_to_one_label_value(name: str, expected: tuple[str, str]) -> None:
    assert expected == match_host_label(name, VALUES)


def test_an_unknown_host_lists_close_matches() -> None:
    with pytest.raises(UnknownHost) as caught:
        match_host_label("web-13", VALUES)

    assert "web-13" == caught.value.host
    assert "web-1" in caught.value.close_matches
    assert "web-12" in caught.value.close_matches


def test_an_unknown_host_with_nothing_close_has_no_suggestions() -> None:
    with pytest.raises(UnknownHost) as caught:
        match_host_label("zzzzzz", VALUES)

    assert () == caught.value.close_matches


@pytest.mark.parametrize("name", ['web-1"} or vector(1) #', "web-1\nup", "web.*", "x" * 10_000])
def test_hostile_names_are_input_errors(name: str) -> None:
    with pytest.raises(InputError):
        match_host_label(name, VALUES)


REFS = [
    HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0a1"),
    HostRef(instance="10.0.1.12:9100", host="db-1", instance_id="i-0a2"),
    HostRef(instance="127.0.0.1:9100"),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("web-1", REFS[0]), ("10.0.1.12", REFS[1]), ("i-0a2", REFS[1]), ("127.0.0.1", REFS[2])],
)
def test_resolve_host_among_known_refs(name: str, expected: HostRef) -> None:
    assert expected == resolve_host(name, REFS)


def test_mentions_are_found_in_order_without_repeats() -> None:
    words = ["is", "db-1,", "slower", "than", "web-1?", "db-1"]

    assert [REFS[1], REFS[0]] == find_host_mentions(words, REFS)
