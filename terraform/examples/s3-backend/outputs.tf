output "monitoring_public_ip" {
  description = "Public IPv4 address of the monitoring host."
  value       = module.smartcloudops.monitoring_public_ip
}

output "grafana_url" {
  description = "Grafana URL (admin CIDR only)."
  value       = module.smartcloudops.grafana_url
}

output "ssm_parameter_names" {
  description = "Parameters to fill with aws ssm put-parameter."
  value       = module.smartcloudops.ssm_parameter_names
}
