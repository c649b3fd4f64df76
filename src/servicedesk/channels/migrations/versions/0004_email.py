"""Email: addresses up to 320 characters, the Message-IDs of mail received, and each support
mailbox's UID high-water mark.

Revision ID: 0004
Revises: 0003
"""

from servicedesk.kernel.migrations import execute_all

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    execute_all(
        """
        alter table channels.identities alter column address type varchar(320);
        alter table channels.deliveries alter column address type varchar(320);

        create table channels.email_messages (
            message_id varchar(998) primary key,
            incident_id uuid not null,
            incident_key varchar(24) not null,
            identity_id uuid not null references channels.identities (id),
            subject varchar(300) not null default '',
            received_at timestamptz not null default now()
        );
        create index ix_email_messages_incident on channels.email_messages (incident_id);

        create table channels.email_mailboxes (
            mailbox varchar(320) not null,
            folder varchar(200) not null,
            uidvalidity bigint not null,
            last_uid bigint not null,
            updated_at timestamptz not null default now(),
            primary key (mailbox, folder)
        );
        create index ix_deliveries_email_sent on channels.deliveries (address, created_at)
            where channel = 'email';
        """
    )


def downgrade() -> None:
    execute_all(
        """
        drop index channels.ix_deliveries_email_sent;
        drop table channels.email_mailboxes;
        drop table channels.email_messages;
        alter table channels.deliveries alter column address type varchar(64);
        alter table channels.identities alter column address type varchar(64);
        """
    )
