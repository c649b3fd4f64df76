"""When an order was moved in from the legacy system (null for orders made here).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("alter table orders.orders add column moved_at timestamptz")


def downgrade() -> None:
    op.execute("alter table orders.orders drop column moved_at")
