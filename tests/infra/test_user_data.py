"""The boot script of every host: rendered like templatefile() does, then checked as a shell script."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
from hcl_loader import TERRAFORM_DIR, resources

TEMPLATE = TERRAFORM_DIR / "templates" / "user_data.sh.tftpl"
_DIRECTIVE = re.compile(r"%\{ *(if (\w+)|endif) *~?\}\n?")


def render(variables: dict[str, Any]) -> str:
    """templatefile() for what this template uses: ${name}, $${...} escapes, one level of %{ if name }."""
    text, out, keep = TEMPLATE.read_text(), [], True
    position = 0
    for match in _DIRECTIVE.finditer(text):
        if keep:
            out.append(text[position : match.start()])
        keep = bool(variables[match.group(2)]) if match.group(2) else True
        position = match.end()
    out.append(text[position:])
    rendered = "".join(out)
    rendered = re.sub(r"(?<!\$)\$\{(\w+)\}", lambda m: str(variables[m.group(1)]), rendered)
    return rendered.replace("$${", "${")


def templatefile_calls(tf: dict[str, Any]) -> dict[str, str]:
    """The templatefile(...) argument object of each host, as HCL text."""
    found = resources(tf)
    return {
        "monitoring": found[("aws_instance", "this")]["user_data"],
        "app": found[("aws_launch_template", "this")]["user_data"],
    }


def variables_for(call: str) -> dict[str, Any]:
    pairs = dict(re.findall(r"(\w+)\s*[:=]\s*([^,}\s]+)", call.split("tftpl", 1)[1]))
    return {k: {"true": True, "false": False}.get(v, f"<{v}>") for k, v in pairs.items()}


@pytest.mark.parametrize("host", ["monitoring", "app"])
def test_the_script_is_valid_bash_with_every_variable_passed(tf, host):
    variables = variables_for(templatefile_calls(tf)[host])
    used = set(re.findall(r"(?<!\$)\$\{(\w+)\}", TEMPLATE.read_text())) | set(
        re.findall(r"%\{ *if (\w+)", TEMPLATE.read_text())
    )

    assert used == set(variables)
    subprocess.run(["bash", "-n"], input=render(variables), text=True, check=True)  # noqa: S607 -- bash from PATH parses, runs nothing


@pytest.mark.parametrize("host", ["monitoring", "app"])
def test_downloads_are_retried_https_for_the_hosts_architecture(tf, host):
    script = render(variables_for(templatefile_calls(tf)[host]))
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))

    assert "amd64" not in code
    assert 'arch="$(dpkg --print-architecture)"' in script
    assert 1 == script.count("curl ")
    assert "--retry" in script
    assert "--proto '=https'" in script
    assert not re.search(r"http://", script)


def test_app_hosts_run_what_their_security_group_and_the_bot_expect(tf):
    app = render(variables_for(templatefile_calls(tf)["app"]))
    monitoring = render(variables_for(templatefile_calls(tf)["monitoring"]))

    assert "nginx" in app  # port 80 is open to the internet on the app fleet, and nginx is restartable
    assert "amazon-cloudwatch-agent" in app
    assert "<aws_cloudwatch_log_group.app.name>" in app
    assert "nginx" not in monitoring
