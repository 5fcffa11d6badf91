"""Remediation: actions, the approval state machine, approval policy and the service that runs them."""
