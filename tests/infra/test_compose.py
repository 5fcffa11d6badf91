"""docker-compose.yml and the Dockerfile, checked without a container engine.

`docker compose config` (or docker-compose v1) validates the schema in mk/infra.mk;
here every file a service mounts must exist and be valid for the program reading it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hcl_loader import REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
REQUIRED = {"bot", "fleet-simulator", "prometheus", "node-exporter", "alertmanager", "grafana", "redis"}


def _bind_mounts(service: dict[str, Any]) -> list[tuple[Path, str]]:
    mounts = []
    for volume in service.get("volumes", []):
        volume = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", volume)  # the default of ${VAR:-default}
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            mounts.append(((REPO_ROOT / source).resolve(), target))
    return mounts


def _mount_source(service: str, target: str) -> Path:
    return next(src for src, dst in _bind_mounts(SERVICES[service]) if dst == target)


def test_all_services_present():
    assert REQUIRED <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_bind_mounted_files_exist(name):
    for source, _ in _bind_mounts(SERVICES[name]):
        assert source.exists(), f"{name} mounts missing {source}"


def test_published_ports_bind_to_loopback_only():
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), name


def test_images_are_pinned():
    for name, service in SERVICES.items():
        image = service.get("image", "")
        if "build" not in service:
            assert re.search(r":[\w.-]+$", image), name
            assert not image.endswith(":latest"), name


def test_bot_and_simulator_listen_on_all_container_interfaces():
    bot_env = dict(e.split("=", 1) for e in SERVICES["bot"]["environment"] if "=" in e)

    assert "0.0.0.0" == bot_env["SCO_HTTP__HOST"]  # noqa: S104 -- inside the container, by design
    assert ["serve", "--http"] == SERVICES["bot"]["command"]
    simulate = SERVICES["fleet-simulator"]["command"]
    assert "simulate" == simulate[0]
    assert "0.0.0.0" == simulate[simulate.index("--host") + 1]  # noqa: S104 -- inside the container, by design


def test_prometheus_config_is_valid_and_scrapes_compose_services(tmp_path: Path):
    config_path = _mount_source("prometheus", "/etc/prometheus/prometheus.yml")
    rules_dir = _mount_source("prometheus", "/etc/prometheus/rules")
    config = yaml.safe_load(config_path.read_text())
    config["rule_files"] = [str(rules_dir / "*.yml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    promtool = shutil.which("promtool")
    assert promtool

    result = subprocess.run(  # noqa: S603 -- fixed argv from shutil.which
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True, check=False
    )

    assert 0 == result.returncode, result.stdout + result.stderr
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert {"node", "fleet", "smartcloudops"} <= set(jobs)
    assert jobs["fleet"]["honor_labels"] is True
    for job in jobs.values():
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host = target.split(":")[0]
                assert host == "localhost" or host in SERVICES, target
    for manager in config["alerting"]["alertmanagers"]:
        for target in manager["static_configs"][0]["targets"]:
            assert target.split(":")[0] in SERVICES


def test_alertmanager_config_is_valid():
    amtool = shutil.which("amtool")
    assert amtool, "amtool missing: apt-get install prometheus-alertmanager"
    config = _mount_source("alertmanager", "/etc/alertmanager/alertmanager.yml")

    result = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True, check=False)  # noqa: S603 -- fixed argv from shutil.which

    assert 0 == result.returncode, result.stdout + result.stderr
    secrets = _mount_source("alertmanager", "/etc/alertmanager/secrets")
    for receiver in yaml.safe_load(config.read_text())["receivers"]:
        for slack in receiver.get("slack_configs", []):
            assert (secrets / Path(slack["api_url_file"]).name).is_file()


def test_grafana_provisioning_points_at_the_mounted_dashboards():
    datasources = yaml.safe_load(
        (_mount_source("grafana", "/etc/grafana/provisioning/datasources") / "prometheus.yml").read_text()
    )
    providers = yaml.safe_load(
        (_mount_source("grafana", "/etc/grafana/provisioning/dashboards") / "smartcloudops.yml").read_text()
    )
    dashboards_target = next(
        dst for _, dst in _bind_mounts(SERVICES["grafana"]) if "dashboards" in dst and "provisioning" not in dst
    )

    assert 1 == datasources["apiVersion"]
    assert 1 == providers["apiVersion"]
    assert "http://prometheus:9090" == next(d["url"] for d in datasources["datasources"] if d["type"] == "prometheus")
    assert dashboards_target == providers["providers"][0]["options"]["path"]
    assert list(_mount_source("grafana", dashboards_target).glob("*.json"))


def test_services_with_healthchecks_gate_their_dependants():
    for name, service in SERVICES.items():
        for dependency, spec in service.get("depends_on", {}).items():
            assert dependency in SERVICES, name
            if spec.get("condition") == "service_healthy":
                assert "healthcheck" in SERVICES[dependency] or dependency in {"bot"}, dependency


class TestDockerfile:
    text = (REPO_ROOT / "Dockerfile").read_text()

    def test_multi_stage(self):
        assert 2 <= len(re.findall(r"^FROM ", self.text, flags=re.M))

    def test_locked_dependencies_installed_before_the_code_is_copied(self):
        deps = self.text.index("uv sync --frozen --no-dev --no-install-project")
        code = self.text.index("COPY . .")

        assert self.text.index("COPY pyproject.toml uv.lock ./") < deps < code

    def test_runs_unbuffered_as_non_root_with_healthz(self):
        users = re.findall(r"^USER (\S+)", self.text, flags=re.M)

        assert "PYTHONUNBUFFERED=1" in self.text
        assert users
        assert users[-1].split(":")[0] not in {"root", "0"}
        assert "/healthz" in self.text.split("HEALTHCHECK", 1)[1]

    def test_dockerignore_keeps_secrets_and_state_out(self):
        ignored = (REPO_ROOT / ".dockerignore").read_text().split()

        assert {".git", ".env", "*.tfstate", ".venv"} <= set(ignored)


def test_a_plain_up_starts_everything_but_the_slack_bot():
    """`serve` needs Slack credentials; without the profile the rest of the stack runs on its own."""
    default = {name for name, service in SERVICES.items() if not service.get("profiles")}

    assert ["slack"] == SERVICES["bot"]["profiles"]
    assert set(SERVICES) - {"bot"} == default
    for name in default:
        assert "bot" not in SERVICES[name].get("depends_on", {}), name


@pytest.mark.parametrize(
    ("service", "group_vars_file", "variable"),
    [
        ("prometheus", "prometheus.yml", "prometheus_version"),
        ("alertmanager", "alertmanager.yml", "alertmanager_version"),
        ("node-exporter", "node_exporter.yml", "node_exporter_version"),
        ("grafana", "grafana.yml", "grafana_version"),
    ],
)
def test_compose_runs_the_versions_ansible_deploys_on_aws(service, group_vars_file, variable):
    deployed = yaml.safe_load(
        (REPO_ROOT / "ansible" / "inventory" / "group_vars" / "monitoring" / group_vars_file).read_text()
    )[variable]

    assert SERVICES[service]["image"].rsplit(":", 1)[1].removeprefix("v") == deployed
