"""Who may do what with tickets. Roles are composite: supervisor and admin include agent.

Staff (agents and services such as the channels) see every incident; a reporter sees and acts
on their own incidents only, and never on internal comments or attachments. Only a service (a
channel) writes on behalf of an incident's reporter.
"""

from __future__ import annotations

from servicedesk.kernel.auth import Principal, roles_alias
from servicedesk.kernel.errors import FieldError, Forbidden
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.incidents.models import Incident

STAFF_ROLES = ("agent", "service")
RELAY_ROLE = "service"

IncidentOpener = roles_alias("agent", "service", "reporter")
IncidentReader = roles_alias("agent", "service", "reporter")
IncidentEditor = roles_alias("agent", "service")
ProblemReader = roles_alias("agent", "service")
ProblemLinker = roles_alias("agent")
PolicyReader = roles_alias("agent", "service", "reporter")


class StaffOnly(Forbidden):
    code = "staff-only"


class InternalNotesForStaff(Forbidden):
    code = "internal-notes-for-staff"


class RelayForServices(Forbidden):
    code = "relay-for-services"


def is_staff(principal: Principal) -> bool:
    return principal.has_any_role(*STAFF_ROLES)


def may_see(principal: Principal, incident: Incident) -> bool:
    return is_staff(principal) or incident.reporter_id == principal.subject


def require_staff(principal: Principal, what: str) -> None:
    if not is_staff(principal):
        raise StaffOnly(
            _t("only agents may {what}", what=what), extra={"required_roles": list(STAFF_ROLES)}
        )


def require_relay(principal: Principal, field: str) -> None:
    """Only a service relays what an incident's reporter wrote (the request's `field` says so)."""
    if not principal.has_any_role(RELAY_ROLE):
        reason = _t("only a service relaying the reporter's message may set it")
        raise RelayForServices(
            _t("{field}: {reason}", field=field, reason=reason),
            extra={
                "required_roles": [RELAY_ROLE],
                "errors": [FieldError(field, reason).as_dict()],
            },
        )


QueryRunner = roles_alias("agent", "service", "reporter")
BoardUser = roles_alias("agent")  # filters and boards are the agents' tools
