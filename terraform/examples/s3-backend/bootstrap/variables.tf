variable "region" {
  description = "AWS region of the state bucket."
  type        = string
  default     = "eu-west-1"
}

variable "bucket_name" {
  description = "Name of the state bucket; null for smartcloudops-tfstate-<account id>."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
