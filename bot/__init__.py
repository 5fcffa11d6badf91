"""The inbound edge (Slack, HTTP, CLI) and the composition root."""
