"""Ansible content that can be checked without a host: inventory, role specs, routing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from ansible_vars import RECORDED_OUTPUTS, inventory_module
from hcl_loader import REPO_ROOT, TERRAFORM_DIR, load_module, named_blocks

ANSIBLE = REPO_ROOT / "ansible"
OUR_ROLES = ["grafana_provisioning", "smartcloudops_bot"]


def test_inventory_from_saved_terraform_outputs(capsys, monkeypatch):
    monkeypatch.setenv("SMARTCLOUDOPS_TF_OUTPUTS", str(RECORDED_OUTPUTS))

    assert 0 == inventory_module().main(["--list"])
    inventory = json.loads(capsys.readouterr().out)
    host = inventory["_meta"]["hostvars"]["smartcloudops-monitoring"]

    assert ["smartcloudops-monitoring"] == inventory["monitoring"]["hosts"]
    assert "198.51.100.7" == host["ansible_host"]
    assert "admin" == host["ansible_user"]
    assert "/smartcloudops/dev/" == host["tf_ssm_parameter_path"]
    assert host["tf_kms_key_arn"].startswith("arn:aws:kms:")
    assert "SmartCloudOpsFleet" == host["tf_fleet_tag_key"]


def test_inventory_through_session_manager_needs_no_ssh(capsys, monkeypatch):
    monkeypatch.setenv("SMARTCLOUDOPS_TF_OUTPUTS", str(RECORDED_OUTPUTS))
    monkeypatch.setenv("SMARTCLOUDOPS_CONNECTION", "ssm")
    monkeypatch.setenv("SMARTCLOUDOPS_SSM_BUCKET", "ops-ansible-transfer")

    assert 0 == inventory_module().main(["--list"])
    host = json.loads(capsys.readouterr().out)["_meta"]["hostvars"]["smartcloudops-monitoring"]

    assert "amazon.aws.aws_ssm" == host["ansible_connection"]
    assert "i-0123456789abcdef0" == host["ansible_host"] == host["ansible_aws_ssm_instance_id"]
    assert "eu-west-1" == host["ansible_aws_ssm_region"]
    assert "ops-ansible-transfer" == host["ansible_aws_ssm_bucket_name"]
    assert "ansible_user" not in host


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SMARTCLOUDOPS_CONNECTION": "ssm"}, "SMARTCLOUDOPS_SSM_BUCKET"),
        ({"SMARTCLOUDOPS_CONNECTION": "rsh"}, "ssh or ssm"),
    ],
)
def test_inventory_refuses_an_incomplete_connection_choice(environ, message, capsys, monkeypatch):
    monkeypatch.setenv("SMARTCLOUDOPS_TF_OUTPUTS", str(RECORDED_OUTPUTS))
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    assert 1 == inventory_module().main(["--list"])
    assert message in capsys.readouterr().err


def test_inventory_refuses_outputs_without_a_host(tmp_path: Path, monkeypatch, capsys):
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps({"region": {"value": "eu-west-1"}}))
    monkeypatch.setenv("SMARTCLOUDOPS_TF_OUTPUTS", str(saved))

    assert 1 == inventory_module().main(["--list"])
    err = capsys.readouterr().err
    assert "monitoring_public_ip" in err
    assert "kms_key_arn" in err


def test_inventory_reads_only_outputs_that_terraform_defines():
    outputs = set(named_blocks(load_module(TERRAFORM_DIR), "output"))
    module = inventory_module()

    assert module.REQUIRED_OUTPUTS <= outputs


@pytest.mark.parametrize("role", OUR_ROLES)
def test_role_defaults_match_argument_specs(role):
    defaults = yaml.safe_load((ANSIBLE / "roles" / role / "defaults" / "main.yml").read_text())
    spec = yaml.safe_load((ANSIBLE / "roles" / role / "meta" / "argument_specs.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]

    assert set(defaults) == set(options)
    for name, option in options.items():
        assert name.startswith(role + "_"), name
        assert option.get("description"), name
        assert option.get("type"), name


@pytest.mark.parametrize("role", OUR_ROLES)
def test_role_anatomy(role):
    base = ANSIBLE / "roles" / role
    for part in (
        "defaults/main.yml",
        "meta/main.yml",
        "meta/argument_specs.yml",
        "tasks/main.yml",
        "tasks/preflight.yml",
        "handlers/main.yml",
    ):
        assert (base / part).is_file(), part
    for handler in yaml.safe_load((base / "handlers" / "main.yml").read_text()):
        assert handler["listen"].startswith(role + "_"), handler["name"]


def test_ansible_alertmanager_receivers_match_the_canonical_config():
    canonical = yaml.safe_load((REPO_ROOT / "monitoring" / "alertmanager" / "alertmanager.yml").read_text())
    deployed = yaml.safe_load((ANSIBLE / "inventory" / "group_vars" / "monitoring" / "alertmanager.yml").read_text())

    def kinds(receivers, *, without=()):
        return {r["name"]: sorted(k for k in r if k.endswith("_configs") and k not in without) for r in receivers}

    # On AWS e-mail goes through the SNS topic's subscriptions, not SMTP, and the watchdog
    # may post to a heartbeat URL (smartcloudops_alert_heartbeat_url).
    assert kinds(canonical["receivers"], without={"email_configs"}) == kinds(
        deployed["alertmanager_receivers"], without={"webhook_configs"}
    )
    assert "alertmanager_smtp" not in deployed


def test_requirements_pin_the_collections():
    collections = {
        c["name"]: c["version"] for c in yaml.safe_load((ANSIBLE / "requirements.yml").read_text())["collections"]
    }

    assert {"prometheus.prometheus", "grafana.grafana", "amazon.aws"} <= set(collections)
    assert all(v[0].isdigit() for k, v in collections.items() if k != "community.general")
