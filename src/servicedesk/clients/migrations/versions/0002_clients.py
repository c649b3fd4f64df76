"""Clients, with a folded name for typo-tolerant search.

Revision ID: 0002
Revises: 0001
"""

from servicedesk.kernel.migrations import execute_all

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute_all(
        """
        create function clients.fold_name(value text) returns text
        language sql immutable parallel safe
        return regexp_replace(translate(lower(value), 'ё', 'е'), '\\s+', ' ', 'g');

        create table clients.clients (
            id uuid primary key,
            display_name varchar(200) not null,
            kind varchar(16) not null check (kind in ('person', 'company')),
            email varchar(254),
            phone varchar(16),
            tax_id varchar(12),
            external_id varchar(64) unique,
            version integer not null default 1,
            created_at timestamptz not null default now(),
            created_by varchar(100) not null,
            updated_at timestamptz not null default now(),
            updated_by varchar(100) not null,
            search_name text generated always as (clients.fold_name(display_name)) stored
        );
        create index ix_clients_search_trgm on clients.clients
            using gin (search_name public.gin_trgm_ops);
        create index ix_clients_name_order on clients.clients (search_name, id);
        """
    )


def downgrade() -> None:
    execute_all("drop table clients.clients;\ndrop function clients.fold_name(text);\n")
