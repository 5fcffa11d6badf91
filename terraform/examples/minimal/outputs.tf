# Everything ansible/inventory/terraform_inventory.py and docs/deploy.md read, passed
# through from the module (tests/infra/fixtures/minimal-outputs.json records their shape).

output "region" {
  description = "AWS region everything was created in."
  value       = module.smartcloudops.region
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.smartcloudops.vpc_id
}

output "monitoring_instance_id" {
  description = "Instance ID of the monitoring host (the target of SSM Session Manager)."
  value       = module.smartcloudops.monitoring_instance_id
}

output "monitoring_public_ip" {
  description = "Public IPv4 address of the monitoring host."
  value       = module.smartcloudops.monitoring_public_ip
}

output "monitoring_private_ip" {
  description = "Private IPv4 address of the monitoring host."
  value       = module.smartcloudops.monitoring_private_ip
}

output "grafana_url" {
  description = "Grafana URL (admin CIDR only)."
  value       = module.smartcloudops.grafana_url
}

output "app_autoscaling_group_name" {
  description = "Name of the app Auto Scaling group the bot may scale."
  value       = module.smartcloudops.app_autoscaling_group_name
}

output "app_log_group_name" {
  description = "CloudWatch log group the app fleet ships to and the bot searches."
  value       = module.smartcloudops.app_log_group_name
}

output "fleet_tag" {
  description = "Tag key and value that mark instances the bot may send commands to."
  value       = module.smartcloudops.fleet_tag
}

output "ssm_parameter_path" {
  description = "Parameter path prefix to set as SCO_SECRETS__SSM_PATH."
  value       = module.smartcloudops.ssm_parameter_path
}

output "ssm_parameter_names" {
  description = "Parameters to fill with aws ssm put-parameter."
  value       = module.smartcloudops.ssm_parameter_names
}

output "kms_key_arn" {
  description = "KMS key to encrypt the parameters with (aws ssm put-parameter --key-id)."
  value       = module.smartcloudops.kms_key_arn
}

output "alerts_sns_topic_arn" {
  description = "SNS topic Alertmanager publishes to."
  value       = module.smartcloudops.alerts_sns_topic_arn
}
