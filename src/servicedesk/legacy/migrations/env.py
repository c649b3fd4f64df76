from servicedesk.kernel.migrations import run_migrations
from servicedesk.legacy.models import SCHEMA, Base

run_migrations(Base.metadata, SCHEMA)
