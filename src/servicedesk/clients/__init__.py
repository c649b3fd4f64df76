"""The clients service: our own client records."""
