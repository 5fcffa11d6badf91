# One customer-managed key for the SecureString parameters, the log groups and the alerts topic.

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_111:This is a key policy: Resource "*" means this key only, and the account-root statement is AWS's default delegation to IAM.
  #checkov:skip=CKV_AWS_109:Same key policy; without the account-root statement the key becomes unmanageable.
  #checkov:skip=CKV_AWS_356:Same key policy; Resource "*" in a key policy refers to the key itself.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsUsesKeyForOwnLogGroups"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/${var.name}/*"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublishToAlertsTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name} ${var.environment}: SSM parameters, log groups and alerts topic"
  deletion_window_in_days = 30
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.kms.json

  tags = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-${var.environment}"
  target_key_id = aws_kms_key.this.key_id
}
