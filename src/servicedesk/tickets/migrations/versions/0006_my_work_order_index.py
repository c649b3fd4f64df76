"""An index in the order of the default board "My work" (each status column: the user's
incidents, most pressing first, then the latest changed), so a column reads its first cards
instead of sorting every incident of the user in that status.

Revision ID: 0006
Revises: 0005
"""

from servicedesk.kernel.migrations import execute_all

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    execute_all(
        """
        create index ix_incidents_assignee_status_priority on tickets.incidents
            (assignee_username, status, priority_rank, updated_at desc, id desc);
        """
    )


def downgrade() -> None:
    execute_all("drop index tickets.ix_incidents_assignee_status_priority;\n")
