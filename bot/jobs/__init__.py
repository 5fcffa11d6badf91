"""Scheduled jobs: the scheduler, detection, rule actions, the digest and the model retrain."""
