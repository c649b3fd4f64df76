"""Indexes for two typical saved filters (bench/filters.py): the unassigned queue in order
(`status = new and assignee is empty order by created`), which otherwise reads and sorts every
unassigned incident of the status, and the incidents that missed an SLA target
(`sla_breached = true ...`), which otherwise are counted by reading the whole table.

Both predicates are free of values, so they hold for a prepared statement's generic plan too.
The breached index carries the status, so its count reads the index alone.

Revision ID: 0005
Revises: 0004
"""

from servicedesk.kernel.migrations import execute_all

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    execute_all(
        """
        create index ix_incidents_unassigned on tickets.incidents
            (status, created_at desc, id desc) where assignee_username is null;
        create index ix_incidents_breached on tickets.incidents
            (created_at desc, id desc) include (status)
            where response_breached_at is not null or resolution_breached_at is not null;
        """
    )


def downgrade() -> None:
    execute_all(
        """
        drop index tickets.ix_incidents_breached;
        drop index tickets.ix_incidents_unassigned;
        """
    )
