# Remote state in S3, locked with a lock object beside it (use_lockfile, Terraform 1.11+).
# Only the backend block: copied next to a configuration's own versions.tf it adds nothing
# else. Bucket, key and region come from ./bootstrap's outputs at `terraform init`:
#
#   terraform init \
#     -backend-config="bucket=<bucket>" \
#     -backend-config="kms_key_id=<kms_key_arn>" \
#     -backend-config="region=eu-west-1"
terraform {
  backend "s3" {
    key          = "smartcloudops/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
