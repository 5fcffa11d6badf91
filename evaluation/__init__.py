"""Offline evaluation: quality metrics, batch detection over recorded data, baselines and dataset readers."""
