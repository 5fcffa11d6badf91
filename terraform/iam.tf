data "aws_iam_policy_document" "ec2_assume_role" {
  statement {
    sid     = "EC2AssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

################################################################################
# The bot's permissions (attached to the monitoring host, where the bot runs)
################################################################################

data "aws_iam_policy_document" "bot" {
  statement {
    sid       = "RunShellScriptDocumentOnly"
    actions   = ["ssm:SendCommand"]
    resources = ["arn:${local.partition}:ssm:${local.region}::document/AWS-RunShellScript"]
  }

  statement {
    sid       = "SendCommandToFleetInstancesOnly"
    actions   = ["ssm:SendCommand"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "ssm:resourceTag/${local.fleet_tag_key}"
      values   = [var.name]
    }
  }

  statement {
    # GetCommandInvocation has no resource-level permissions; it only reads results.
    sid       = "ReadCommandResults"
    actions   = ["ssm:GetCommandInvocation"]
    resources = ["*"]
  }

  statement {
    sid       = "ScaleAppGroupOnly"
    actions   = ["autoscaling:SetDesiredCapacity"]
    resources = [aws_autoscaling_group.this.arn]
  }

  statement {
    # Auto Scaling Describe* calls do not support resource-level permissions, so they
    # cannot be narrowed to the group ARN; they are read-only.
    sid = "DescribeAutoScaling"
    actions = [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeScalingActivities",
    ]
    resources = ["*"]
  }

  statement {
    sid     = "ReadAppLogs"
    actions = ["logs:FilterLogEvents"]
    resources = [
      aws_cloudwatch_log_group.app.arn,
      "${aws_cloudwatch_log_group.app.arn}:*",
    ]
  }

  statement {
    sid = "ReadOwnParameters"
    actions = [
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:GetParametersByPath",
    ]
    resources = [
      "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${trimsuffix(local.ssm_path, "/")}",
      "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${local.ssm_path}*",
    ]
  }

  statement {
    sid       = "DecryptOwnParametersViaSSM"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }
  }
}

################################################################################
# Monitoring host: Prometheus EC2 discovery and Alertmanager SNS publishing
################################################################################

data "aws_iam_policy_document" "monitoring" {
  statement {
    # ec2_sd_configs lists instances to find the app fleet; these calls have no
    # resource-level permissions and are read-only.
    sid = "PrometheusEC2Discovery"
    actions = [
      "ec2:DescribeInstances",
      "ec2:DescribeAvailabilityZones",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "AlertmanagerPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
  }

  statement {
    sid = "AlertmanagerEncryptForTopic"
    actions = [
      "kms:GenerateDataKey",
      "kms:Decrypt",
    ]
    resources = [aws_kms_key.this.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  name_prefix        = "${var.name}-monitoring-"
  description        = "SmartCloudOps monitoring host and bot"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume_role.json

  tags = local.tags
}

resource "aws_iam_role_policy" "bot" {
  name   = "smartcloudops-bot"
  role   = aws_iam_role.monitoring.id
  policy = data.aws_iam_policy_document.bot.json
}

resource "aws_iam_role_policy" "monitoring" {
  name   = "monitoring"
  role   = aws_iam_role.monitoring.id
  policy = data.aws_iam_policy_document.monitoring.json
}

resource "aws_iam_role_policy_attachment" "monitoring_ssm_core" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "monitoring" {
  name_prefix = "${var.name}-monitoring-"
  role        = aws_iam_role.monitoring.name

  tags = local.tags
}

################################################################################
# App fleet: SSM agent and log shipping
################################################################################

data "aws_iam_policy_document" "app" {
  statement {
    sid = "ShipAppLogs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = [
      aws_cloudwatch_log_group.app.arn,
      "${aws_cloudwatch_log_group.app.arn}:*",
    ]
  }
}

resource "aws_iam_role" "app" {
  name_prefix        = "${var.name}-app-"
  description        = "SmartCloudOps app fleet"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume_role.json

  tags = local.tags
}

resource "aws_iam_role_policy" "app" {
  name   = "app"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

# Required for ssm:SendCommand to reach the instances.
resource "aws_iam_role_policy_attachment" "app_ssm_core" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "app" {
  name_prefix = "${var.name}-app-"
  role        = aws_iam_role.app.name

  tags = local.tags
}

################################################################################
# VPC flow logs
################################################################################

data "aws_iam_policy_document" "flow_logs_assume_role" {
  statement {
    sid     = "VPCFlowLogsAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    sid = "WriteFlowLogs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = [
      aws_cloudwatch_log_group.flow_logs.arn,
      "${aws_cloudwatch_log_group.flow_logs.arn}:*",
    ]
  }
}

resource "aws_iam_role" "flow_logs" {
  name_prefix        = "${var.name}-flow-logs-"
  description        = "VPC flow logs delivery for ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume_role.json

  tags = local.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}
