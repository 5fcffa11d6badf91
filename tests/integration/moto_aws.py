"""Auto Scaling groups and instances in moto (server mode), made as the remediation tests need them."""

from __future__ import annotations

from typing import Any

import boto3

REGION = "us-east-1"


def client(endpoint: str, name: str) -> Any:
    """A boto3 client for service ``name`` at the moto ``endpoint``."""
    return boto3.client(name, endpoint_url=endpoint, region_name=REGION)  # type: ignore[call-overload]


def machine_image(endpoint: str) -> str:
    """An Amazon Linux 2 AMI id from moto's built-in images.

    Filtered: moto answers an unfiltered ``DescribeImages`` with every one of its 1,000+ images,
    which takes seconds to build and parse.
    """
    images = client(endpoint, "ec2").describe_images(
        Owners=["amazon"], Filters=[{"Name": "name", "Values": ["amzn2-ami-hvm-*"]}]
    )["Images"]
    return str(images[0]["ImageId"])


def create_group(endpoint: str, name: str = "web-asg", *, desired: int = 2, max_size: int = 5) -> None:
    """An Auto Scaling group in moto, from a launch template."""
    client(endpoint, "ec2").create_launch_template(
        LaunchTemplateName=f"{name}-lt",
        LaunchTemplateData={"ImageId": machine_image(endpoint), "InstanceType": "t3.micro"},
    )
    client(endpoint, "autoscaling").create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": f"{name}-lt"},
        MinSize=1,
        MaxSize=max_size,
        DesiredCapacity=desired,
        AvailabilityZones=[f"{REGION}a"],
    )


def desired_capacity(endpoint: str, name: str = "web-asg") -> int:
    """The group's desired capacity, as moto has it now."""
    groups = client(endpoint, "autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    return int(groups["AutoScalingGroups"][0]["DesiredCapacity"])


def run_instances(endpoint: str, count: int = 1) -> list[str]:
    """Start ``count`` instances outside any group; their ids."""
    resp = client(endpoint, "ec2").run_instances(
        ImageId=machine_image(endpoint), InstanceType="t3.micro", MinCount=count, MaxCount=count
    )
    return [i["InstanceId"] for i in resp["Instances"]]
