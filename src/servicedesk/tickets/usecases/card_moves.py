"""Moving a card between kanban columns: a workflow transition (status columns) or an edit of
the column's field. A move the workflow or the rules forbid is refused with the reason."""

from __future__ import annotations

import uuid

from pydantic import ValidationError

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import Conflict, Forbidden, invalid_field
from servicedesk.kernel.i18n import _t, current_language
from servicedesk.kernel.i18n.validation import reason as validation_reason
from servicedesk.tickets.boards import service as boards
from servicedesk.tickets.boards.cards import NO_VALUE
from servicedesk.tickets.boards.schemas import BoardKind, CardMove
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.incidents import service as incidents
from servicedesk.tickets.incidents.schemas import IncidentOut, IncidentPatch
from servicedesk.tickets.problems import service as problems
from servicedesk.tickets.problems.schemas import ProblemOut
from servicedesk.tickets.usecases.incident_moves import move_incident
from servicedesk.tickets.usecases.problem_moves import move_problem
from servicedesk.tickets.workflow.definition import Transition, Workflow
from servicedesk.tickets.workflow.schemas import TransitionRequest


class MoveRefused(Conflict):
    code = "move-refused"


class MoveForbidden(Forbidden):
    code = "move-forbidden"


def transition_between(
    flow: Workflow, status: str, target: str, principal: Principal
) -> Transition:
    """The transition from `status` to `target` this user may make (the first, if several)."""
    if status == target:
        raise MoveRefused(_t("the card is in {target!r} already", target=target))
    if target not in flow.states:
        not_a_state = _t("{target!r} is not a state", target=target)
        detail = _t("{field}: {reason}", field="to_column", reason=not_a_state)
        raise invalid_field("to_column", "unknown", detail)
    leading = [t for t in flow.transitions_from(status) if t.target == target]
    if not leading:
        raise MoveRefused(
            _t(
                "the workflow has no transition from {status!r} to {target!r}",
                status=status,
                target=target,
            ),
            extra={"from_status": status, "to_status": target},
        )
    allowed = [t for t in leading if not t.roles.isdisjoint(principal.roles)]
    if not allowed:
        roles = sorted(set().union(*(t.roles for t in leading)))
        raise MoveForbidden(
            _t(
                "moving from {status!r} to {target!r} needs one of the roles: {roles}",
                status=status,
                target=target,
                roles=", ".join(roles),
            ),
            extra={"required_roles": roles},
        )
    return allowed[0]


async def move_card(
    session: WriteSession, desk: Desk, board_id: uuid.UUID, move: CardMove, principal: Principal
) -> IncidentOut | ProblemOut:
    """The card as it is after the move, in the board's entity's answer."""
    board = await boards.board_for(session, board_id, principal)
    if board.kind != BoardKind.KANBAN:
        raise MoveRefused(_t("only the cards of a kanban board move between columns"))
    field = board.layout.get("column_field", "status")
    if board.entity == "problem":
        if field != "status":
            raise MoveRefused(
                _t("problem cards move only between status columns, not {field}", field=field)
            )
        problem = await problems.problem_at(session, move.card, lock=True)
        transition = transition_between(
            desk.problem_flow, problem.status, move.to_column, principal
        )
        request = TransitionRequest(transition=transition.id, fields=move.fields)
        moved, _ = await move_problem(session, desk, problem, request, principal)
        return await problems.with_count(session, moved)
    incident = await incidents.incident_for(session, move.card, principal, lock=True)
    if field == "status":
        transition = transition_between(
            desk.incident_flow, incident.status, move.to_column, principal
        )
        request = TransitionRequest(transition=transition.id, fields=move.fields)
        return IncidentOut.model_validate(
            await move_incident(session, desk, incident, request, principal)
        )
    try:
        patch = await _patch_for(desk, field, move.to_column)
    except ValidationError as error:  # e.g. a category longer than a category may be
        reason = validation_reason(error.errors()[0], current_language())
        raise invalid_field("to_column", reason) from None
    edited = await incidents.update(
        session, desk, str(incident.id), patch, incident.version, principal
    )
    return IncidentOut.model_validate(edited)


async def _patch_for(desk: Desk, field: str, value: str) -> IncidentPatch:
    if field == "category":
        return IncidentPatch(category=value)
    if field == "assignee":
        if value == NO_VALUE:
            return IncidentPatch(assignee=None)
        user = await desk.directory.find_user_by_username(value)
        if user is None:
            raise MoveRefused(_t("no user {value!r} to assign the card to", value=value))
        return IncidentPatch(assignee=user.id)
    if field == "group":
        if value == NO_VALUE:
            return IncidentPatch(group=None)
        found = [g for g in await desk.directory.groups(value) if g.name == value]
        if not found:
            raise MoveRefused(_t("no group {value!r}", value=value))
        return IncidentPatch(group=found[0].id)
    if field == "priority":
        raise MoveRefused(_t("priority follows impact × urgency; change those on the incident"))
    raise MoveRefused(_t("cards cannot be moved between {field} columns", field=field))
