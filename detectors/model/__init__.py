"""The anomaly model: robust scoring, the fleet baseline model, its cycle, severity and training rows."""
