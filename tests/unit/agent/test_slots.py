"""Slot extraction, one case per line: what a question names, read from the person's words."""

from __future__ import annotations

from typing import Any

import pytest

from agent.remediation_slots import remediation_in, restart_there
from agent.slots import count_in, for_model, host_in, logs_since, metric_in, moment_in, since_in, top_n
from domain.errors import InputError
from domain.models import HostRef, MetricKind

HOSTS = [
    HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0aaaaaaaaaaaaaaa1"),
    HostRef(instance="10.0.1.12:9100", host="web-2"),
    HostRef(instance="10.0.1.13:9100", host="db-1"),
]


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("cpu on web-1", "web-1"),
        ("ram on 10.0.1.13", "db-1"),
        ("disk of i-0aaaaaaaaaaaaaaa1", "web-1"),
        ("cpu on cache-7", "cache-7"),
        ("how busy is web1", "web1"),
        ("how busy is the fleet", None),
        ("scale web-asg to 3", None),
    ],
)
def test_a_host_is_matched_exactly_then_by_shape_then_as_a_near_miss(text: str, host: str | None) -> None:
    assert host == host_in(text, HOSTS)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("How busy is web-1?", "how busy is hostx"),
        ("cpu on web1 and db-1", "cpu on hostx and hostx"),
        ("memory of 10.0.1.12:9100 now", "memory of hostx now"),
        ("disk on cache-3", "disk on hostx"),
        ("add 2 instances to web-asg", "add 2 instances to web-asg"),
    ],
)
def test_the_model_reads_hosts_as_one_placeholder(text: str, read: str) -> None:
    assert read == for_model(text, HOSTS)


@pytest.mark.parametrize(
    ("text", "since", "moment"),
    [
        ("over the last 2 hours", "2h", None),
        ("in the past hour", "1h", None),
        ("any anomalies today", "24h", None),
        ("memory 30 minutes ago", "30m", "30m ago"),
        ("cpu yesterday at 9am", None, "yesterday at 09:00"),
        ("cpu web-1 since 9am", "since 9am", None),
        ("memory on db-1 between 10:00 and 12:00", "between 10:00 and 12:00", None),
        ("cpu on web-1 from 9 to 10", "from 9 to 10", None),
        ("what broke overnight", "overnight", None),
        ("what broke last night", "last night", None),
        ("show logs since yesterday", "since yesterday", None),
        ("cpu above 90 since 2 hours", "2h", None),
    ],
)
def test_windows_and_times_come_from_the_one_duration_parser(text: str, since: str | None, moment: str | None) -> None:
    assert (since, moment) == (since_in(text), moment_in(text))


