"""The bot's IAM policy is least privilege: exact document, tagged instances, own ARNs."""

from __future__ import annotations

from typing import Any

import pytest
from hcl_loader import resources


@pytest.fixture(scope="module")
def bot_statements(tf) -> dict[str, dict[str, Any]]:
    doc = resources(tf, "data")[("aws_iam_policy_document", "bot")]
    return {s["sid"]: s for s in doc["statement"]}


def test_bot_actions_are_exactly_the_allowed_set(bot_statements):
    actions = {a for s in bot_statements.values() for a in s["actions"]}

    assert {
        "ssm:SendCommand",
        "ssm:GetCommandInvocation",
        "autoscaling:SetDesiredCapacity",
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeScalingActivities",
        "logs:FilterLogEvents",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "kms:Decrypt",
    } == actions


def test_no_wildcard_actions(bot_statements):
    for sid, statement in bot_statements.items():
        assert not any("*" in a for a in statement["actions"]), sid


def test_send_command_only_with_run_shell_script(bot_statements):
    doc = bot_statements["RunShellScriptDocumentOnly"]

    assert doc["resources"] == ["arn:${local.partition}:ssm:${local.region}::document/AWS-RunShellScript"]


def test_send_command_only_to_tagged_instances(bot_statements):
    inst = bot_statements["SendCommandToFleetInstancesOnly"]
    condition = inst["condition"][0]

    assert inst["resources"][0].endswith(":instance/*")
    assert "StringEquals" == condition["test"]
    assert "ssm:resourceTag/${local.fleet_tag_key}" == condition["variable"]
    assert ["${var.name}"] == condition["values"]


def test_set_desired_capacity_only_on_the_app_group(bot_statements):
    assert ["${aws_autoscaling_group.this.arn}"] == bot_statements["ScaleAppGroupOnly"]["resources"]


def test_wildcard_resources_only_for_read_only_calls(bot_statements):
    for sid, statement in bot_statements.items():
        if "*" in statement["resources"]:
            assert all(a.split(":")[1].startswith(("Describe", "Get")) for a in statement["actions"]), sid
            assert "autoscaling:SetDesiredCapacity" not in statement["actions"]


def test_logs_only_on_the_app_log_group(bot_statements):
    for resource in bot_statements["ReadAppLogs"]["resources"]:
        assert resource.startswith("${aws_cloudwatch_log_group.app.arn}")


def test_parameters_only_under_the_product_path(bot_statements):
    for resource in bot_statements["ReadOwnParameters"]["resources"]:
        assert ":parameter${" in resource
        assert "local.ssm_path" in resource


def test_kms_decrypt_only_via_ssm(bot_statements):
    condition = bot_statements["DecryptOwnParametersViaSSM"]["condition"][0]

    assert "kms:ViaService" == condition["variable"]
    assert ["ssm.${local.region}.amazonaws.com"] == condition["values"]


def test_policies_come_from_policy_documents(tf):
    for (rtype, name), body in resources(tf).items():
        if rtype in {"aws_iam_role_policy", "aws_iam_policy"}:
            assert body["policy"].startswith("${data.aws_iam_policy_document."), name
