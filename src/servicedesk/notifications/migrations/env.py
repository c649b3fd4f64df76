from servicedesk.kernel.migrations import run_migrations
from servicedesk.notifications.models import SCHEMA, metadata

run_migrations(metadata, SCHEMA)
