"""Where each field lives in the tables, how it sorts and groups, and the context a query is
run in (who asks, when): what `me()`, `my_groups()`, `now()` and `-7d` mean."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import case

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.incidents.models import Incident
from servicedesk.tickets.policy import LEVELS, load_policy
from servicedesk.tickets.problems.models import Problem
from servicedesk.tickets.query.errors import QueryError
from servicedesk.tickets.query.model import DateValue, Entity, Function, RelativeDate, Scalar
from servicedesk.tickets.query.vocabulary import Vocabulary

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class QueryContext:
    """Who runs the query and when. `now` is the moment relative dates count from; its time
    zone is the zone of plain dates (UTC if `now` is naive). With `reporter_only_subject`
    only that reporter's incidents match (no problems at all) and text search skips internal
    comments. `priorities`, most pressing first, default to the packaged policy's."""

    username: str
    groups: tuple[str, ...]
    now: dt.datetime
    reporter_only_subject: str | None = None
    priorities: tuple[str, ...] = ()

    @classmethod
    def for_principal(
        cls,
        principal: Principal,
        now: dt.datetime,
        vocabulary: Vocabulary,
        *,
        own_incidents_only: bool,
    ) -> QueryContext:
        return cls(
            username=principal.username,
            groups=tuple(principal.groups),
            now=now,
            reporter_only_subject=principal.subject if own_incidents_only else None,
            priorities=vocabulary.priorities,
        )

    @property
    def zone(self) -> dt.tzinfo:
        return self.now.tzinfo or dt.UTC

    @property
    def instant(self) -> dt.datetime:
        return self.now if self.now.tzinfo is not None else self.now.replace(tzinfo=dt.UTC)

    def ranked(self) -> tuple[str, ...]:
        return self.priorities or _packaged_priorities()


@cache
def _packaged_priorities() -> tuple[str, ...]:
    return tuple(load_policy().priorities)


def interval(value: Scalar, context: QueryContext) -> tuple[dt.datetime, dt.datetime | None]:
    """A day, minute or second as [start, end); an instant as (start, None)."""
    try:
        if isinstance(value, DateValue):
            time = value.time or dt.time()
            start = dt.datetime.combine(value.date, time).replace(tzinfo=context.zone)
            if value.time is None:
                step = dt.timedelta(days=1)
            elif time.second == 0:
                step = dt.timedelta(minutes=1)
            else:
                step = dt.timedelta(seconds=1)
            return start, start + step
        if isinstance(value, RelativeDate):
            delta = dt.timedelta(**{_UNITS[value.unit]: value.amount})
            return context.instant + delta, None
        if isinstance(value, Function) and value.name == "now":
            return context.instant, None
    except (OverflowError, ValueError):
        raise QueryError(_t("a date is out of range")) from None
    raise QueryError(_t("expected a date, a relative date or now()"))


@dataclass(frozen=True)
class Table:
    """The columns of one entity."""

    entity: Entity
    model: Any
    columns: dict[str, Any]  # the column a field compares
    contains: dict[str, tuple[Any, ...]]  # the columns `~` looks in
    sort_keys: dict[str, Any]  # what `order by` sorts on
    groups: dict[str, Any]  # what `group by` groups on

    def column(self, field: str) -> Any:
        found = self.columns.get(field)
        if found is None:
            raise QueryError(
                _t('unknown field "{field}" for {entity}s', field=field, entity=self.entity)
            )
        return found


def _level_rank(column: Any) -> Any:
    return case({level: rank for rank, level in enumerate(LEVELS, 1)}, value=column, else_=99)


def _incidents() -> Table:
    i = Incident
    columns: dict[str, Any] = {
        "key": i.number,
        "title": i.title,
        "status": i.status,
        "priority": i.priority,
        "impact": i.impact,
        "urgency": i.urgency,
        "category": i.category,
        "channel": i.channel,
        "assignee": i.assignee_username,
        "reporter": i.reporter_username,
        "group": i.group_name,
        "client": i.client_ref,
        "order": i.order_ref,
        "problem": i.problem_id,
        "created": i.created_at,
        "updated": i.updated_at,
        "resolved": i.resolved_at,
    }
    contains = {
        "title": (i.title,),
        "assignee": (i.assignee_username,),
        "reporter": (i.reporter_username, i.reporter_name),
        "group": (i.group_name,),
        "client": (i.client_name, i.client_ref),
        "order": (i.order_number, i.order_ref),
    }
    sort_keys = columns | {
        "priority": i.priority_rank,
        "impact": _level_rank(i.impact),
        "urgency": _level_rank(i.urgency),
        "client": i.client_name,
        "order": i.order_number,
    }
    groups = {name: columns[name] for name in ("status", "priority", "category", "channel")}
    groups |= {name: columns[name] for name in ("impact", "urgency", "assignee", "group")}
    groups["client"] = i.client_ref
    return Table("incident", i, columns, contains, sort_keys, groups)


def _problems() -> Table:
    p = Problem
    columns: dict[str, Any] = {
        "key": p.number,
        "title": p.title,
        "status": p.status,
        "priority": p.priority,
        "category": p.category,
        "assignee": p.assignee_username,
        "client": p.client_ref,
        "order": p.order_ref,
        "created": p.created_at,
        "updated": p.updated_at,
        "closed": p.closed_at,
    }
    contains = {
        "title": (p.title,),
        "assignee": (p.assignee_username,),
        "client": (p.client_name, p.client_ref),
        "order": (p.order_ref,),
    }
    sort_keys = columns | {"priority": p.priority_rank, "client": p.client_name}
    groups = {n: columns[n] for n in ("status", "priority", "category", "assignee", "client")}
    return Table("problem", p, columns, contains, sort_keys, groups)


@cache
def table(entity: Entity) -> Table:
    return _incidents() if entity == "incident" else _problems()


# Sorting by these puts the most pressing first when descending (the rank 1 is the highest).
INVERTED_SORT = frozenset({"priority", "impact", "urgency"})
