"""Contacts and their identities, the inbound queue, conversations, deliveries, link tokens.

Revision ID: 0002
Revises: 0001
"""

from servicedesk.kernel.migrations import execute_all

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute_all(
        """
        create table channels.contacts (
            id uuid primary key,
            user_id varchar(64) unique,
            username varchar(100),
            name varchar(200) not null,
            locale varchar(8) not null default 'ru',
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now()
        );

        create table channels.identities (
            id uuid primary key,
            contact_id uuid not null references channels.contacts (id),
            channel varchar(16) not null,
            address varchar(64) not null,
            chat_id bigint,
            provider varchar(32),
            display varchar(200) not null,
            reachable boolean not null default true,
            unreachable_reason varchar(200),
            bound_at timestamptz,
            created_at timestamptz not null default now(),
            unique (channel, address)
        );
        create index ix_identities_contact on channels.identities (contact_id);

        create table channels.inbox (
            id bigint generated always as identity primary key,
            channel varchar(16) not null,
            source varchar(64) not null,
            external_id varchar(128) not null,
            thread varchar(128) not null,
            payload jsonb not null,
            received_at timestamptz not null default now(),
            processed_at timestamptz,
            outcome varchar(32),
            attempts integer not null default 0,
            last_error text,
            unique (source, external_id)
        );
        create index ix_inbox_pending on channels.inbox (id) where processed_at is null;
        create index ix_inbox_pending_thread on channels.inbox (thread, id)
            where processed_at is null;

        create table channels.link_tokens (
            token_hash char(64) primary key,
            user_id varchar(64) not null,
            username varchar(100) not null,
            name varchar(200) not null,
            created_at timestamptz not null default now(),
            expires_at timestamptz not null,
            used_at timestamptz,
            identity_id uuid references channels.identities (id)
        );
        create index ix_link_tokens_user on channels.link_tokens (user_id, created_at);

        create table channels.conversations (
            id uuid primary key,
            incident_id uuid not null,
            incident_key varchar(24) not null,
            identity_id uuid not null references channels.identities (id),
            contact_id uuid not null references channels.contacts (id),
            channel varchar(16) not null,
            status varchar(64) not null default 'new',
            opened_here boolean not null default true,
            title varchar(200) not null default '',
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            unique (incident_id, identity_id)
        );
        create index ix_conversations_contact on channels.conversations (contact_id, created_at);
        create index ix_conversations_identity on channels.conversations (identity_id, updated_at);

        create table channels.dialogs (
            identity_id uuid primary key references channels.identities (id),
            state varchar(32) not null,
            data jsonb not null default '{}'::jsonb,
            updated_at timestamptz not null default now()
        );

        create table channels.deliveries (
            id uuid primary key,
            seq bigint generated always as identity unique,
            caller varchar(100) not null,
            idempotency_key varchar(200) not null,
            channel varchar(16) not null,
            contact_id uuid references channels.contacts (id),
            identity_id uuid references channels.identities (id),
            address varchar(64) not null,
            body text not null,
            markup jsonb,
            incident_id uuid,
            incident_key varchar(24),
            status varchar(16) not null default 'queued',
            parts integer not null default 0,
            attempts integer not null default 0,
            next_attempt_at timestamptz not null default now(),
            last_error text,
            created_at timestamptz not null default now(),
            sent_at timestamptz,
            delivered_at timestamptz,
            updated_at timestamptz not null default now(),
            unique (caller, idempotency_key)
        );
        create index ix_deliveries_queued on channels.deliveries (next_attempt_at)
            where status = 'queued';
        create index ix_deliveries_queued_address on channels.deliveries (channel, address, seq)
            where status = 'queued';

        create table channels.delivery_attempts (
            id bigint generated always as identity primary key,
            delivery_id uuid not null references channels.deliveries (id),
            attempt integer not null,
            at timestamptz not null default now(),
            outcome varchar(32) not null,
            detail text,
            latency_ms double precision
        );
        create index ix_delivery_attempts_delivery on channels.delivery_attempts (delivery_id);

        create table channels.provider_messages (
            provider varchar(32) not null,
            provider_message_id varchar(128) not null,
            delivery_id uuid not null references channels.deliveries (id),
            primary key (provider, provider_message_id)
        );

        create table channels.delivery_statuses (
            provider varchar(32) not null,
            provider_message_id varchar(128) not null,
            status varchar(32) not null,
            at timestamptz not null default now(),
            primary key (provider, provider_message_id, status)
        );
        """
    )


def downgrade() -> None:
    execute_all(
        """
        drop table channels.delivery_statuses;
        drop table channels.provider_messages;
        drop table channels.delivery_attempts;
        drop table channels.deliveries;
        drop table channels.dialogs;
        drop table channels.conversations;
        drop table channels.link_tokens;
        drop table channels.inbox;
        drop table channels.identities;
        drop table channels.contacts;
        """
    )
