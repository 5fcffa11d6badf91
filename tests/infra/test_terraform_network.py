"""Network and host-hardening facts of terraform/, read from the HCL itself."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hcl_loader import locals_, named_blocks, resources

ADMIN_ONLY_PORTS = {22}
ADMIN_AND_VPC_PORTS = {3000, 9090, 9100}
PUBLIC_PORTS = {80}
ANYWHERE = "0.0.0.0/0"


def _ingress_rules(tf: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: body for (rtype, name), body in resources(tf).items() if rtype == "aws_vpc_security_group_ingress_rule"
    }


def _sources(tf: dict[str, Any], rule: dict[str, Any]) -> set[str]:
    """Resolve a rule's cidr_ipv4 to the variable/literal expressions it can take."""
    cidr = rule["cidr_ipv4"]
    if cidr == "${each.value}":
        assert rule["for_each"] == "${local.admin_sources}", "for_each rules must iterate local.admin_sources"
        source_map = locals_(tf)["admin_sources"]
        return set(source_map.values())
    return {cidr}


def test_vpc_defaults_to_10_0_0_0_16(tf):
    variables = named_blocks(tf, "variable")
    vpc = resources(tf)[("aws_vpc", "this")]

    assert "10.0.0.0/16" == variables["vpc_cidr"]["default"]
    assert "${var.vpc_cidr}" == vpc["cidr_block"]


def test_two_public_subnets_in_two_zones_inside_the_vpc(tf):
    variables = named_blocks(tf, "variable")
    subnet = resources(tf)[("aws_subnet", "public")]
    vpc_net = ipaddress.ip_network(variables["vpc_cidr"]["default"])
    subnets = [ipaddress.ip_network(c) for c in variables["public_subnet_cidrs"]["default"]]

    assert 2 == subnet["count"]
    assert "${local.azs[count.index]}" == subnet["availability_zone"]
    assert 2 == len(subnets)
    assert all(s.subnet_of(vpc_net) for s in subnets)
    assert not subnets[0].overlaps(subnets[1])
    assert "slice(data.aws_availability_zones.available.names, 0, 2)" in locals_(tf)["azs"]


def test_internet_gateway_route_and_associations(tf):
    res = resources(tf)
    route = res[("aws_route", "public_internet")]
    assoc = res[("aws_route_table_association", "public")]

    assert ("aws_internet_gateway", "this") in res
    assert ANYWHERE == route["destination_cidr_block"]
    assert "${aws_internet_gateway.this.id}" == route["gateway_id"]
    assert 2 == assoc["count"]
    assert "${aws_route_table.public.id}" == assoc["route_table_id"]


def test_no_inline_security_group_rules(tf):
    """All rules are separate resources, so the checks below see every one."""
    for (rtype, name), body in resources(tf).items():
        if rtype == "aws_security_group":
            assert "ingress" not in body, name
            assert "egress" not in body, name
    assert not [k for k in resources(tf) if k[0] == "aws_security_group_rule"]


def test_admin_sources_are_only_admin_cidr_and_vpc(tf):
    assert {"admin": "${var.admin_cidr}", "vpc": "${var.vpc_cidr}"} == locals_(tf)["admin_sources"]


@pytest.mark.parametrize("port", sorted(ADMIN_ONLY_PORTS))
def test_admin_only_ports_open_to_admin_cidr_alone(tf, port):
    rules = [r for r in _ingress_rules(tf).values() if r["from_port"] <= port <= r["to_port"]]

    assert rules, f"no rule opens {port}"
    for rule in rules:
        assert {"${var.admin_cidr}"} == _sources(tf, rule)


@pytest.mark.parametrize("port", sorted(ADMIN_AND_VPC_PORTS))
def test_monitoring_ports_open_to_admin_and_vpc_only(tf, port):
    rules = [r for r in _ingress_rules(tf).values() if r["from_port"] <= port <= r["to_port"]]

    assert rules, f"no rule opens {port}"
    for rule in rules:
        assert _sources(tf, rule) <= {"${var.admin_cidr}", "${var.vpc_cidr}"}


def test_only_port_80_is_open_to_the_internet(tf):
    for name, rule in _ingress_rules(tf).items():
        if ANYWHERE in _sources(tf, rule):
            assert (rule["from_port"], rule["to_port"]) == (80, 80), name
            assert "${aws_security_group.app.id}" == rule["security_group_id"], name


def test_every_ingress_rule_is_single_port_tcp_with_description(tf):
    for name, rule in _ingress_rules(tf).items():
        assert "tcp" == rule["ip_protocol"], name
        assert rule["from_port"] == rule["to_port"], name
        assert rule["from_port"] in ADMIN_ONLY_PORTS | ADMIN_AND_VPC_PORTS | PUBLIC_PORTS, name
        assert rule.get("description"), name


def test_no_ipv6_anywhere_rules(tf):
    for (rtype, name), rule in resources(tf).items():
        if rtype.startswith("aws_vpc_security_group_"):
            assert "cidr_ipv6" not in rule, name


