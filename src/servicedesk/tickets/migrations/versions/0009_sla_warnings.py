"""Warnings before an SLA target is missed.

Per target, when it warns (`*_warn_at`: the policy's `sla_warning_at` share of the target's
working time after the clock started, moved with the due time by pauses, restarts and new
priorities) and when the watch warned (`*_warned_at`, once per target). Partial indexes hold
only the targets that may still warn, as ix_incidents_response_due and ix_incidents_resolution_due
(0002) hold those that may still breach, so the watch reads just those rows.

No backfill here: the warn-at time follows from the due time and the target of the incident's
priority, and the targets live in the service's policy file (SD_TICKETS_POLICY_FILE may name a
site's own), which a migration does not read. The service fills them in at start for open
targets that lack one (sla/service.py, arm_unarmed_targets), with the policy it runs with.

Revision ID: 0009
Revises: 0008
"""

from servicedesk.kernel.migrations import execute_all

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    execute_all(
        """
        alter table tickets.incidents
            add column response_warn_at timestamptz,
            add column resolution_warn_at timestamptz,
            add column response_warned_at timestamptz,
            add column resolution_warned_at timestamptz;
        create index ix_incidents_response_warn on tickets.incidents (response_warn_at)
            where responded_at is null and response_warned_at is null
                and response_breached_at is null;
        create index ix_incidents_resolution_warn on tickets.incidents (resolution_warn_at)
            where resolved_at is null and resolution_warned_at is null
                and resolution_breached_at is null;
        """
    )


def downgrade() -> None:
    execute_all(
        """
        drop index tickets.ix_incidents_resolution_warn;
        drop index tickets.ix_incidents_response_warn;
        alter table tickets.incidents
            drop column resolution_warned_at,
            drop column response_warned_at,
            drop column resolution_warn_at,
            drop column response_warn_at;
        """
    )
