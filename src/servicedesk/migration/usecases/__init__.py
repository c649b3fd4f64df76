"""The migration service's rules, one module a use case: the seed's rules for clients
(`clients`) and orders (`orders`), one record by reference (`lookups`), paging through both
systems (`union_pages`), moving a record in (`moving`), reading the legacy system through its
cache and breaker (`legacy_reads`), progress and the parallel-run check (`progress`,
`verification`)."""
