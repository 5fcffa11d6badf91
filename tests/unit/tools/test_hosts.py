"""Host resolution from what users type to the series' labels."""

from __future__ import annotations

import pytest

from domain.errors import UnknownHost
from domain.hosts import find_host_mentions, resolve_host
from domain.models import HostRef

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


def test_an_unknown_host_lists_close_matches() -> None:
    with pytest.raises(UnknownHost) as caught:
        resolve_host("web-2", REFS)

    assert "web-2" == caught.value.host
    assert "web-1" in caught.value.close_matches


def test_mentions_are_found_in_order_without_repeats() -> None:
    words = ["is", "db-1,", "slower", "than", "web-1?", "db-1"]

    assert [REFS[1], REFS[0]] == find_host_mentions(words, REFS)
