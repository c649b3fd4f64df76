"""Paging through the union of ours and the legacy system while records migrate (ADR 0013).

Two phases under one opaque cursor: ours first (our own keyset cursor inside), then the legacy
system's records by its offset. The cursor carries when the listing began (`as_of`): a record
moved in after that is skipped in the ours phase and served, as our copy, in the legacy phase;
one moved in before is served in the ours phase only. Every record comes once, ours wins.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from servicedesk.kernel.errors import InvalidInput
from servicedesk.migration.legacy_client import LegacyUnavailable
from servicedesk.migration.legacy_reads import Partial

Record = dict[str, Any]


class OursPages(Protocol):
    async def page(self, cursor: str | None, limit: int) -> tuple[list[Record], str | None]: ...

    async def held(self, external_ids: list[str]) -> dict[str, Record]: ...


class LegacyPages(Protocol):
    async def page(self, offset: int, limit: int) -> tuple[list[Record], int]:
        """The records of a legacy page (ours in shape), and how many legacy rows it read."""
        ...


@dataclass
class UnionCursor:
    as_of: str  # ISO time the listing began
    phase: str = "ours"
    ours: str | None = None
    offset: int = 0

    def encode(self) -> str:
        raw = json.dumps(asdict(self), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, text: str) -> UnionCursor:
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            cursor = cls(**data)
            datetime.fromisoformat(cursor.as_of)
        except (ValueError, TypeError):
            raise InvalidInput(
                "cursor is not one this list gave out",
                extra={"errors": [{"field": "cursor", "location": "query", "reason": "invalid"}]},
            ) from None
        return cursor


def _moved_after(record: Record, as_of: str, moved_field: str) -> bool:
    moved = record.get(moved_field)
    return moved is not None and datetime.fromisoformat(str(moved)) > datetime.fromisoformat(as_of)


@dataclass(frozen=True, slots=True)
class UnionPage:
    items: list[Record]
    next_cursor: str | None
    partial: Partial | None


async def union_page(
    ours: OursPages,
    legacy: LegacyPages,
    cursor: UnionCursor,
    limit: int,
    moved_field: str = "created_at",
) -> UnionPage:
    """`moved_field` names when a record of ours came from legacy: `created_at` for clients
    (a moved client is created then), `moved_at` for orders (which keep their own date)."""
    if cursor.phase == "ours":
        page, next_ours = await ours.page(cursor.ours, limit)
        items = [
            {**r, "source": "ours"}
            for r in page
            if not (r.get("external_id") and _moved_after(r, cursor.as_of, moved_field))
        ]
        after = UnionCursor(cursor.as_of, "ours", next_ours) if next_ours else None
        return UnionPage(items, (after or UnionCursor(cursor.as_of, "legacy")).encode(), None)
    try:
        rows, read = await legacy.page(cursor.offset, limit)
    except LegacyUnavailable as exc:  # the same cursor again, once the legacy system is back
        return UnionPage([], cursor.encode(), Partial("legacy", exc.reason))
    held = await ours.held([r["external_id"] for r in rows])
    items = []
    for record in rows:
        ours_copy = held.get(record["external_id"])
        if ours_copy is None:
            items.append({**record, "source": "legacy"})
        elif _moved_after(ours_copy, cursor.as_of, moved_field):
            items.append({**ours_copy, "source": "ours"})
    done = read < limit
    after = UnionCursor(cursor.as_of, "legacy", None, cursor.offset + read)
    return UnionPage(items, None if done else after.encode(), None)
