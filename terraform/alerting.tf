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

# Dead man's switch for the monitoring host itself: CloudWatch, not the host, notices
# that it stopped passing status checks (or stopped reporting) and publishes to the topic.
resource "aws_cloudwatch_metric_alarm" "monitoring_host_down" {
  alarm_name          = "${var.name}-${var.environment}-monitoring-host-down"
  alarm_description   = "The monitoring host (Prometheus, Alertmanager, the bot) fails EC2 status checks or stopped reporting; no other alert can reach you while it is down."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  dimensions = {
    InstanceId = aws_instance.this.id
  }
  alarm_actions = [aws_sns_topic.alerts.arn]
  ok_actions    = [aws_sns_topic.alerts.arn]

  tags = local.tags
}
