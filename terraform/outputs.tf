################################################################################
# Network
################################################################################

output "vpc_id" {
  description = "ID of the VPC."
  value       = try(aws_vpc.this.id, null)
}

output "public_subnet_ids" {
  description = "IDs of the two public subnets."
  value       = try(aws_subnet.public[*].id, [])
}

output "monitoring_security_group_id" {
  description = "Security group of the monitoring host."
  value       = try(aws_security_group.monitoring.id, null)
}

output "app_security_group_id" {
  description = "Security group of the app fleet."
  value       = try(aws_security_group.app.id, null)
}

################################################################################
# Compute
################################################################################

output "monitoring_instance_id" {
  description = "Instance ID of the monitoring host."
  value       = try(aws_instance.this.id, null)
}

output "monitoring_public_ip" {
  description = "Public IPv4 address of the monitoring host (Ansible connects here)."
  value       = try(aws_instance.this.public_ip, null)
}

output "monitoring_private_ip" {
  description = "Private IPv4 address of the monitoring host."
  value       = try(aws_instance.this.private_ip, null)
}

output "grafana_url" {
  description = "Grafana on the monitoring host; reachable from admin_cidr only."
  value       = try("http://${aws_instance.this.public_ip}:3000", null)
}

output "prometheus_url" {
  description = "Prometheus on the monitoring host; reachable from admin_cidr only."
  value       = try("http://${aws_instance.this.public_ip}:9090", null)
}

output "app_autoscaling_group_name" {
  description = "Name of the app Auto Scaling group the bot may scale."
  value       = try(aws_autoscaling_group.this.name, null)
}

output "app_autoscaling_group_arn" {
  description = "ARN of the app Auto Scaling group."
  value       = try(aws_autoscaling_group.this.arn, null)
}

output "fleet_tag" {
  description = "Tag key and value that mark instances the bot may send commands to."
  value       = { key = local.fleet_tag_key, value = var.name }
}

################################################################################
# IAM, logs, secrets, alerting
################################################################################

output "monitoring_role_arn" {
  description = "IAM role of the monitoring host, which carries the bot's policy."
  value       = try(aws_iam_role.monitoring.arn, null)
}

output "app_log_group_name" {
  description = "CloudWatch log group the bot searches (logs:FilterLogEvents)."
  value       = try(aws_cloudwatch_log_group.app.name, null)
}

output "ssm_parameter_path" {
  description = "Parameter path prefix to set as SCO_SECRETS__SSM_PATH."
  value       = local.ssm_path
}

output "ssm_parameter_names" {
  description = "Full names of the SecureString parameters to fill out of band, by short name."
  value       = { for k, p in aws_ssm_parameter.secrets : k => p.name }
}

output "kms_key_arn" {
  description = "KMS key encrypting the parameters, log groups and alerts topic."
  value       = try(aws_kms_key.this.arn, null)
}

output "alerts_sns_topic_arn" {
  description = "SNS topic Alertmanager publishes to."
  value       = try(aws_sns_topic.alerts.arn, null)
}

output "region" {
  description = "AWS region everything was created in."
  value       = local.region
}
