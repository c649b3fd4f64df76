"""History notes kept as messages (ADR 0021): `note_message` holds the note's English template
and parameters (`{"msg": ..., "params": {...}}`), so the history is read in the reader's
language. `note` keeps the English text for search, old rows and clients that read it; a note a
user typed (a transition's reason) has no message.

Revision ID: 0007
Revises: 0006
"""

from servicedesk.kernel.migrations import execute_all

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    execute_all("alter table tickets.history add column note_message jsonb;\n")


def downgrade() -> None:
    execute_all("alter table tickets.history drop column note_message;\n")
