################################################################################
# General
################################################################################

variable "name" {
  description = "Name prefix for every resource, and the value of the fleet tag that scopes the bot's permissions."
  type        = string
  default     = "smartcloudops"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name, used in the SSM parameter path (/<name>/<environment>/) and in tags."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.environment))
    error_message = "environment must be up to 16 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

################################################################################
# Network
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "vpc_cidr must be a valid IPv4 CIDR block no smaller than /24."
  }
}

variable "public_subnet_cidrs" {
  description = "CIDR blocks of the two public subnets, one per availability zone, inside vpc_cidr."
  type        = list(string)
  default     = ["10.0.1.0/24", "10.0.2.0/24"]

  validation {
    condition     = length(var.public_subnet_cidrs) == 2 && alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "public_subnet_cidrs must hold exactly two valid IPv4 CIDR blocks."
  }
}

variable "availability_zones" {
  description = "Two availability zones for the public subnets. Empty picks the first two available zones of the region."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.availability_zones) == 0 || length(var.availability_zones) == 2
    error_message = "availability_zones must be empty or hold exactly two zone names."
  }
}

variable "admin_cidr" {
  description = "The only IPv4 CIDR block (besides the VPC itself) allowed to reach SSH, Grafana, Prometheus and node_exporter, e.g. your office or VPN egress as a /32."
  type        = string

  validation {
    condition     = can(cidrhost(var.admin_cidr, 0)) && tonumber(split("/", var.admin_cidr)[1]) >= 8
    error_message = "admin_cidr must be a valid IPv4 CIDR block of /8 or narrower; 0.0.0.0/0 is refused."
  }
}

################################################################################
# Compute
################################################################################

variable "ami_ssm_parameter" {
  description = "Public SSM parameter holding the AMI id for every instance; null picks Debian 12 for each instance type's architecture (amd64 or arm64). The Ansible roles target Debian 12."
  type        = string
  default     = null
}

variable "key_name" {
  description = "Name of an existing EC2 key pair for SSH (Ansible). Null leaves SSH keys to Session Manager or the AMI."
  type        = string
  default     = null
}

variable "ssh_enabled" {
  description = "Open port 22 to admin_cidr on every host. False closes it; run Ansible through SSM Session Manager instead (docs/deploy.md)."
  type        = bool
  default     = true
}

variable "monitoring_instance_type" {
  description = "Instance type of the monitoring host (Prometheus, Alertmanager, Grafana and the bot)."
  type        = string
  default     = "t3.medium"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.(nano|micro|small|medium|large|[0-9]*xlarge|metal)$", var.monitoring_instance_type))
    error_message = "monitoring_instance_type must look like an EC2 instance type, e.g. t3.medium."
  }
}

variable "app_instance_type" {
  description = "Instance type of the app Auto Scaling group."
  type        = string
  default     = "t3.small"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.(nano|micro|small|medium|large|[0-9]*xlarge|metal)$", var.app_instance_type))
    error_message = "app_instance_type must look like an EC2 instance type, e.g. t3.small."
  }
}

variable "root_volume_size" {
  description = "Root volume size in GiB for every instance."
  type        = number
  default     = 20

  validation {
    condition     = var.root_volume_size >= 8 && var.root_volume_size <= 1024
    error_message = "root_volume_size must be between 8 and 1024 GiB."
  }
}

variable "app_min_size" {
  description = "Minimum number of app instances."
  type        = number
  default     = 1

  validation {
    condition     = var.app_min_size >= 0
    error_message = "app_min_size must not be negative."
  }
}

variable "app_max_size" {
  description = "Maximum number of app instances; the bot can never scale beyond this."
  type        = number
  default     = 4

  validation {
    condition     = var.app_max_size >= 1 && var.app_max_size <= 50
    error_message = "app_max_size must be between 1 and 50."
  }
}

variable "app_desired_capacity" {
  description = "Initial desired number of app instances. Terraform ignores later changes so the bot's scaling is not undone."
  type        = number
  default     = 2

  validation {
    condition     = var.app_desired_capacity >= 0
    error_message = "app_desired_capacity must not be negative."
  }
}

################################################################################
# Logs, secrets and alerting
################################################################################

variable "log_retention_days" {
  description = "Retention of the app log group in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "secret_names" {
  description = "SecureString parameters created under /<name>/<environment>/ with a placeholder value; fill them out of band with aws ssm put-parameter --overwrite."
  type        = set(string)
  default = [
    "slack_bot_token",
    "slack_app_token",
    "slack_signing_secret",
    "llm_api_key",
    "grafana_admin_password",
    "alertmanager_slack_webhook_url",
  ]

  validation {
    condition     = alltrue([for n in var.secret_names : can(regex("^[a-z][a-z0-9_]*$", n))])
    error_message = "secret_names must be snake_case names."
  }
}

variable "alert_email_addresses" {
  description = "Email addresses subscribed to the alerts SNS topic. Each must confirm the subscription."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_email_addresses must be email addresses."
  }
}