def test_internet_egress_is_limited_to_https(tf):
    """E-mail alerts go through SNS subscriptions, so no host needs SMTP."""
    for (rtype, name), rule in resources(tf).items():
        if rtype == "aws_vpc_security_group_egress_rule" and rule.get("cidr_ipv4") == ANYWHERE:
            assert rule["ip_protocol"] == "tcp", name
            assert (rule["from_port"], rule["to_port"]) == (443, 443), name


def test_ssh_rules_exist_only_while_ssh_is_enabled(tf):
    ssh = [r for r in _ingress_rules(tf).values() if r["from_port"] == 22]
    variable = named_blocks(tf, "variable")["ssh_enabled"]

    assert 2 == len(ssh)
    assert all("${var.ssh_enabled ? 1 : 0}" == r["count"] for r in ssh)
    assert "bool" == variable["type"]


def test_admin_cidr_is_required_and_refuses_anywhere(tf):
    admin = named_blocks(tf, "variable")["admin_cidr"]

    assert "default" not in admin
    condition = admin["validation"][0]["condition"]
    assert "cidrhost(var.admin_cidr, 0)" in condition
    assert ">= 8" in condition


def test_cidr_and_instance_type_variables_are_validated(tf):
    variables = named_blocks(tf, "variable")
    for name in ("vpc_cidr", "public_subnet_cidrs", "admin_cidr", "monitoring_instance_type", "app_instance_type"):
        assert variables[name].get("validation"), name


def test_every_variable_has_description_and_type(tf):
    for name, body in named_blocks(tf, "variable").items():
        assert body.get("description"), name
        assert body.get("type"), name


def test_every_output_has_description(tf):
    for name, body in named_blocks(tf, "output").items():
        assert body.get("description"), name


def _metadata(body: dict[str, Any]) -> dict[str, Any]:
    return body["metadata_options"][0]


def test_imdsv2_required_everywhere(tf):
    res = resources(tf)
    for key in (("aws_instance", "this"), ("aws_launch_template", "this")):
        meta = _metadata(res[key])
        assert "required" == meta["http_tokens"], key
        assert 1 == meta["http_put_response_hop_limit"], key


def test_root_volumes_encrypted(tf):
    res = resources(tf)
    instance_root = res[("aws_instance", "this")]["root_block_device"][0]
    template_ebs = res[("aws_launch_template", "this")]["block_device_mappings"][0]["ebs"][0]

    assert instance_root["encrypted"] is True
    assert template_ebs["encrypted"] is True


def test_autoscaling_group_uses_the_launch_template_in_both_subnets(tf):
    asg = resources(tf)[("aws_autoscaling_group", "this")]

    assert "${aws_launch_template.this.id}" == asg["launch_template"][0]["id"]
    assert "${aws_subnet.public[*].id}" == asg["vpc_zone_identifier"]
    assert "desired_capacity" in asg["lifecycle"][0]["ignore_changes"][0]


def test_ssm_parameters_are_securestring_with_values_out_of_band(tf):
    param = resources(tf)[("aws_ssm_parameter", "secrets")]
    names = named_blocks(tf, "variable")["secret_names"]["default"]

    assert "SecureString" == param["type"]
    assert "${aws_kms_key.this.arn}" == param["key_id"]
    assert "value" in param["lifecycle"][0]["ignore_changes"][0]
    assert {"slack_bot_token", "slack_app_token", "slack_signing_secret", "llm_api_key"} <= set(names)


def test_log_group_has_retention(tf):
    group = resources(tf)[("aws_cloudwatch_log_group", "app")]

    assert "${var.log_retention_days}" == group["retention_in_days"]
    assert group["kms_key_id"]


def test_resources_carry_merged_tags(tf):
    taggable = {
        "aws_vpc",
        "aws_subnet",
        "aws_instance",
        "aws_launch_template",
        "aws_security_group",
        "aws_iam_role",
        "aws_kms_key",
        "aws_ssm_parameter",
        "aws_cloudwatch_log_group",
        "aws_sns_topic",
    }
    for (rtype, name), body in resources(tf).items():
        if rtype in taggable:
            assert "local.tags" in str(body.get("tags")), (rtype, name)


def test_versions_pinned(tf):
    terraform_block = tf["terraform"][0]
    aws = terraform_block["required_providers"][0]["aws"]

    assert terraform_block["required_version"].startswith(">= 1.6")
    assert "hashicorp/aws" == aws["source"]
    assert "~> 5.0" == aws["version"]


def test_each_host_gets_the_ami_of_its_instance_types_architecture(tf):
    data = resources(tf, "data")
    ami = data[("aws_ssm_parameter", "ami")]
    compute = resources(tf)

    assert "${var.monitoring_instance_type}" == data[("aws_ec2_instance_type", "this")]["for_each"]["monitoring"]
    assert "${var.app_instance_type}" == data[("aws_ec2_instance_type", "this")]["for_each"]["app"]
    assert 'contains(each.value.supported_architectures, "arm64") ? "arm64" : "amd64"' in ami["name"]
    assert named_blocks(tf, "variable")["ami_ssm_parameter"]["default"] is None
    assert '${data.aws_ssm_parameter.ami["monitoring"].value}' == compute[("aws_instance", "this")]["ami"]
    assert '${data.aws_ssm_parameter.ami["app"].value}' == compute[("aws_launch_template", "this")]["image_id"]
