"""docs/deploy.md followed as far as this machine allows: Terraform outputs → inventory → variables → rendered files.

The recorded ``terraform output -json`` of examples/minimal (fixtures/minimal-outputs.json)
must match what the example exports and what the inventory script needs, so the three
cannot drift apart; the inventory built from it then feeds the same variables Ansible
would use to render the bot's environment file and the monitoring roles' inputs.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest
import yaml
from ansible_vars import (
    ANSIBLE_DIR,
    RECORDED_OUTPUTS,
    AnsibleVars,
    group_vars,
    inventory_module,
    load_yaml,
    role_defaults,
    role_vars,
)
from hcl_loader import REPO_ROOT, TERRAFORM_DIR, load_module, named_blocks

MINIMAL = TERRAFORM_DIR / "examples" / "minimal"
BOT_ROLE = ANSIBLE_DIR / "roles" / "smartcloudops_bot"
LOCAL_EXAMPLE = ANSIBLE_DIR / "inventory" / "group_vars" / "monitoring" / "local.yml.example"


def recorded_outputs() -> dict[str, Any]:
    return json.loads(RECORDED_OUTPUTS.read_text())


def monitoring_hostvars() -> dict[str, Any]:
    """Host variables of the monitoring host, from the recorded outputs, as Ansible receives them."""
    module = inventory_module()
    outputs = {name: item["value"] for name, item in recorded_outputs().items()}
    inventory = module.build_inventory(outputs, {})
    return inventory["_meta"]["hostvars"][module.HOSTNAME]


def parse_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (comments skipped, quotes removed)."""
    env = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.partition("=")
        env[key] = "".join(shlex.split(value)) if value else ""
    return env


def test_the_recorded_outputs_are_what_the_minimal_example_exports():
    exported = set(named_blocks(load_module(MINIMAL), "output"))

    assert exported == set(recorded_outputs())


def test_the_minimal_example_exports_every_output_the_inventory_needs():
    exported = set(named_blocks(load_module(MINIMAL), "output"))

    assert inventory_module().REQUIRED_OUTPUTS <= exported


def test_the_minimal_example_passes_through_outputs_the_module_defines():
    module_outputs = set(named_blocks(load_module(TERRAFORM_DIR), "output"))
    for name, block in named_blocks(load_module(MINIMAL), "output").items():
        assert block["value"] == f"${{module.smartcloudops.{name}}}", name
        assert name in module_outputs, name


def test_the_recorded_outputs_have_terraform_output_json_shape():
    for name, item in recorded_outputs().items():
        assert set(item) == {"sensitive", "type", "value"}, name
        assert item["value"] is not None, name


def test_deploy_md_reads_only_outputs_the_example_exports():
    text = (REPO_ROOT / "docs" / "deploy.md").read_text()
    used = set(re.findall(r"terraform(?: -chdir=\S+)? output -raw ([a-z_]+)", text))
    exported = set(named_blocks(load_module(MINIMAL), "output"))

    assert used
    assert used <= exported


def test_every_monitoring_group_var_resolves_without_role_defaults():
    """The monitoring play loads no role of ours, so group vars may only use inventory and group vars."""
    variables = AnsibleVars(group_vars(), monitoring_hostvars())

    for name in group_vars():
        variables[name]


def test_prometheus_scrapes_the_bot_only_when_it_serves_http():
    def jobs(mode: str) -> list[str]:
        variables = AnsibleVars(group_vars(), monitoring_hostvars(), {"smartcloudops_bot_mode": mode})
        return [job["job_name"] for job in variables["prometheus_scrape_configs"]]

    assert "smartcloudops" in jobs("http")
    assert "smartcloudops" not in jobs("socket")


def bot_variables() -> AnsibleVars:
    return AnsibleVars(
        role_defaults("smartcloudops_bot"), group_vars(), monitoring_hostvars(), role_vars("smartcloudops_bot")
    )


def rendered_bot_env() -> dict[str, str]:
    return parse_env_file(bot_variables().render_file(BOT_ROLE / "templates" / "smartcloudops.env.j2"))


def test_the_deployed_bot_can_act_search_logs_and_be_approved():
    env = rendered_bot_env()
    outputs = recorded_outputs()

    assert "true" == env["SCO_AWS__ENABLED"]
    assert outputs["region"]["value"] == env["SCO_AWS__REGION"]
    assert outputs["app_log_group_name"]["value"] == env["SCO_LOGS__CLOUDWATCH_GROUP"]
    assert outputs["ssm_parameter_path"]["value"] == env["SCO_SECRETS__SSM_PATH"]
    approvers = json.loads(env["SCO_REMEDIATION__APPROVERS"])
    assert approvers == load_yaml(LOCAL_EXAMPLE)["smartcloudops_bot_approvers"]
    assert any(approvers.values())


def test_the_env_file_holds_no_secret():
    env = rendered_bot_env()

    named_like_secrets = [key for key in env if re.search(r"TOKEN|SECRET|PASSWORD|API_KEY", key)]

    assert ["SCO_SECRETS__SSM_PATH"] == named_like_secrets


def test_the_bot_runs_in_socket_mode_on_aws_by_default():
    variables = bot_variables()
    unit = variables.render_file(BOT_ROLE / "templates" / "smartcloudops.service.j2")

    assert "smartcloudops serve --socket" in unit


@pytest.mark.parametrize("directory", ["smartcloudops_bot_audit_dir", "smartcloudops_bot_state_dir"])
def test_the_unit_may_write_the_directories_the_env_file_names(directory):
    variables = bot_variables()
    unit = variables.render_file(BOT_ROLE / "templates" / "smartcloudops.service.j2")
    writable = re.search(r"^ReadWritePaths=(.*)$", unit, re.MULTILINE).group(1).split()

    assert variables[directory] in writable


def test_the_preflight_knows_every_action_the_product_has():
    source = (REPO_ROOT / "remediation" / "actions.py").read_text()
    enum = re.search(r"class ActionName\(StrEnum\):(.*?)\n\n\n", source, re.DOTALL).group(1)
    actions = re.findall(r'^\s+[A-Z_]+ = "([a-z_]+)"$', enum, re.MULTILINE)

    assert actions
    assert {"*", *actions} == set(role_vars("smartcloudops_bot")["_smartcloudops_bot_approver_keys"])


def test_ci_checks_rules_with_the_promtool_and_amtool_of_the_deployed_versions():
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "infra.yml").read_text())
    steps = workflow["jobs"]["infra-check"]["steps"]
    pinned = next(step["env"] for step in steps if "promtool" in step.get("name", ""))
    deployed = group_vars()

    assert deployed["prometheus_version"] == pinned["PROMETHEUS_VERSION"]
    assert deployed["alertmanager_version"] == pinned["ALERTMANAGER_VERSION"]


def test_ci_check_runs_site_yml_with_the_real_collections_and_the_recorded_outputs():
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "infra.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["infra-check"]["steps"]]
    makefile = (REPO_ROOT / "mk" / "infra.mk").read_text()
    install = "ansible-galaxy collection install -r ansible/requirements.yml -p ansible/collections"

    assert any(install in r for r in runs)
    assert any("make -f mk/infra.mk infra-check" in r for r in runs)
    assert "playbooks/site.yml --check" in makefile
    assert "tests/infra/fixtures/minimal-outputs.json" in makefile
