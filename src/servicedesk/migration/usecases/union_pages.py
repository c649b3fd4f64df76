"""Paging through the union of ours and the legacy system while records migrate (ADR 0013).

Two phases under one signed cursor (`UnionPosition` in a kernel `CursorCodec`, one per list):
ours first (our own keyset cursor inside), then the legacy system's records by its offset. The
cursor carries when the listing began (`as_of`): a record moved in after that is skipped in the
ours phase and served, as our copy, in the legacy phase; one moved in before is served in the
ours phase only. Every record comes once, ours wins. A malformed, edited or other list's cursor
is a 422 naming `cursor`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

from servicedesk.kernel.cursors import CursorCodec
from servicedesk.migration.adapters.legacy_api import LegacyUnavailable
from servicedesk.migration.schemas import ListedItem, OurRecord, PartialSource, UnionPosition

Rec = TypeVar("Rec", bound=OurRecord)
Item = TypeVar("Item", bound=ListedItem)
Item_co = TypeVar("Item_co", bound=ListedItem, covariant=True)

CLIENT_CURSORS = CursorCodec("migration-clients", UnionPosition)
ORDER_CURSORS = CursorCodec("migration-orders", UnionPosition)


class OursPages(Protocol[Rec, Item_co]):
    """Ours, as the union reads it: pages in our own order, and the copies we hold."""

    async def page(self, cursor: str | None, limit: int) -> tuple[Sequence[Rec], str | None]: ...

    async def held(self, external_ids: list[str]) -> Mapping[str, Rec]: ...

    def item(self, record: Rec) -> Item_co:
        """Our record as the list shows it."""
        ...


class LegacyPages(Protocol[Item_co]):
    async def page(self, offset: int, limit: int) -> tuple[Sequence[Item_co], int]:
        """The items of a legacy page (ours in shape), and how many legacy rows it read."""
        ...


@dataclass(frozen=True, slots=True)
class UnionPage(Generic[Item]):
    items: list[Item]
    next_cursor: str | None
    partial: PartialSource | None


def start_or_resume(codec: CursorCodec[UnionPosition], cursor: str | None) -> UnionPosition:
    """The position a cursor names (a 422 if it is not one of this list), or a new listing."""
    return codec.decode(cursor) or UnionPosition(as_of=datetime.now(UTC))


def _moved_after(record: OurRecord, as_of: datetime) -> bool:
    moved = record.moved_in_at()
    return moved is not None and moved > as_of


async def union_page(
    ours: OursPages[Rec, Item],
    legacy: LegacyPages[Item],
    position: UnionPosition,
    limit: int,
    codec: CursorCodec[UnionPosition],
) -> UnionPage[Item]:
    """One page from where `position` is; when a record came from legacy is its
    `moved_in_at()` (a client's creation, an order's `moved_at`)."""
    as_of = position.as_of
    if position.phase == "ours":
        page, next_ours = await ours.page(position.ours, limit)
        shown = [ours.item(r) for r in page if not _moved_after(r, as_of)]
        after = UnionPosition(as_of=as_of, phase="ours", ours=next_ours) if next_ours else None
        after = after or UnionPosition(as_of=as_of, phase="legacy")
        return UnionPage(shown, codec.encode(after), None)
    try:
        rows, read = await legacy.page(position.offset, limit)
    except LegacyUnavailable as exc:  # the same cursor again, once the legacy system is back
        partial = PartialSource(source="legacy", reason=exc.reason)
        return UnionPage([], codec.encode(position), partial)
    held = await ours.held([r.external_id for r in rows if r.external_id])
    items: list[Item] = []
    for row in rows:
        ours_copy = held.get(row.external_id or "")
        if ours_copy is None:
            items.append(row)
        elif _moved_after(ours_copy, as_of):
            items.append(ours.item(ours_copy))
    if read < limit:
        return UnionPage(items, None, None)
    after = UnionPosition(as_of=as_of, phase="legacy", offset=position.offset + read)
    return UnionPage(items, codec.encode(after), None)
