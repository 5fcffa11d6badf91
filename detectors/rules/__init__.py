"""Duration rules: grammar, evaluation over series, the rules file and the Prometheus export."""
