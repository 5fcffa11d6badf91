provider "aws" {
  region = var.region
}

module "smartcloudops" {
  source = "../../"

  name        = "smartcloudops"
  environment = "dev"
  admin_cidr  = var.admin_cidr
  key_name    = var.key_name

  app_min_size         = 1
  app_desired_capacity = 1
  app_max_size         = 2

  tags = {
    Owner = "platform"
  }
}
