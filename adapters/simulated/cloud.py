"""SimulatedCloudActions: Auto Scaling groups and SSM commands kept in memory, for the demo."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence

from domain.errors import CloudActionFailed
from remediation.cloud_state import GroupState, InstanceState


class SimulatedCloudActions:
    """A pretend AWS account with some Auto Scaling groups; every call changes only memory."""

    def __init__(self, groups: dict[str, GroupState], instances: Sequence[InstanceState] = ()) -> None:
        self._groups = dict(groups)
        self._instances = {i.instance_id: i for i in instances}
        self._commands: dict[str, tuple[str, str]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def describe_group(self, name: str) -> GroupState:
        """The group's state."""
        try:
            return self._groups[name]
        except KeyError:
            raise CloudActionFailed("describe_group", f"Auto Scaling group '{name}' not found") from None

    def auto_scaling_group_of(self, instance_id: str) -> str | None:
        """The group that has ``instance_id`` among its members, if any."""
        return next(
            (g.name for g in self._groups.values() if any(i.instance_id == instance_id for i in g.instances)), None
        )

    def set_desired_capacity(self, name: str, desired: int) -> None:
        """Change desired capacity and the member list with it."""
        with self._lock:
            group = self.describe_group(name)
            members = list(group.instances[:desired])
            while len(members) < desired:
                members.append(
                    InstanceState(
                        instance_id=f"i-{0xD000000 + next(self._ids):017x}",
                        lifecycle_state="Pending",
                        health_status="Healthy",
                    )
                )
            self._groups[name] = group.model_copy(update={"desired_capacity": desired, "instances": tuple(members)})

    def send_restart(self, instance_id: str, service: str) -> str:
        """Pretend to restart ``service`` on ``instance_id``."""
        if not self.describe_instances([instance_id]):
            raise CloudActionFailed("restart_service", f"instance {instance_id} not found", code="InvalidInstanceId")
        command_id = f"sim-{next(self._ids):08d}"
        self._commands[command_id] = (instance_id, service)
        return command_id

    def command_status(self, command_id: str, instance_id: str) -> str:
        """Status of a pretend command: it succeeded if it was sent to that instance."""
        sent = self._commands.get(command_id)
        return "Success" if sent is not None and sent[0] == instance_id else "Failed"

    def describe_instances(self, instance_ids: Sequence[str]) -> list[InstanceState]:
        """Known instances: the ones given at creation and every group member; unknown ids are left out."""
        known = dict(self._instances)
        for group in self._groups.values():
            known.update({i.instance_id: i.model_copy(update={"lifecycle_state": "running"}) for i in group.instances})
        return [known[i] for i in instance_ids if i in known]
