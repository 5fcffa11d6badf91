output "bucket" {
  description = "The state bucket, for -backend-config=\"bucket=...\"."
  value       = aws_s3_bucket.this.id
}

output "lock_table" {
  description = "The lock table, for -backend-config=\"dynamodb_table=...\"."
  value       = aws_dynamodb_table.lock.name
}

output "kms_key_arn" {
  description = "The key that encrypts the state, for -backend-config=\"kms_key_id=...\"."
  value       = aws_kms_key.this.arn
}
