"""The ESB: commands received from other systems (dedup by CloudEvents source and id) and the
incidents each calling system follows, with its own reference.

Revision ID: 0003
Revises: 0002
"""

from servicedesk.kernel.migrations import execute_all

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    execute_all(
        """
        create table channels.esb_commands (
            source varchar(255) not null,
            event_id varchar(255) not null,
            caller varchar(64) not null,
            type varchar(128) not null,
            reference varchar(255),
            incident_id uuid,
            outcome varchar(32) not null,
            detail text,
            received_at timestamptz not null default now(),
            primary key (source, event_id)
        );
        create index ix_esb_commands_caller on channels.esb_commands (caller, received_at);

        create table channels.esb_followers (
            incident_id uuid not null,
            caller varchar(64) not null,
            incident_key varchar(24) not null,
            source varchar(255) not null,
            reference varchar(255),
            opened_here boolean not null default false,
            status varchar(64) not null default 'new',
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            primary key (incident_id, caller)
        );
        create index ix_esb_followers_reference on channels.esb_followers (caller, reference);
        """
    )


def downgrade() -> None:
    execute_all(
        """
        drop table channels.esb_followers;
        drop table channels.esb_commands;
        """
    )
