output "bucket" {
  description = "The state bucket, for -backend-config=\"bucket=...\"."
  value       = aws_s3_bucket.this.id
}

output "kms_key_arn" {
  description = "The key that encrypts the state, for -backend-config=\"kms_key_id=...\"."
  value       = aws_kms_key.this.arn
}
