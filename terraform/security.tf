# Ingress policy, checked by tests/infra/test_terraform_network.py:
#   22                   admin CIDR only, and only while ssh_enabled (Session Manager needs none)
#   80                   public (app fleet only: nginx)
#   3000, 9090, 9100     admin CIDR and the VPC only
# Nothing else is reachable from 0.0.0.0/0.

locals {
  # Sources allowed to reach the monitoring ports.
  admin_sources = {
    admin = var.admin_cidr
    vpc   = var.vpc_cidr
  }
}

################################################################################
# Monitoring host: Prometheus, Alertmanager, Grafana, node_exporter, the bot
################################################################################

resource "aws_security_group" "monitoring" {
  name_prefix = "${var.name}-monitoring-"
  description = "SmartCloudOps monitoring host: admin access and in-VPC scraping only"
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-monitoring" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "monitoring_ssh" {
  count = var.ssh_enabled ? 1 : 0

  security_group_id = aws_security_group.monitoring.id
  description       = "SSH from the admin network"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = var.admin_cidr

  tags = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "monitoring_grafana" {
  for_each = local.admin_sources

  security_group_id = aws_security_group.monitoring.id
  description       = "Grafana from the ${each.key} network"
  ip_protocol       = "tcp"
  from_port         = 3000
  to_port           = 3000
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "monitoring_prometheus" {
  for_each = local.admin_sources

  security_group_id = aws_security_group.monitoring.id
  description       = "Prometheus from the ${each.key} network"
  ip_protocol       = "tcp"
  from_port         = 9090
  to_port           = 9090
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "monitoring_node_exporter" {
  for_each = local.admin_sources

  security_group_id = aws_security_group.monitoring.id
  description       = "node_exporter from the ${each.key} network"
  ip_protocol       = "tcp"
  from_port         = 9100
  to_port           = 9100
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "monitoring_https" {
  security_group_id = aws_security_group.monitoring.id
  description       = "HTTPS to AWS APIs, Slack, the LLM endpoint and package mirrors (no NAT or VPC endpoints in this layout)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0" #trivy:ignore:AVD-AWS-0104 egress is limited to 443; destinations are public SaaS endpoints with no fixed ranges

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "monitoring_vpc" {
  security_group_id = aws_security_group.monitoring.id
  description       = "Scraping exporters and reaching the app fleet inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
  cidr_ipv4         = var.vpc_cidr

  tags = local.tags
}

################################################################################
# App fleet (Auto Scaling group)
################################################################################

resource "aws_security_group" "app" {
  name_prefix = "${var.name}-app-"
  description = "SmartCloudOps app fleet: public HTTP, admin SSH, in-VPC scraping"
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-app" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "app_http" {
  #checkov:skip=CKV_AWS_260:Port 80 is the app fleet's public service port; it is the only port open to the internet.
  security_group_id = aws_security_group.app.id
  description       = "Public HTTP to the app (nginx, installed at boot)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0" #trivy:ignore:AVD-AWS-0107 port 80 is the public service port by design

  tags = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "app_ssh" {
  count = var.ssh_enabled ? 1 : 0

  security_group_id = aws_security_group.app.id
  description       = "SSH from the admin network"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = var.admin_cidr

  tags = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "app_node_exporter" {
  for_each = local.admin_sources

  security_group_id = aws_security_group.app.id
  description       = "node_exporter from the ${each.key} network"
  ip_protocol       = "tcp"
  from_port         = 9100
  to_port           = 9100
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to the SSM agent endpoints, CloudWatch Logs and package mirrors"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0" #trivy:ignore:AVD-AWS-0104 egress is limited to 443 for AWS APIs and mirrors without NAT or VPC endpoints

  tags = local.tags
}
