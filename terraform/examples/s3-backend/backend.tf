# Remote state with locking. The values come from ./bootstrap's outputs at `terraform init`:
#
#   terraform init \
#     -backend-config="bucket=<bucket>" \
#     -backend-config="dynamodb_table=<lock_table>" \
#     -backend-config="kms_key_id=<kms_key_arn>" \
#     -backend-config="region=eu-west-1"
terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  backend "s3" {
    key     = "smartcloudops/terraform.tfstate"
    encrypt = true
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
