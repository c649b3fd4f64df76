from servicedesk.kernel.migrations import run_migrations
from servicedesk.tickets.metadata import SCHEMA, metadata

run_migrations(metadata, SCHEMA)
