"""AwsCloudActions: the CloudActions port over boto3 (Auto Scaling and SSM)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionClosedError, ReadTimeoutError
from botocore.parsers import ResponseParserError

from adapters.aws.retry import retry_throttling_only
from domain.errors import CloudActionFailed
from remediation.cloud_state import GroupState, InstanceState

T = TypeVar("T")
log = structlog.get_logger(__name__)


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
    except ResponseParserError as exc:
        # An error page instead of an API answer (moto answers an unknown group this way).
        raise CloudActionFailed(action, "the AWS endpoint answered with an error page (HTTP 5xx)") from exc


class AwsCloudActions:
    """Calls AWS through boto3 clients created once at start-up.

    Args:
        autoscaling: a boto3 ``autoscaling`` client.
        ssm: a boto3 ``ssm`` client.
        ec2: a boto3 ``ec2`` client (instance state for restart dry-runs).
    """

    def __init__(self, *, autoscaling: Any, ssm: Any, ec2: Any = None) -> None:
        self._asg = autoscaling
        self._ssm = ssm
        self._ec2 = ec2

    @classmethod
    def from_endpoint(cls, *, region: str, endpoint_url: str | None) -> AwsCloudActions:
        """Clients for a region, optionally through a custom endpoint (moto, a VPC endpoint)."""
        # Only throttled calls are retried (adapters/aws/retry.py): a retried SendCommand could restart twice.
        config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=20)
        session = boto3.session.Session(region_name=region)
        return cls(
            autoscaling=retry_throttling_only(session.client("autoscaling", endpoint_url=endpoint_url, config=config)),
            ssm=retry_throttling_only(session.client("ssm", endpoint_url=endpoint_url, config=config)),
            ec2=retry_throttling_only(session.client("ec2", endpoint_url=endpoint_url, config=config)),
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

    def auto_scaling_group_of(self, instance_id: str) -> str | None:
        """The Auto Scaling group ``instance_id`` is a member of, or None (not a member, or unknown)."""
        resp = self._call(
            "describe_auto_scaling_instances",
            lambda: self._asg.describe_auto_scaling_instances(InstanceIds=[instance_id]),
        )
        found = [i for i in resp.get("AutoScalingInstances", []) if i.get("InstanceId") == instance_id]
        return str(found[0]["AutoScalingGroupName"]) if found else None

    def set_desired_capacity(self, name: str, desired: int) -> None:
        """Set desired capacity, honouring the group's cooldown.

        A call that times out may still have reached AWS and been applied, so the group is read
        again: at ``desired`` it was applied; otherwise the call failed. An operator retrying a
        call reported failed therefore never scales twice.

        Raises:
            CloudActionFailed: AWS refused the call, or it timed out and the group is not at ``desired``.
        """
        timed_out: Exception | None = None
        with _translated("set_desired_capacity"):
            try:
                self._asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=desired, HonorCooldown=False)
            except (ReadTimeoutError, ConnectionClosedError) as exc:
                timed_out = exc
        if timed_out is None:
            return
        now = self.describe_group(name).desired_capacity
        log.warning("set_desired_capacity_timed_out", group=name, desired=desired, desired_now=now)
        if now != desired:
            raise CloudActionFailed(
                "set_desired_capacity", f"timed out, and the group's desired capacity is {now}, not {desired}"
            ) from timed_out

    def send_restart(self, instance_id: str, service: str) -> str:
        """``systemctl restart <service>`` on one instance through SSM ``AWS-RunShellScript``.

        The service name was checked against the allowlist and a strict pattern before it got
        here; it is passed as the document's ``commands`` parameter, never through a shell of ours.

        Raises:
            CloudActionFailed: SSM refused, or its reply does not include the instance.
        """
        resp = self._call(
            "restart_service",
            lambda: self._ssm.send_command(
                InstanceIds=[instance_id],
                DocumentName="AWS-RunShellScript",
                Parameters={"commands": [f"systemctl restart {service}"]},
                Comment=f"smartcloudops restart {service}"[:100],
                TimeoutSeconds=60,
            ),
        )
        command = resp["Command"]
        command_id = str(command["CommandId"])
        listed = [str(i) for i in command.get("InstanceIds", [])]
        if instance_id not in listed:
            raise CloudActionFailed("restart_service", f"SSM command {command_id} does not list {instance_id}")
        extra = sorted(set(listed) - {instance_id})
        if extra:
            # moto lists every instance of the account here; only the requested one is polled.
            log.warning("ssm_command_lists_other_instances", command_id=command_id, requested=instance_id, extra=extra)
        return command_id

    def command_status(self, command_id: str, instance_id: str) -> str:
        """Status of the command on the instance (``Pending`` while SSM has no invocation yet)."""
        try:
            resp = self._ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvocationDoesNotExist":
                return "Pending"
            with _translated("command_status"):
                raise
        except (BotoCoreError, ResponseParserError) as exc:
            raise CloudActionFailed("command_status", str(exc)[:300]) from exc
        return str(resp.get("Status", "Unknown"))

    def describe_instances(self, instance_ids: Sequence[str]) -> list[InstanceState]:
        """EC2 state of the instances; ids EC2 does not know are left out."""
        if self._ec2 is None:
            raise CloudActionFailed("describe_instances", "no EC2 client configured")
        found: list[tuple[str, str]] = []
        for instance_id in instance_ids:
            try:
                resp = self._ec2.describe_instances(InstanceIds=[instance_id])
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code", "")).startswith("InvalidInstanceID"):
                    continue
                with _translated("describe_instances"):
                    raise
            except (BotoCoreError, ResponseParserError) as exc:
                raise CloudActionFailed("describe_instances", str(exc)[:300]) from exc
            for reservation in resp.get("Reservations", []):
                found.extend(
                    (str(i["InstanceId"]), str(i.get("State", {}).get("Name", "unknown")))
                    for i in reservation.get("Instances", [])
                )
        health = self._status_checks([i for i, _ in found])
        return [
            InstanceState(instance_id=i, lifecycle_state=state, health_status=health.get(i, "unknown"))
            for i, state in found
        ]

    def _status_checks(self, instance_ids: Sequence[str]) -> dict[str, str]:
        """EC2 status-check summary per instance (ok, impaired, initializing, ...)."""
        if not instance_ids:
            return {}
        resp = self._call(
            "describe_instance_status",
            lambda: self._ec2.describe_instance_status(InstanceIds=list(instance_ids), IncludeAllInstances=True),
        )
        return {
            str(s["InstanceId"]): str(s.get("InstanceStatus", {}).get("Status", "unknown"))
            for s in resp.get("InstanceStatuses", [])
        }
