"""The duration rule grammar, table-driven: one case per line, hostile and malformed inputs included."""

from __future__ import annotations

import pytest

from detectors.rules.grammar import RuleSyntaxError, parse_rule
from detectors.rules.rule import Comparison, HostSelector, RuleAction
from domain.models import HostRef, MetricKind

VALID = [
    # text, metric, op, threshold, seconds, selector, action
    ("cpu > 90% for 3m", MetricKind.CPU, Comparison.GT, 90.0, 180, None, None),
    (
        "cpu > 90% for 3m then restart_service nginx",
        MetricKind.CPU,
        Comparison.GT,
        90.0,
        180,
        None,
        "restart_service nginx",
    ),
    (
        "memory >= 95% for 10m then scale_up web-asg by 1",
        MetricKind.MEMORY,
        Comparison.GE,
        95.0,
        600,
        None,
        "scale_up web-asg by 1",
    ),
    (
        "memory >= 95% for 10m then scale_up web-asg",
        MetricKind.MEMORY,
        Comparison.GE,
        95.0,
        600,
        None,
        "scale_up web-asg by 1",
    ),
    ("disk < 5 for 1h30m", MetricKind.DISK, Comparison.LT, 5.0, 5400, None, None),
    ("disk <= 5.5% for 90s on web-1", MetricKind.DISK, Comparison.LE, 5.5, 90, "web-1", None),
    ("load > 4 for 2m on web-*,db-1", MetricKind.LOAD, Comparison.GT, 4.0, 120, "web-*,db-1", None),
    ("up == 0 for 1m on 10.0.1.11:9100", MetricKind.UP, Comparison.EQ, 0.0, 60, "10.0.1.11:9100", None),
    ("network_in != 0 for 1d", MetricKind.NETWORK_IN, Comparison.NE, 0.0, 86400, None, None),
    (
        "disk_io > .5 for 5m then scale_to web-asg 0",
        MetricKind.DISK_IO,
        Comparison.GT,
        0.5,
        300,
        None,
        "scale_to web-asg 0",
    ),
    ("cpu>90%for 3m", MetricKind.CPU, Comparison.GT, 90.0, 180, None, None),
    ("  CPU  >  90%  FOR  3m  ", MetricKind.CPU, Comparison.GT, 90.0, 180, None, None),
    ("cpu > 0 for 1s", MetricKind.CPU, Comparison.GT, 0.0, 1, None, None),
    ("cpu > 100% for 7d", MetricKind.CPU, Comparison.GT, 100.0, 604800, None, None),
    ("load > -1 for 1m", MetricKind.LOAD, Comparison.GT, -1.0, 60, None, None),
    ("cpu > 90% for 1w", MetricKind.CPU, Comparison.GT, 90.0, 604800, None, None),
    ("cpu > 90% for 1d2h3m4s", MetricKind.CPU, Comparison.GT, 90.0, 93784, None, None),
    (
        "cpu > 90% for 3m on * then restart_service nginx@1",
        MetricKind.CPU,
        Comparison.GT,
        90.0,
        180,
        "*",
        "restart_service nginx@1",
    ),
]

