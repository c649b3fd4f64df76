"""Where the backfill of each entity has got to, so that it resumes there.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute(
        """
        create table migration.backfill_checkpoints (
            entity varchar(32) primary key,
            legacy_offset bigint not null default 0,
            moved bigint not null default 0,
            kept bigint not null default 0,
            failed bigint not null default 0,
            updated_at timestamptz not null default now()
        )
        """
    )


def downgrade() -> None:
    op.execute("drop table migration.backfill_checkpoints")
