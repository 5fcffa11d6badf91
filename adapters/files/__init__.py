"""Local files: the audit log, the product's own logs, model files, CSVs, conversations and the anomaly spool."""
