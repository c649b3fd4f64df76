"""Saved filters and boards.

Revision ID: 0003
Revises: 0002
"""

from servicedesk.kernel.migrations import execute_all

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    execute_all(
        """
        create table tickets.saved_filters (
            id uuid primary key,
            owner_id varchar(64) not null,
            owner_username varchar(100) not null,
            name varchar(100) not null,
            entity varchar(16) not null check (entity in ('incident', 'problem')),
            query text not null,
            scope varchar(16) not null check (scope in ('private', 'group', 'everyone')),
            scope_group varchar(200),
            version integer not null default 1,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            check ((scope = 'group') = (scope_group is not null)),
            unique (owner_id, name)
        );
        create index ix_saved_filters_shared on tickets.saved_filters (scope, scope_group)
            where scope <> 'private';

        create table tickets.boards (
            id uuid primary key,
            owner_id varchar(64) not null,
            owner_username varchar(100) not null,
            name varchar(100) not null,
            kind varchar(16) not null check (kind in ('kanban', 'list', 'dashboard')),
            entity varchar(16) not null check (entity in ('incident', 'problem')),
            query text,
            filter_id uuid references tickets.saved_filters (id) on delete set null,
            layout jsonb not null default '{}'::jsonb,
            scope varchar(16) not null check (scope in ('private', 'group', 'everyone')),
            scope_group varchar(200),
            is_default boolean not null default false,
            version integer not null default 1,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            check ((scope = 'group') = (scope_group is not null)),
            unique (owner_id, name)
        );
        create unique index ux_boards_default on tickets.boards (owner_id) where is_default;
        create index ix_boards_shared on tickets.boards (scope, scope_group)
            where scope <> 'private';
        """
    )


def downgrade() -> None:
    execute_all("drop table tickets.boards;\ndrop table tickets.saved_filters;\n")
