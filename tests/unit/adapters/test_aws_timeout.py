"""SetDesiredCapacity timing out: the group is read again before the outcome is decided."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from adapters.aws.cloud_actions import AwsCloudActions
from domain.errors import CloudActionFailed


class TimingOutAutoScaling:
    """An Auto Scaling client whose SetDesiredCapacity times out, having applied the change or not."""

    def __init__(self, *, applies: bool) -> None:
        self.applies = applies
        self.desired = 2
        self.calls = 0

    def set_desired_capacity(self, *, DesiredCapacity: int, **_call: Any) -> None:  # noqa: N803 - boto3's name
        self.calls += 1
        if self.applies:
            self.desired = DesiredCapacity
        raise ReadTimeoutError(endpoint_url="https://autoscaling.us-east-1.amazonaws.com/")

    def describe_auto_scaling_groups(self, *, AutoScalingGroupNames: list[str]) -> dict[str, Any]:  # noqa: N803
        return {
            "AutoScalingGroups": [
                {
                    "AutoScalingGroupName": AutoScalingGroupNames[0],
                    "DesiredCapacity": self.desired,
                    "MinSize": 1,
                    "MaxSize": 6,
                }
            ]
        }


def test_a_timed_out_call_that_was_applied_is_a_success() -> None:
    asg = TimingOutAutoScaling(applies=True)

    AwsCloudActions(autoscaling=asg, ssm=None).set_desired_capacity("web-asg", 3)

    assert (1, 3) == (asg.calls, asg.desired)


def test_a_timed_out_call_that_was_not_applied_fails_naming_the_capacity() -> None:
    asg = TimingOutAutoScaling(applies=False)

    with pytest.raises(CloudActionFailed) as caught:
        AwsCloudActions(autoscaling=asg, ssm=None).set_desired_capacity("web-asg", 3)

    assert "timed out, and the group's desired capacity is 2, not 3" in str(caught.value)
    assert 1 == asg.calls
