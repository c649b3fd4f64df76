"""Name words: each client's folded words, and the vocabulary of all of them, for fast search.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"

UPGRADE = [
    """
    create function clients.name_words(value text) returns text[]
    language sql immutable parallel safe
    return array_remove(regexp_split_to_array(clients.fold_name(value), '[^[:alnum:]]+'), '')
    """,
    """
    alter table clients.clients add column search_words text[]
    generated always as (clients.name_words(display_name)) stored
    """,
    "create index ix_clients_search_words on clients.clients using gin (search_words)",
    "create table clients.name_words (word text primary key)",
    """
    create index ix_name_words_trgm on clients.name_words
    using gist (word public.gist_trgm_ops)
    """,
    """
    create function clients.remember_name_words() returns trigger
    language plpgsql as $$
    begin
        insert into clients.name_words (word)
        select distinct unnest(search_words) from new_rows
        on conflict do nothing;
        return null;
    end
    $$
    """,
    """
    create trigger remember_name_words_on_insert after insert on clients.clients
    referencing new table as new_rows
    for each statement execute function clients.remember_name_words()
    """,
    """
    create trigger remember_name_words_on_update after update on clients.clients
    referencing new table as new_rows
    for each statement execute function clients.remember_name_words()
    """,
    """
    insert into clients.name_words (word)
    select distinct unnest(search_words) from clients.clients
    on conflict do nothing
    """,
]

DOWNGRADE = [
    "drop trigger remember_name_words_on_update on clients.clients",
    "drop trigger remember_name_words_on_insert on clients.clients",
    "drop function clients.remember_name_words()",
    "drop table clients.name_words",
    "alter table clients.clients drop column search_words",
    "drop function clients.name_words(text)",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
