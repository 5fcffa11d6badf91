data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Only the first two zone names in sorted order are used, and availability_zones pins them explicitly when set.
  state = "available"
}

# The AMI follows each instance type's architecture (t3: amd64, t4g: arm64) unless
# ami_ssm_parameter names one parameter for both.
data "aws_ec2_instance_type" "this" {
  for_each = {
    monitoring = var.monitoring_instance_type
    app        = var.app_instance_type
  }

  instance_type = each.value
}

data "aws_ssm_parameter" "ami" {
  for_each = data.aws_ec2_instance_type.this

  name = coalesce(
    var.ami_ssm_parameter,
    "/aws/service/debian/release/bookworm/latest/${contains(each.value.supported_architectures, "arm64") ? "arm64" : "amd64"}",
  )
}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  azs = length(var.availability_zones) == 2 ? var.availability_zones : slice(data.aws_availability_zones.available.names, 0, 2)

  # The bot may only act on instances carrying this tag (see iam.tf).
  fleet_tag_key = "SmartCloudOpsFleet"

  # Parameter path the bot reads its secrets from (SCO_SECRETS__SSM_PATH); leading and trailing slash.
  ssm_path = "/${var.name}/${var.environment}/"

  tags = merge(
    {
      Project     = var.name
      Environment = var.environment
      ManagedBy   = "terraform"
    },
    var.tags,
  )
}
