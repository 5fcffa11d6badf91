variable "region" {
  description = "AWS region of the state bucket and lock table."
  type        = string
  default     = "eu-west-1"
}

variable "bucket_name" {
  description = "Name of the state bucket; null for smartcloudops-tfstate-<account id>."
  type        = string
  default     = null
}

variable "lock_table_name" {
  description = "Name of the DynamoDB table Terraform locks the state with."
  type        = string
  default     = "smartcloudops-tflock"
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
