"""Replies of reporters relayed by the channels, and finding a contact's incidents.

A comment says whether the incident's reporter wrote it (`from_reporter`) and which service
relayed it on their behalf (`via`, the service's username; null when written in the console).
An Idempotency-Key may now stand for a comment (`comment_id`) as well as for a registration.
The list's reporter filters (by Telegram id, by phone) read their own partial indexes in the
list's newest-first order, as the one by realm user (ix_incidents_reporter) does.

Revision ID: 0008
Revises: 0007
"""

from servicedesk.kernel.migrations import execute_all

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    execute_all(
        """
        alter table tickets.comments
            add column from_reporter boolean not null default false,
            add column via varchar(100);
        alter table tickets.idempotency_keys
            add column comment_id uuid references tickets.comments (id);
        create index ix_incidents_reporter_telegram on tickets.incidents
            (reporter_telegram_id, created_at desc, id desc)
            where reporter_telegram_id is not null;
        create index ix_incidents_reporter_phone on tickets.incidents
            (reporter_phone, created_at desc, id desc) where reporter_phone is not null;
        """
    )


def downgrade() -> None:
    execute_all(
        """
        drop index tickets.ix_incidents_reporter_phone;
        drop index tickets.ix_incidents_reporter_telegram;
        alter table tickets.idempotency_keys drop column comment_id;
        alter table tickets.comments drop column via, drop column from_reporter;
        """
    )
