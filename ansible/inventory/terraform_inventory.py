#!/usr/bin/env python3
"""Ansible dynamic inventory built from the Terraform root module's outputs.

The monitoring host becomes the only member of the ``monitoring`` group, and the
outputs Ansible needs (``REQUIRED_OUTPUTS``: region, SSM path, KMS key, SNS topic,
app group, log group, fleet tag) become ``tf_*`` host variables; a missing one is an
error. The app fleet is not listed: its instances come and go with
the Auto Scaling group, bootstrap themselves from user data, and Prometheus finds
them through EC2 discovery.

Outputs are read from the file named by SMARTCLOUDOPS_TF_OUTPUTS (the saved result
of ``terraform output -json``) or, when that is unset, by running
``terraform -chdir=$SMARTCLOUDOPS_TF_DIR output -json`` (default: ../terraform).
Set SMARTCLOUDOPS_SSH_USER to override the login user (Debian AMIs use ``admin``).
With SMARTCLOUDOPS_CONNECTION=ssm Ansible reaches the host through SSM Session Manager
instead (no port 22; Terraform's ssh_enabled = false), moving files through the S3
bucket named by SMARTCLOUDOPS_SSM_BUCKET.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HOSTNAME = "smartcloudops-monitoring"
DEFAULT_TF_DIR = Path(__file__).resolve().parents[2] / "terraform"
# Terraform output name -> host variable name.
PASSTHROUGH = {
    "region": "tf_region",
    "ssm_parameter_path": "tf_ssm_parameter_path",
    "alerts_sns_topic_arn": "tf_alerts_sns_topic_arn",
    "app_autoscaling_group_name": "tf_app_autoscaling_group_name",
    "app_log_group_name": "tf_app_log_group_name",
    "monitoring_private_ip": "tf_monitoring_private_ip",
    "monitoring_instance_id": "tf_monitoring_instance_id",
    "kms_key_arn": "tf_kms_key_arn",
    "vpc_id": "tf_vpc_id",
}
#: Every output the inventory reads; a configuration calling the module must export them all.
REQUIRED_OUTPUTS = frozenset({*PASSTHROUGH, "monitoring_public_ip", "fleet_tag"})


class InventoryError(Exception):
    """The Terraform outputs could not be read or lack what the inventory needs."""


def read_outputs(environ: dict[str, str]) -> dict[str, Any]:
    """Return ``terraform output -json`` as a dict of output name to value."""
    saved = environ.get("SMARTCLOUDOPS_TF_OUTPUTS")
    if saved:
        raw = Path(saved).read_text()
    else:
        tf_dir = environ.get("SMARTCLOUDOPS_TF_DIR", str(DEFAULT_TF_DIR))
        try:
            raw = subprocess.run(  # noqa: S603 -- fixed argv, no shell
                ["terraform", f"-chdir={tf_dir}", "output", "-json"],  # noqa: S607 -- terraform from PATH, as an operator runs it
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            raise InventoryError(f"terraform output failed in {tf_dir}: {exc}") from exc
    outputs = json.loads(raw)
    return {name: item["value"] for name, item in outputs.items()}


def connection_vars(outputs: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """SSH to the public address, or (SMARTCLOUDOPS_CONNECTION=ssm) SSM Session Manager to the instance."""
    connection = environ.get("SMARTCLOUDOPS_CONNECTION", "ssh")
    if connection == "ssh":
        return {
            "ansible_host": outputs["monitoring_public_ip"],
            "ansible_user": environ.get("SMARTCLOUDOPS_SSH_USER", "admin"),
        }
    if connection != "ssm":
        raise InventoryError(f"SMARTCLOUDOPS_CONNECTION must be ssh or ssm, not {connection!r}")
    bucket = environ.get("SMARTCLOUDOPS_SSM_BUCKET")
    if not bucket:
        raise InventoryError("SMARTCLOUDOPS_CONNECTION=ssm needs SMARTCLOUDOPS_SSM_BUCKET (files travel through S3)")
    return {
        "ansible_connection": "amazon.aws.aws_ssm",
        "ansible_host": outputs["monitoring_instance_id"],
        "ansible_aws_ssm_instance_id": outputs["monitoring_instance_id"],
        "ansible_aws_ssm_region": outputs["region"],
        "ansible_aws_ssm_bucket_name": bucket,
    }


def build_inventory(outputs: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """Turn Terraform outputs into Ansible's --list JSON."""
    missing = sorted(name for name in REQUIRED_OUTPUTS if outputs.get(name) is None)
    if missing:
        raise InventoryError(
            f"the Terraform outputs lack {', '.join(missing)}; export them from your configuration "
            "(as terraform/examples/minimal/outputs.tf does) and run terraform apply"
        )
    hostvars = connection_vars(outputs, environ)
    for output, variable in PASSTHROUGH.items():
        hostvars[variable] = outputs[output]
    hostvars["tf_fleet_tag_key"] = outputs["fleet_tag"]["key"]
    hostvars["tf_fleet_tag_value"] = outputs["fleet_tag"]["value"]
    return {
        "all": {"children": ["monitoring"]},
        "monitoring": {"hosts": [HOSTNAME]},
        "_meta": {"hostvars": {HOSTNAME: hostvars}},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--list", action="store_true")
    group.add_argument("--host")
    args = parser.parse_args(argv)
    if args.host:
        # Every variable is in _meta, so Ansible never needs --host.
        print(json.dumps({}))  # noqa: T201 -- stdout is the inventory protocol
        return 0
    try:
        inventory = build_inventory(read_outputs(dict(os.environ)), dict(os.environ))
    except InventoryError as exc:
        print(f"terraform_inventory: {exc}", file=sys.stderr)  # noqa: T201 -- Ansible shows stderr
        return 1
    print(json.dumps(inventory, indent=2))  # noqa: T201 -- stdout is the inventory protocol
    return 0


if __name__ == "__main__":
    sys.exit(main())
