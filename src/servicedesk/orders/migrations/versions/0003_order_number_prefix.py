"""Prefix search on order numbers.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("create index ix_orders_number_prefix on orders.orders (number text_pattern_ops)")


def downgrade() -> None:
    op.execute("drop index orders.ix_orders_number_prefix")
