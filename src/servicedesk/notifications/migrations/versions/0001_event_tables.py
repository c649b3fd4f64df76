"""The outbox and processed-messages tables.

Revision ID: 0001
Revises:
"""

from servicedesk.kernel.migrations import create_event_tables, drop_event_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_event_tables("notifications")


def downgrade() -> None:
    drop_event_tables("notifications")
