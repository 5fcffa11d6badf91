"""The HTTP edge: the product's API and the ASGI app that serves it beside Slack's events."""
