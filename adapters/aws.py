"""AwsCloudActions: the CloudActions port over boto3 (Auto Scaling and SSM)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from domain.errors import CloudActionFailed
from domain.ports import GroupState, InstanceState

T = TypeVar("T")


@contextmanager
def _translated(action: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        err = exc.response.get("Error", {})
        code = str(err.get("Code", "Unknown"))
        message = str(err.get("Message", "")) or code
        raise CloudActionFailed(action, f"{code}: {message}", code=code) from exc
    except BotoCoreError as exc:
        raise CloudActionFailed(action, str(exc)) from exc


class AwsCloudActions:
    """Calls AWS through boto3 clients created once at start-up.

    Args:
        autoscaling: a boto3 ``autoscaling`` client.
        ssm: a boto3 ``ssm`` client.
    """

    def __init__(self, *, autoscaling: Any, ssm: Any) -> None:
        self._asg = autoscaling
        self._ssm = ssm

    @classmethod
    def from_endpoint(cls, *, region: str, endpoint_url: str | None) -> AwsCloudActions:
        """Clients for a region, optionally through a custom endpoint (moto, a VPC endpoint)."""
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=20)
        session = boto3.session.Session(region_name=region)
        return cls(
            autoscaling=session.client("autoscaling", endpoint_url=endpoint_url, config=config),
            ssm=session.client("ssm", endpoint_url=endpoint_url, config=config),
        )

    def _call(self, action: str, fn: Callable[[], T]) -> T:
        with _translated(action):
            return fn()

    def describe_group(self, name: str) -> GroupState:
        """Live state of an Auto Scaling group."""
        resp = self._call(
            "describe_group", lambda: self._asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
        )
        groups = resp.get("AutoScalingGroups", [])
        if not groups:
            raise CloudActionFailed("describe_group", f"Auto Scaling group '{name}' not found", code="NotFound")
        g = groups[0]
        return GroupState(
            name=g["AutoScalingGroupName"],
            desired_capacity=int(g["DesiredCapacity"]),
            min_size=int(g["MinSize"]),
            max_size=int(g["MaxSize"]),
            instances=tuple(
                InstanceState(
                    instance_id=i["InstanceId"],
                    lifecycle_state=i.get("LifecycleState", "Unknown"),
                    health_status=i.get("HealthStatus", "Unknown"),
                )
                for i in g.get("Instances", [])
            ),
        )

    def set_desired_capacity(self, name: str, desired: int) -> None:
        """Set desired capacity, honouring the group's cooldown."""
        self._call(
            "set_desired_capacity",
            lambda: self._asg.set_desired_capacity(
                AutoScalingGroupName=name, DesiredCapacity=desired, HonorCooldown=False
            ),
        )

    def send_restart(self, instance_id: str, service: str) -> str:
        """``systemctl restart <service>`` on one instance through SSM ``AWS-RunShellScript``."""
        resp = self._call(
            "restart_service",
            lambda: self._ssm.send_command(
                InstanceIds=[instance_id],
                DocumentName="AWS-RunShellScript",
                Parameters={"commands": [f"systemctl restart {service}"]},
                Comment=f"smartcloudops restart {service}",
            ),
        )
        return str(resp["Command"]["CommandId"])

    def command_status(self, command_id: str, instance_id: str) -> str:
        """Status of the command on the instance."""
        resp = self._call(
            "command_status",
            lambda: self._ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id),
        )
        return str(resp.get("Status", "Unknown"))
