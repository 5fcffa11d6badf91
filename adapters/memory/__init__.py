"""In-memory twins of the stores, for the demo and unit tests; they pass the same contract tests as Redis."""
