"""A simulated fleet of hosts: a deterministic model of their metrics and a node_exporter-format server."""
