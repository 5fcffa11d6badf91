"""Detection: pure detectors over series, and the service that turns their findings into anomalies."""
