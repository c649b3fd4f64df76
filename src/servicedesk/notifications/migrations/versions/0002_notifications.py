"""Preferences, watchers, notifications and their dispatches, mail threads, service marks.

Revision ID: 0002
Revises: 0001
"""

from servicedesk.kernel.migrations import execute_all

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute_all(
        """
        create table notifications.preferences (
            user_id varchar(64) primary key,
            matrix jsonb,
            quiet_enabled boolean not null default false,
            quiet_start time not null default '22:00',
            quiet_end time not null default '08:00',
            timezone varchar(64),
            daily_summary boolean not null default false,
            email_off jsonb not null default '[]',
            updated_at timestamptz not null default now()
        );

        create table notifications.watchers (
            aggregate_type varchar(16) not null,
            aggregate_id uuid not null,
            user_id varchar(64) not null,
            username varchar(100) not null,
            source varchar(16) not null,
            created_at timestamptz not null default now(),
            primary key (aggregate_type, aggregate_id, user_id)
        );
        create index ix_watchers_user on notifications.watchers (user_id);

        create table notifications.notifications (
            seq bigint generated always as identity primary key,
            event_id uuid not null,
            user_id varchar(64) not null,
            username varchar(100) not null,
            kind varchar(32) not null,
            aggregate_type varchar(16) not null,
            aggregate_id uuid not null,
            key varchar(32) not null,
            priority varchar(16),
            actor varchar(100),
            params jsonb not null,
            in_app boolean not null,
            title text not null,
            body text not null,
            link varchar(200) not null,
            created_at timestamptz not null default now(),
            read_at timestamptz,
            unique (event_id, user_id)
        );
        create index ix_notifications_user on notifications.notifications (user_id, seq desc)
            where in_app;
        create index ix_notifications_unread on notifications.notifications (user_id)
            where in_app and read_at is null;

        create table notifications.dispatches (
            id uuid primary key,
            notification_seq bigint not null references notifications.notifications (seq),
            user_id varchar(64) not null,
            channel varchar(16) not null,
            status varchar(16) not null,
            reason text,
            due_at timestamptz not null,
            digest_key varchar(120),
            attempts integer not null default 0,
            last_error text,
            sent_at timestamptz,
            external_id varchar(200),
            digest_id uuid,
            created_at timestamptz not null default now()
        );
        create index ix_dispatches_due on notifications.dispatches (due_at)
            where status in ('pending', 'held');
        create index ix_dispatches_digest on notifications.dispatches (digest_key)
            where status in ('pending', 'held');
        create index ix_dispatches_notification on notifications.dispatches (notification_seq);

        create table notifications.mail_threads (
            user_id varchar(64) not null,
            aggregate_id uuid not null,
            root_message_id varchar(200) not null,
            last_message_id varchar(200) not null,
            updated_at timestamptz not null default now(),
            primary key (user_id, aggregate_id)
        );

        create table notifications.service_marks (
            name varchar(64) primary key,
            value jsonb not null,
            updated_at timestamptz not null default now()
        );
        """
    )


def downgrade() -> None:
    execute_all(
        """
        drop table notifications.service_marks;
        drop table notifications.mail_threads;
        drop table notifications.dispatches;
        drop table notifications.notifications;
        drop table notifications.watchers;
        drop table notifications.preferences;
        """
    )
