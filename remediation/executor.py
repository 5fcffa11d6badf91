"""ActionExecutor: runs an approved action against AWS, one action per target at a time.

It reads live state again before acting (groups and instances may have changed since the dry
run), makes the cloud call, polls SSM commands until they end, and holds the target's lock
meanwhile. It knows nothing of approvals: ``RemediationService`` decides what may run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from domain.errors import CloudActionFailed
from domain.ports import JobLeases
from remediation.actions import (
    ActionCall,
    ActionLimits,
    ActionName,
    action_target,
    check_restart_targets,
    plan_scale,
    restart_targets,
)
from remediation.ports import CloudActions

_TERMINAL_COMMAND_STATES = frozenset({"Success", "Failed", "Cancelled", "TimedOut", "Cancelling"})
_LOCK_POLL_SECONDS = 0.2


@dataclass
class ActionExecutor:
    """The cloud side of remediation: dry runs and runs of validated calls."""

    cloud: CloudActions
    limits: ActionLimits
    sleep: Callable[[float], None] = time.sleep
    command_polls: int = 30
    poll_seconds: float = 2.0
    #: Shared locks (the scheduler's leases): two approved actions on the same group or instances
    #: run one after the other, so a scale-up never overwrites another's new capacity.
    locks: JobLeases | None = None
    lock_wait_seconds: float = 60.0

    def dry_run(self, call: ActionCall) -> str:
        """What ``call`` would change, from live state.

        Raises:
            ActionNotAllowed: the action would break a limit (MaxSize, step, stopped instance).
            CloudActionFailed: AWS could not be read.
        """
        if call.action is ActionName.RESTART_SERVICE:
            return check_restart_targets(call, self.cloud.describe_instances(restart_targets(call)))
        state = self.cloud.describe_group(str(call.params["group"]))
        return plan_scale(call, state, self.limits).summary(state)

    def run(self, call: ActionCall, *, holder: str) -> str:
        """Run ``call`` while holding its target's lock (as ``holder``); returns what was done.

        Raises:
            CloudActionFailed: AWS refused or failed the call, a command did not succeed, or the
                target stayed locked by another action.
            ActionNotAllowed: live state no longer allows the call (MaxSize, stopped instance).
        """
        with self._target_lock(call, holder):
            if call.action is ActionName.RESTART_SERVICE:
                return self._restart(call)
            group = str(call.params["group"])
            state = self.cloud.describe_group(group)
            plan = plan_scale(call, state, self.limits)
            self.cloud.set_desired_capacity(group, plan.new)
            return f"{group} desired capacity {plan.current} → {plan.new}"

    @contextmanager
    def _target_lock(self, call: ActionCall, holder: str) -> Iterator[None]:
        """Hold the lock of the call's target (group or instances) while it runs."""
        if self.locks is None:
            yield
            return
        key = f"target:{action_target(call)}"
        ttl_ms = int((self.command_polls * self.poll_seconds + 60) * 1000)
        waited = 0.0
        while not self.locks.acquire(key, holder, ttl_ms):
            if waited >= self.lock_wait_seconds:
                raise CloudActionFailed(call.action.value, f"another action on {action_target(call)} is still running")
            self.sleep(_LOCK_POLL_SECONDS)
            waited += _LOCK_POLL_SECONDS
        try:
            yield
        finally:
            self.locks.release(key, holder)

    def _restart(self, call: ActionCall) -> str:
        """Send one SSM command per instance, then poll each until it ends (or polls run out)."""
        targets = restart_targets(call)
        # Live state again: the instances may have stopped since the request was made.
        check_restart_targets(call, self.cloud.describe_instances(targets))
        sent = [(t, self.cloud.send_restart(t, str(call.params["service"]))) for t in targets]
        outcome: dict[str, str] = {}
        for attempt in range(self.command_polls):
            for instance_id, command_id in sent:
                if outcome.get(instance_id) not in _TERMINAL_COMMAND_STATES:
                    outcome[instance_id] = self.cloud.command_status(command_id, instance_id)
            if all(status in _TERMINAL_COMMAND_STATES for status in outcome.values()):
                break
            if attempt + 1 < self.command_polls:
                self.sleep(self.poll_seconds)
        summary = "; ".join(f"{i}: command {c} {outcome[i]}" for i, c in sent)
        if any(status != "Success" for status in outcome.values()):
            raise CloudActionFailed("restart_service", summary)
        return summary
