from servicedesk.channels.models import SCHEMA, Base
from servicedesk.kernel.migrations import run_migrations

run_migrations(Base.metadata, SCHEMA)
