"""Customers and orders of the simulated legacy system, and its prefix name search.

Name search is a prefix match at the start of any word of the name. For each word of a
customer's name, `customer_name_tails` holds the rest of the name from that word on (lower
case, words split at anything that is not a letter or digit, joined by one space), under a
btree with `text_pattern_ops`: `tail like 'иван%'` is an index range scan, and a query of
several words ("иванов пётр") is still one prefix. Statement-level triggers (transition
tables) keep it, so a COPY of 50,000 customers fills it with one INSERT … SELECT.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"

_STATE_CODES = "'НОВ', 'ПОДТВ', 'ОПЛ', 'ОТГР', 'ЗАКР', 'ОТМ'"

_UPGRADE = [
    """
    create function legacy.name_key(value text) returns text
    language sql immutable parallel safe
    return btrim(regexp_replace(lower(value), '[^[:alnum:]]+', ' ', 'g'))
    """,
    """
    create function legacy.name_tails(value text) returns table (word_no smallint, tail text)
    language sql immutable parallel safe
    as $$
        select k::smallint, array_to_string(w[k:], ' ')
        from (select string_to_array(legacy.name_key(value), ' ') as w) as words,
            generate_series(1, cardinality(w)) as k
    $$
    """,
    """
    create table legacy.customers (
        customer_id bigint primary key,
        full_name varchar(300) not null,
        cust_type char(1) not null check (cust_type in ('P', 'C')),
        email varchar(254),
        phone_raw varchar(64),
        inn varchar(12),
        created_at timestamptz not null,
        modified_at timestamptz not null
    )
    """,
    """
    create table legacy.customer_name_tails (
        customer_id bigint not null,
        word_no smallint not null,
        tail text not null,
        primary key (customer_id, word_no)
    )
    """,
    """
    create index ix_customer_name_tails_prefix
        on legacy.customer_name_tails (tail text_pattern_ops, customer_id)
    """,
    """
    create function legacy.keep_name_tails() returns trigger
    language plpgsql
    as $$
    begin
        if tg_op = 'TRUNCATE' then
            truncate legacy.customer_name_tails;
            return null;
        end if;
        if tg_op in ('UPDATE', 'DELETE') then
            delete from legacy.customer_name_tails
            where customer_id in (select customer_id from old_rows);
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
            insert into legacy.customer_name_tails (customer_id, word_no, tail)
            select n.customer_id, t.word_no, t.tail
            from new_rows as n cross join lateral legacy.name_tails(n.full_name) as t;
        end if;
        return null;
    end
    $$
    """,
    """
    create trigger name_tails_insert after insert on legacy.customers
        referencing new table as new_rows
        for each statement execute function legacy.keep_name_tails()
    """,
    """
    create trigger name_tails_update after update on legacy.customers
        referencing old table as old_rows new table as new_rows
        for each statement execute function legacy.keep_name_tails()
    """,
    """
    create trigger name_tails_delete after delete on legacy.customers
        referencing old table as old_rows
        for each statement execute function legacy.keep_name_tails()
    """,
    """
    create trigger name_tails_truncate after truncate on legacy.customers
        for each statement execute function legacy.keep_name_tails()
    """,
    f"""
    create table legacy.orders (
        order_id bigint primary key,
        order_no varchar(32) not null unique,
        customer_id bigint not null,
        state varchar(8) not null check (state in ({_STATE_CODES})),
        amount numeric(18, 2) not null,
        currency char(3) not null check (currency in ('RUR', 'USD', 'EUR')),
        lines jsonb not null,
        created_at timestamptz not null
    )
    """,
    "create index ix_orders_customer on legacy.orders (customer_id, order_id)",
]

_DOWNGRADE = [
    "drop table legacy.orders",
    "drop table legacy.customers",
    "drop function legacy.keep_name_tails()",
    "drop table legacy.customer_name_tails",
    "drop function legacy.name_tails(text)",
    "drop function legacy.name_key(text)",
]


def upgrade() -> None:
    for statement in _UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in _DOWNGRADE:
        op.execute(statement)
