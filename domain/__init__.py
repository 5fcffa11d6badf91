"""Shared vocabulary of SmartCloudOps: models, ports and errors. Imports no SDK."""