@pytest.mark.parametrize(
    ("text", "count", "n"),
    [
        ("the last 3 anomalies", 3, 5),
        ("5 most recent incidents", 5, 5),
        ("top 3 hosts by cpu", 3, 3),
        ("the three busiest boxes", None, 3),
        ("incidents of the last 7 days", None, 5),
        ("top 80 hosts", 50, 50),
    ],
)
def test_counts_are_bounded(text: str, count: int | None, n: int) -> None:
    assert (count, n) == (count_in(text), top_n(text))


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("restart nginx on web-1", {"action": "restart_service", "service": "nginx", "host": "web-1"}),
        ("reboot the nginx service on web-2", {"action": "restart_service", "service": "nginx", "host": "web-2"}),
        ("scale web-asg to 4", {"action": "scale_to", "group": "web-asg", "desired": 4}),
        ("add two instances to web-asg", {"action": "scale_up", "group": "web-asg", "by": 2}),
        ("scale up web-asg", {"action": "scale_up", "group": "web-asg", "by": 1}),
        ("scale web-asg up to 6", {"action": "scale_to", "group": "web-asg", "desired": 6}),
        ("scale web-asg down to 2", {"action": "scale_to", "group": "web-asg", "desired": 2}),
        ("scale out web-asg by 2", {"action": "scale_up", "group": "web-asg", "by": 2}),
        ("scale web-asg out", {"action": "scale_up", "group": "web-asg", "by": 1}),
        ("add 2 nodes to the web-asg", {"action": "scale_up", "group": "web-asg", "by": 2}),
        ("add two more servers to web-asg", {"action": "scale_up", "group": "web-asg", "by": 2}),
        ("increase web-asg to 6", {"action": "scale_to", "group": "web-asg", "desired": 6}),
        ("bump web-asg by 2", {"action": "scale_up", "group": "web-asg", "by": 2}),
        ("increase web by 2 instances", {"action": "scale_up", "group": "web", "by": 2}),
        ("set the desired capacity of web-asg to 6", {"action": "scale_to", "group": "web-asg", "desired": 6}),
        ("set web-asg desired capacity to 6", {"action": "scale_to", "group": "web-asg", "desired": 6}),
        ("change web size to 3", {"action": "scale_to", "group": "web", "desired": 3}),
        ("resize web to 5", {"action": "scale_to", "group": "web", "desired": 5}),
        ("restart web-1's nginx", {"action": "restart_service", "service": "nginx", "host": "web-1"}),
        ("nginx on web-1 needs a restart", {"action": "restart_service", "service": "nginx", "host": "web-1"}),
        ("give web-asg two more instances", {"action": "scale_up", "group": "web-asg", "by": 2}),
        ("set web-asg to 3 instances", {"action": "scale_to", "group": "web-asg", "desired": 3}),
        ("set the threshold to 90", None),
        ("scale up to 6", None),
        ("scale it to 4", None),
        ("increase logging to 3", None),
        ("increase web by 2", None),
        ("raise the cpu alert to 95", None),
        ("increase web-asg to 2.5", None),
        ("reboot db-1", None),
        ("restart nginx on that box", None),
        ("bounce it", None),
    ],
)
def test_a_remediation_parses_only_with_its_action_target_and_amount(text: str, args: dict[str, Any] | None) -> None:
    assert args == remediation_in(text)


def test_a_restart_there_needs_a_host_in_the_thread() -> None:
    assert {"action": "restart_service", "service": "redis", "host": "db-1"} == restart_there(
        "restart redis on that box", "db-1"
    )
    assert restart_there("restart redis there", None) is None


@pytest.mark.parametrize(
    ("text", "since"),
    [
        ("logs around 14:05", "between 13:50 and 14:20"),
        ("logs at 2pm", "between 13:45 and 14:15"),
        ("errors around 00:05", "between 23:50 and 00:20"),
        ("logs from web-1 at 14:05 yesterday", "yesterday"),
        ("logs at 12am", "between 23:45 and 00:15"),
        ("logs at 3", None),
        ("logs between 10:00 and 10:30 around 10:15", "between 10:00 and 10:30"),
        ("logs from 10 minutes ago", "10 minutes ago"),
    ],
)
def test_a_logs_window_around_a_time_of_day_is_the_quarter_hours_either_side(text: str, since: str | None) -> None:
    assert since == logs_since(text)


@pytest.mark.parametrize("text", ["cpu at 25:00", "memory on web-1 at 13pm", "load yesterday at 30"])
def test_a_time_of_day_that_cannot_be_right_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="is not a time of day"):
        moment_in(text)
    with pytest.raises(InputError, match="is not a time of day"):
        logs_since(f"logs {text}")


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("netwrok in on web-1", MetricKind.NETWORK_IN),
        ("netwrok out on web-1", MetricKind.NETWORK_OUT),
        ("memeory on db-1", MetricKind.MEMORY),
        ("dsk usage on db-1", MetricKind.DISK),
        ("how busy is web-1", None),
        ("show logs for web-1", None),
        ("is db-1 up", None),
    ],
)
def test_a_metric_one_slip_from_its_name_is_that_metric(text: str, metric: MetricKind | None) -> None:
    assert metric == metric_in(text)
