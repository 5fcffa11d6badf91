# One-off: the S3 bucket that holds the root module's state and its lock object
# (use_lockfile), and the key that encrypts both. Apply this once per account with a
# local backend, then use ../backend.tf with `-backend-config`.

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}

locals {
  bucket = coalesce(var.bucket_name, "smartcloudops-tfstate-${data.aws_caller_identity.current.account_id}")
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:This is a key policy: Resource "*" means this key only, and the account-root statement is AWS's default delegation to IAM.
  #checkov:skip=CKV_AWS_109:Same key policy; without the account-root statement the key becomes unmanageable.
  #checkov:skip=CKV_AWS_356:Same key policy; Resource "*" in a key policy refers to the key itself.
  # The account's default key policy, written out: IAM policies in this account decide who
  # may use the key, so access to the state is granted where the rest of IAM is.
  statement {
    sid       = "AccountAdministersKeyThroughIAM"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  description         = "Encrypts the SmartCloudOps Terraform state and its lock object."
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.key.json
  tags                = var.tags
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Cross-region replication of a small state bucket is left to the account's backup policy.
  #checkov:skip=CKV_AWS_18:Access logging needs a separate log bucket; state access is already in CloudTrail.
  #checkov:skip=CKV2_AWS_62:No consumer for bucket event notifications on a state bucket.
  bucket        = local.bucket
  force_destroy = false
  tags          = var.tags
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

# TLS only: every request over plain HTTP is refused, whoever makes it.
data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
