"""Every table of the tickets schema in one metadata, for Alembic: importing this module
imports every domain's models, so `metadata` holds them all (and the outbox)."""

from __future__ import annotations

from servicedesk.tickets.attachments import models as attachments
from servicedesk.tickets.boards import models as boards
from servicedesk.tickets.comments import models as comments
from servicedesk.tickets.db import SCHEMA, Base, outbox, processed_messages
from servicedesk.tickets.filters import models as filters
from servicedesk.tickets.history import models as history
from servicedesk.tickets.incidents import models as incidents
from servicedesk.tickets.problems import models as problems

metadata = Base.metadata
DOMAIN_MODELS = (incidents, problems, comments, attachments, history, filters, boards)

__all__ = ["DOMAIN_MODELS", "SCHEMA", "metadata", "outbox", "processed_messages"]
