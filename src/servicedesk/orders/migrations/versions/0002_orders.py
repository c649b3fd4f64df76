"""Orders, and the projection of known clients that orders are checked against.

Revision ID: 0002
Revises: 0001
"""

from servicedesk.kernel.migrations import execute_all

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute_all(
        """
        create function orders.fold_text(value text) returns text
        language sql immutable parallel safe
        return regexp_replace(translate(lower(value), 'ё', 'е'), '\\s+', ' ', 'g');

        create sequence orders.order_number_seq;

        create table orders.known_clients (
            id uuid primary key,
            display_name varchar(200) not null,
            external_id varchar(64),
            version integer not null default 1,
            updated_at timestamptz not null default now()
        );

        create table orders.orders (
            id uuid primary key,
            number varchar(32) not null unique,
            client_id uuid not null,
            client_name varchar(200) not null,
            status varchar(16) not null check (
                status in ('new', 'confirmed', 'paid', 'shipped', 'completed', 'cancelled')
            ),
            total_amount numeric(18, 4) not null check (total_amount >= 0),
            currency char(3) not null,
            items jsonb not null default '[]'::jsonb,
            external_id varchar(64) unique,
            created_at timestamptz not null default now(),
            created_by varchar(100) not null,
            search_text text not null
        );
        create index ix_orders_by_client on orders.orders (client_id, created_at desc, id desc);
        create index ix_orders_by_created on orders.orders (created_at desc, id desc);
        create index ix_orders_search_trgm on orders.orders
            using gin (search_text public.gin_trgm_ops);
        """
    )


def downgrade() -> None:
    execute_all(
        "drop table orders.orders;\ndrop table orders.known_clients;\n"
        "drop sequence orders.order_number_seq;\ndrop function orders.fold_text(text);\n"
    )
