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
from servicedesk.kernel.i18n import Message, _t
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


def _reason(error: TransitionError) -> str:
    """The error's reason as a message (workflow/ knows no catalogue: it is built here from the
    error's attributes, in the words of `TransitionError.reason`)."""
    transition = error.transition_id
    if isinstance(error, UnknownTransition):
        return _t(
            '{ticket_type} has no transition "{transition}" (known: {known})',
            ticket_type=error.ticket_type,
            transition=transition,
            known=", ".join(error.known),
        )
    if isinstance(error, TransitionNotFromHere):
        return _t(
            '"{transition}" cannot be made from status "{status}"; '
            "it is allowed from: {allowed_from}",
            transition=transition,
            status=error.status,
            allowed_from=", ".join(error.allowed_from),
        )
    if isinstance(error, TransitionForbidden):
        return _t(
            '"{transition}" requires one of the roles: {roles}',
            transition=transition,
            roles=", ".join(error.allowed_roles),
        )
    if isinstance(error, MissingFields):
        return _t(
            '"{transition}" requires non-empty: {names}',
            transition=transition,
            names=", ".join(error.missing),
        )
    return error.reason


def _as_problem(error: TransitionError) -> Exception:
    extra: dict[str, object] = {"transition": error.transition_id}
    reason = _reason(error)
    if isinstance(error, UnknownTransition):
        return UnknownTransitionProblem(reason, extra={**extra, "known": error.known})
    if isinstance(error, TransitionNotFromHere):
        # Not "status": that member of a problem document is the HTTP status (RFC 9457).
        extra |= {"current_status": error.status, "allowed_from": error.allowed_from}
        return TransitionNotAllowedHere(reason, extra=extra)
    if isinstance(error, TransitionForbidden):
        return TransitionRoleMissing(reason, extra={**extra, "required_roles": error.allowed_roles})
    if isinstance(error, MissingFields):
        errors = [
            FieldError(f"fields.{name}", _t("required by this transition")).as_dict()
            for name in error.missing
        ]
        return TransitionFieldsMissing(reason, extra={**extra, "errors": errors})
    return TransitionNotAllowedHere(reason, extra=extra)


def _invalid_fields(names: list[str], reason: Message) -> InvalidInput:
    errors = [FieldError(f"fields.{n}", reason) for n in names]
    detail = _t("transition fields {names}: {reason}", names=", ".join(names), reason=reason)
    return invalid_fields(detail, errors)


def checked(
    flow: Workflow, status: str, request: TransitionRequest, actor: Principal, has_assignee: bool
) -> Transition:
    fields: dict[str, str | None] = dict(request.fields)
    if has_assignee:
        fields.setdefault("assignee", "already assigned")
    unknown = sorted(set(request.fields) - _fields_known(flow))
    if unknown:
        raise _invalid_fields(unknown, _t("unknown field"))
    garbled = sorted(n for n, v in request.fields.items() if not _CONTROLS.isdisjoint(v))
    if garbled:
        reason = _t("control characters other than tab and line breaks")
        raise _invalid_fields(garbled, reason)
    try:
        transition = flow.check(request.transition, status, actor.roles, fields)
    except TransitionError as error:
        raise _as_problem(error) from None
    if request.fields.get("assignee") and not is_staff(actor):
        raise AssigneeForStaff(
            _t("only agents may assign an incident"),
            extra={"transition": transition.id, "required_roles": list(STAFF_ROLES)},
        )
    return transition


def _fields_known(flow: Workflow) -> set[str]:
    return set(KNOWN_FIELDS[flow.ticket_type])
