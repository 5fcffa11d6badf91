"""SQLite: the stores one machine's processes share when Redis is not configured, one module per port."""
