"""Configuration: the Settings model, secrets from SSM, and the settings table generated from them."""
