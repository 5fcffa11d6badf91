"""Simulated systems for the demo: metrics from a FleetModel and cloud actions kept in memory."""
