variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "eu-west-1"
}

variable "admin_cidr" {
  description = "Your public IPv4 address as a /32, allowed to reach SSH, Grafana and Prometheus."
  type        = string

  validation {
    condition     = can(cidrhost(var.admin_cidr, 0)) && tonumber(split("/", var.admin_cidr)[1]) >= 8
    error_message = "admin_cidr must be a valid IPv4 CIDR block of /8 or narrower."
  }
}

variable "key_name" {
  description = "Existing EC2 key pair name for SSH, or null."
  type        = string
  default     = null
}
