"""Adapters to the systems outside the migration service: the legacy API (`legacy_api`), the
cache in Redis of what it answered (`legacy_cache`; the breaker around it is the kernel's
`SharedBreaker`), and our clients and orders services (`our_services`). Use cases see them
through the interfaces in `ports`."""
