# Alertmanager's SNS receiver publishes here (see monitoring/alertmanager/alertmanager.yml).

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-${var.environment}-alerts"
  kms_master_key_id = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_email_addresses)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}
