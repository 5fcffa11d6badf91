"""The Slack app: the Bolt app, its middleware and listeners, and what it says (blocks, messages, charts)."""
