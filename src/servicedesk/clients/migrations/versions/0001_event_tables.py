"""The outbox and processed-messages tables.

Revision ID: 0001
Revises:
"""

from alembic import op

from servicedesk.kernel.migrations import create_event_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_event_tables(op, "clients")


def downgrade() -> None:
    op.drop_table("processed_messages", schema="clients")
    op.drop_table("outbox", schema="clients")
