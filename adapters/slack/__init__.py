"""Slack as an outbound port: posting notifications, with bounded retries."""
