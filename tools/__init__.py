"""What the agent and the deterministic router may call: plain typed functions in one registry."""
