"""What the incident and problem pages share: roles, labels, query errors, workflow transitions.

A transition that asks for fields (resolution, comment, reason, assignee) opens a small form;
the others are one button. The same form serves incidents and problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from servicedesk.web.backend import BackendError
from servicedesk.web.page import Page

STAFF_ROLES = ("agent", "service")
TRANSITION_FIELDS = ("resolution", "comment", "reason", "assignee")
LEVELS = ("high", "medium", "low")


def is_staff(page: Page) -> bool:
    return page.user.has_any_role(*STAFF_ROLES)


def label_in(labels: dict[str, str] | None, lang: str, default: str = "") -> str:
    """A label of the API (`{"en": …, "ru": …}`) in the reader's language."""
    if not labels:
        return default
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), default)


def positive_int(text: str | None, default: int = 1, highest: int = 10_000) -> int:
    try:
        number = int(text or default)
    except ValueError:
        return default
    return max(1, min(number, highest))


def url(path: str, **params: object) -> str:
    """`path?…` with the parameters that have a value."""
    kept = {k: str(v) for k, v in params.items() if v not in (None, "", False)}
    return f"{path}?{urlencode(kept)}" if kept else path


@dataclass
class QueryProblem:
    """A refused query, for the bar: the service's message, where, and fixes to click."""

    detail: str
    column: int | None = None
    before: str = ""
    wrong: str = ""
    after: str = ""
    fixes: list[tuple[str, str]] = field(default_factory=list)  # (suggestion, fixed query)


def query_problem(error: BackendError, text: str) -> QueryProblem:
    body = error.problem
    problem = QueryProblem(detail=error.detail)
    position, length = body.get("position"), body.get("length")
    if isinstance(position, int) and isinstance(length, int):
        position = max(0, min(position, len(text)))
        end = max(position, min(position + length, len(text)))
        problem.column = body.get("column") if isinstance(body.get("column"), int) else None
        problem.before, problem.wrong, problem.after = (
            text[:position],
            text[position:end],
            text[end:],
        )
        suggestions = body.get("suggestions")
        if isinstance(suggestions, list):
            problem.fixes = [
                (str(s), text[:position] + str(s) + text[end:]) for s in suggestions[:5]
            ]
    elif error.status == 422 and error.errors:
        problem.detail = "; ".join(str(e.get("reason", "")) for e in error.errors) or error.detail
    return problem


# --- workflow transitions -------------------------------------------------------------------


@dataclass
class TransitionChoice:
    """A transition the user may make now, and what its form asks for."""

    id: str
    label: str
    target: str
    asks: list[str]

    @property
    def needs_form(self) -> bool:
        return bool(self.asks)


def transition_choices(
    transitions: list[dict[str, Any]], lang: str, assigned: bool
) -> list[TransitionChoice]:
    choices = []
    for item in transitions:
        asks = [
            name
            for name in item.get("requires", [])
            if name in TRANSITION_FIELDS and not (name == "assignee" and assigned)
        ]
        choices.append(
            TransitionChoice(
                id=str(item["id"]),
                label=label_in(item.get("label"), lang, str(item["id"])),
                target=str(item.get("target", "")),
                asks=asks,
            )
        )
    return choices


def find_choice(choices: list[TransitionChoice], transition_id: str) -> TransitionChoice | None:
    return next((c for c in choices if c.id == transition_id), None)


def transition_body(transition_id: str, values: dict[str, str]) -> dict[str, Any]:
    fields = {k: v.strip() for k, v in values.items() if k in TRANSITION_FIELDS and v.strip()}
    return {"transition": transition_id, "fields": fields}


def transition_errors(error: BackendError) -> dict[str, str]:
    """`fields.resolution` → `resolution`, for the form's fields."""
    return {name.removeprefix("fields."): reason for name, reason in error.field_errors.items()}


async def assignable_users(page: Page, needed: bool) -> list[dict[str, Any]]:
    if not needed:
        return []
    found: list[dict[str, Any]] = await page.backend.tickets.get(
        "/api/v1/directory/users", params={"limit": 100}
    )
    return found
