"""Checking a requested transition against the workflow, as problem+json errors: 404 unknown,
409 not from this status, 403 role missing, 422 fields missing or unknown."""

from __future__ import annotations

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    invalid_fields,
)
from servicedesk.tickets.access import STAFF_ROLES, is_staff
from servicedesk.tickets.workflow.definition import (
    KNOWN_FIELDS,
    MissingFields,
    Transition,
    TransitionError,
    TransitionForbidden,
    TransitionNotFromHere,
    UnknownTransition,
    Workflow,
)
from servicedesk.tickets.workflow.schemas import TransitionOut, TransitionRequest


class UnknownTransitionProblem(NotFound):
    code = "unknown-transition"


class TransitionNotAllowedHere(Conflict):
    code = "transition-not-allowed"


class TransitionRoleMissing(Forbidden):
    code = "transition-forbidden"


class TransitionFieldsMissing(InvalidInput):
    code = "transition-fields-missing"


class AssigneeForStaff(Forbidden):
    code = "assignee-for-staff"


# Field values end up in text columns: PostgreSQL cannot store NUL, and none belong in text.
_CONTROLS = frozenset(chr(c) for c in [*range(0x20), 0x7F]) - set("\t\n\r")


def available(flow: Workflow, status: str, roles: frozenset[str]) -> list[TransitionOut]:
    """The transitions these roles may make from the status, with the fields each asks for."""
    return [
        TransitionOut(
            id=t.id,
            label={"en": t.label.en, "ru": t.label.ru},
            target=t.target,
            requires=list(t.requires),
        )
        for t in flow.allowed(status, roles)
    ]


def _as_problem(error: TransitionError) -> Exception:
    extra: dict[str, object] = {"transition": error.transition_id}
    if isinstance(error, UnknownTransition):
        return UnknownTransitionProblem(error.reason, extra={**extra, "known": error.known})
    if isinstance(error, TransitionNotFromHere):
        # Not "status": that member of a problem document is the HTTP status (RFC 9457).
        extra |= {"current_status": error.status, "allowed_from": error.allowed_from}
        return TransitionNotAllowedHere(error.reason, extra=extra)
    if isinstance(error, TransitionForbidden):
        return TransitionRoleMissing(
            error.reason, extra={**extra, "required_roles": error.allowed_roles}
        )
    if isinstance(error, MissingFields):
        errors = [
            FieldError(f"fields.{name}", "required by this transition").as_dict()
            for name in error.missing
        ]
        return TransitionFieldsMissing(error.reason, extra={**extra, "errors": errors})
    return TransitionNotAllowedHere(error.reason, extra=extra)


def _invalid_fields(names: list[str], reason: str) -> InvalidInput:
    errors = [FieldError(f"fields.{n}", reason) for n in names]
    return invalid_fields(f"transition fields {', '.join(names)}: {reason}", errors)


def checked(
    flow: Workflow, status: str, request: TransitionRequest, actor: Principal, has_assignee: bool
) -> Transition:
    fields: dict[str, str | None] = dict(request.fields)
    if has_assignee:
        fields.setdefault("assignee", "already assigned")
    unknown = sorted(set(request.fields) - _fields_known(flow))
    if unknown:
        raise _invalid_fields(unknown, "unknown field")
    garbled = sorted(n for n, v in request.fields.items() if not _CONTROLS.isdisjoint(v))
    if garbled:
        raise _invalid_fields(garbled, "control characters other than tab and line breaks")
    try:
        transition = flow.check(request.transition, status, actor.roles, fields)
    except TransitionError as error:
        raise _as_problem(error) from None
    if request.fields.get("assignee") and not is_staff(actor):
        raise AssigneeForStaff(
            "only agents may assign an incident",
            extra={"transition": transition.id, "required_roles": list(STAFF_ROLES)},
        )
    return transition


def _fields_known(flow: Workflow) -> set[str]:
    return set(KNOWN_FIELDS[flow.ticket_type])
