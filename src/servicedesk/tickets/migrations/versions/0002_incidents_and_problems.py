"""Incidents, problems, comments, attachments, history and idempotency keys.

Revision ID: 0002
Revises: 0001
"""

from servicedesk.kernel.migrations import execute_all

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute_all(
        """
        create function tickets.document_vector(title text, body text) returns tsvector
        language sql immutable parallel safe
        return setweight(to_tsvector('russian'::regconfig,
                                     translate(coalesce(title, ''), 'ёЁ', 'еЕ')), 'A')
            || setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('russian'::regconfig,
                                     translate(coalesce(body, ''), 'ёЁ', 'еЕ')), 'B')
            || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B');

        create function tickets.text_query(query text) returns tsquery
        language sql immutable parallel safe
        return websearch_to_tsquery('russian'::regconfig, translate(query, 'ёЁ', 'еЕ'))
            || websearch_to_tsquery('english'::regconfig, query);

        create sequence tickets.incident_numbers;
        create sequence tickets.problem_numbers;

        create table tickets.problems (
            id uuid primary key,
            number bigint not null unique,
            title varchar(200) not null,
            description text not null,
            category varchar(64) not null,
            priority varchar(16) not null,
            priority_rank smallint not null,
            status varchar(64) not null,
            status_changed_at timestamptz not null default now(),
            correlation_rule varchar(64),
            client_ref varchar(64),
            client_name varchar(200),
            order_ref varchar(64),
            assignee_id varchar(64),
            assignee_username varchar(100),
            resolution text,
            closed_at timestamptz,
            version integer not null default 1,
            created_at timestamptz not null default now(),
            created_by varchar(100) not null,
            updated_at timestamptz not null default now(),
            updated_by varchar(100) not null
        );
        create index ix_problems_newest on tickets.problems (created_at desc, id desc);
        create index ix_problems_open on tickets.problems (status, created_at desc)
            where closed_at is null;

        create table tickets.incidents (
            id uuid primary key,
            number bigint not null unique,
            title varchar(200) not null,
            description text not null,
            category varchar(64) not null,
            impact varchar(16) not null,
            urgency varchar(16) not null,
            priority varchar(16) not null,
            priority_rank smallint not null,
            status varchar(64) not null,
            status_changed_at timestamptz not null default now(),
            channel varchar(16) not null,
            reporter_id varchar(64),
            reporter_username varchar(100),
            reporter_name varchar(200),
            reporter_email varchar(254),
            reporter_phone varchar(16),
            reporter_telegram_id bigint,
            client_ref varchar(64),
            client_name varchar(200),
            client_source varchar(16),
            order_ref varchar(64),
            order_number varchar(64),
            assignee_id varchar(64),
            assignee_username varchar(100),
            group_id varchar(64),
            group_name varchar(200),
            problem_id uuid references tickets.problems (id),
            resolution text,
            response_due_at timestamptz,
            resolution_due_at timestamptz,
            responded_at timestamptz,
            resolved_at timestamptz,
            sla_paused_at timestamptz,
            response_breached_at timestamptz,
            resolution_breached_at timestamptz,
            version integer not null default 1,
            created_at timestamptz not null default now(),
            created_by varchar(100) not null,
            updated_at timestamptz not null default now(),
            updated_by varchar(100) not null,
            search_vector tsvector
                generated always as (tickets.document_vector(title, description)) stored
        );
        create index ix_incidents_newest on tickets.incidents (created_at desc, id desc);
        create index ix_incidents_assignee_status on tickets.incidents
            (assignee_username, status, created_at desc, id desc);
        create index ix_incidents_status on tickets.incidents (status, created_at desc, id desc);
        create index ix_incidents_reporter on tickets.incidents (reporter_id, created_at desc)
            where reporter_id is not null;
        create index ix_incidents_problem on tickets.incidents (problem_id)
            where problem_id is not null;
        create index ix_incidents_order on tickets.incidents (order_ref, created_at desc)
            where order_ref is not null;
        create index ix_incidents_client on tickets.incidents
            (client_ref, category, created_at desc) where client_ref is not null;
        create index ix_incidents_text on tickets.incidents using gin (search_vector);
        create index ix_incidents_response_due on tickets.incidents (response_due_at)
            where responded_at is null and response_breached_at is null;
        create index ix_incidents_resolution_due on tickets.incidents (resolution_due_at)
            where resolved_at is null and resolution_breached_at is null;

        create table tickets.comments (
            id uuid primary key,
            incident_id uuid not null references tickets.incidents (id),
            visibility varchar(16) not null check (visibility in ('public', 'internal')),
            body text not null,
            author_id varchar(64),
            author_username varchar(100) not null,
            created_at timestamptz not null default now(),
            search_vector tsvector generated always as (tickets.document_vector('', body)) stored
        );
        create index ix_comments_incident on tickets.comments (incident_id, created_at);
        create index ix_comments_text on tickets.comments using gin (search_vector);

        create table tickets.attachments (
            id uuid primary key,
            incident_id uuid not null references tickets.incidents (id),
            filename varchar(255) not null,
            content_type varchar(100) not null,
            size bigint not null,
            sha256 varchar(64) not null,
            storage_key varchar(200) not null,
            visibility varchar(16) not null check (visibility in ('public', 'internal')),
            uploaded_by varchar(100) not null,
            created_at timestamptz not null default now()
        );
        create index ix_attachments_incident on tickets.attachments (incident_id, created_at);

        create table tickets.history (
            id bigint generated always as identity primary key,
            ticket_kind varchar(16) not null,
            ticket_id uuid not null,
            at timestamptz not null default now(),
            actor varchar(100) not null,
            field varchar(64) not null,
            old_value text,
            new_value text,
            note text
        );
        create index ix_history_ticket on tickets.history (ticket_kind, ticket_id, id);

        create table tickets.idempotency_keys (
            scope varchar(100) not null,
            key varchar(200) not null,
            request_hash varchar(64) not null,
            incident_id uuid not null references tickets.incidents (id),
            created_at timestamptz not null default now(),
            primary key (scope, key)
        );
        """
    )


def downgrade() -> None:
    execute_all(
        """
        drop table tickets.idempotency_keys;
        drop table tickets.history;
        drop table tickets.attachments;
        drop table tickets.comments;
        drop table tickets.incidents;
        drop table tickets.problems;
        drop sequence tickets.problem_numbers;
        drop sequence tickets.incident_numbers;
        drop function tickets.text_query(text);
        drop function tickets.document_vector(text, text);
        """
    )
