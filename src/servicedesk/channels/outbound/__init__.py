"""Messages out: queued deliveries, sent by a worker within each provider's limits."""
