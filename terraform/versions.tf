terraform {
  # 1.6 is the oldest release CI validates against (see .github/workflows/infra.yml).
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