INVALID = [
    # text, column, message fragment
    ("", 1, "empty rule"),
    ("   ", 4, "empty rule"),
    ("cpux > 90 for 3m", 1, "unknown metric 'cpux'"),
    ("90 > cpu for 3m", 1, "expected a metric name"),
    ("cpu 90 for 3m", 5, "expected a comparison"),
    ("cpu = 90 for 3m", 5, "expected a comparison"),
    ("cpu => 90 for 3m", 5, "expected a comparison"),
    ("cpu > for 3m", 7, "expected a number, found 'for'"),
    ("cpu > ninety for 3m", 7, "expected a number"),
    ("cpu > nan for 3m", 7, "expected a number"),
    ("cpu > inf for 3m", 7, "expected a number"),
    ("cpu > 1e5 for 3m", 8, "expected 'for'"),
    ("cpu > 900% for 3m", 7, "between 0 and 100"),
    ("cpu > -1 for 3m", 7, "between 0 and 100"),
    ("load > 4% for 3m", 9, "not a percentage"),
    ("cpu > 90% 3m", 11, "expected 'for'"),
    ("cpu > 90% form 3m", 11, "expected 'for'"),
    ("cpu > 90% for", 14, "expected a duration"),
    ("cpu > 90% for 3", 15, "expected a duration"),
    ("cpu > 90% for 3min", 15, "digits with units"),
    ("cpu > 90% for 3m5", 15, "digits with units"),
    ("cpu > 90% for m", 15, "expected a duration"),
    ("cpu > 90% for -3m", 15, "expected a duration"),
    ("cpu > 90% for 0m", 15, "longer than zero"),
    ("cpu > 90% for 8d", 15, "at most 7d"),
    ("cpu > 90% for 2w", 15, "at most 7d"),
    ("cpu > 90% for " + "9" * 30 + "d", 15, "at most 7d"),
    ("cpu > 90% for 3m on", 20, "expected a host name"),
    ("cpu > 90% for 3m on web-1,", 27, "after ','"),
    ('cpu > 90% for 3m on web"}', 24, "unexpected"),
    ("cpu > 90% for 3m on web-1 then", 31, "expected an action"),
    ("cpu > 90% for 3m then reboot now", 23, "unknown action 'reboot'"),
    ("cpu > 90% for 3m then restart_service", 38, "expected a service name"),
    ("cpu > 90% for 3m then restart_service nginx;rm -rf /", 44, "unexpected ';rm'"),
    ("cpu > 90% for 3m then restart_service $(reboot)", 39, "expected a service name"),
    ("cpu > 90% for 3m then scale_up", 31, "expected an Auto Scaling group name"),
    ("cpu > 90% for 3m then scale_up web-asg by 0", 43, "at least 1"),
    ("cpu > 90% for 3m then scale_up web-asg by two", 43, "expected a whole number"),
    ("cpu > 90% for 3m then scale_up web-asg by 9999999", 43, "too large"),
    ("cpu > 90% for 3m then scale_to web-asg", 39, "expected a whole number"),
    ("cpu > 90% for 3m then scale_to web-asg -1", 40, "expected a whole number"),
    ("cpu > 90% for 3m extra", 18, "unexpected 'extra'"),
    ("cpu > 90% for 3m then restart_service nginx then scale_up a", 45, "unexpected 'then'"),
    ("cpu > 90% for 3m\nthen restart_service nginx", 17, "control character"),
    ("cpu > 90\x00% for 3m", 9, "control character"),
    ("cpu > 90% for 3m on web‐1", 24, "unexpected"),
    ("x" * 501, 1, "at most 500 characters"),
    ("cpu > " + "9" * 400 + " for 3m", 7, "too large"),
]


@pytest.mark.parametrize(("text", "metric", "op", "threshold", "seconds", "selector", "action"), VALID)
def test_valid_rules_parse(
    text: str,
    metric: MetricKind,
    op: Comparison,
    threshold: float,
    seconds: int,
    selector: str | None,
    action: str | None,
) -> None:
    rule = parse_rule(text)

    assert (metric, op, threshold, seconds) == (rule.metric, rule.op, rule.threshold, rule.duration_seconds)
    assert selector == (str(rule.selector) if rule.selector else None)
    assert action == (str(rule.action) if rule.action else None)


@pytest.mark.parametrize(("text", "column", "fragment"), INVALID)
def test_malformed_rules_name_the_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(text)

    assert column == info.value.column
    assert fragment in info.value.message


@pytest.mark.parametrize("text", [case[0] for case in VALID])
def test_rendering_a_rule_parses_back_to_the_same_rule(text: str) -> None:
    rule = parse_rule(text)

    assert rule == parse_rule(str(rule))


def test_pointer_puts_a_caret_under_the_column() -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule("cpu > 90% for 3min")

    assert "cpu > 90% for 3min\n              ^" == info.value.pointer()


@pytest.mark.parametrize(
    ("patterns", "host", "matches"),
    [
        (("web-*",), HostRef(instance="10.0.1.11:9100", host="web-1"), True),
        (("web-*",), HostRef(instance="10.0.1.13:9100", host="db-1"), False),
        (("10.0.1.13:9100",), HostRef(instance="10.0.1.13:9100", host="db-1"), True),
        (("i-0abc*",), HostRef(instance="10.0.1.13:9100", instance_id="i-0abcdef12"), True),
        (("web.1",), HostRef(instance="web-1:9100", host="webx1"), False),
        (("db-1", "web-2"), HostRef(instance="x:9100", host="web-2"), True),
        (("web",), HostRef(instance="x:9100", host="web-1"), False),
    ],
)
def test_host_selector_matches_any_name_in_full(patterns: tuple[str, ...], host: HostRef, matches: bool) -> None:
    assert matches == HostSelector(patterns).matches(host)


def test_actions_carry_their_parameters() -> None:
    assert (
        RuleAction("scale_up", group="web-asg", amount=2)
        == parse_rule("cpu > 1 for 1m then scale_up web-asg by 2").action
    )
