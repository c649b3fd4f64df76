"""Paging the union while records migrate: every record once, ours wins (hypothesis); and the
union cursor is signed and bound to its list."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.kernel.errors import InvalidInput
from servicedesk.migration.schemas import ClientItem, OurClient, UnionPosition
from servicedesk.migration.usecases.union_pages import (
    CLIENT_CURSORS,
    ORDER_CURSORS,
    start_or_resume,
    union_page,
)

START = datetime(2026, 1, 1, tzinfo=UTC)


def _id(key: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, key)


@dataclass
class World:
    """Ours (native records and moved-in ones) and the legacy system, with a clock."""

    legacy: list[ClientItem]
    ours: list[OurClient]
    tick: int = 0
    moved: set[str] = field(default_factory=set)

    def now(self) -> datetime:
        self.tick += 1
        return START + timedelta(seconds=self.tick)

    def move(self, index: int) -> None:
        record = self.legacy[index % len(self.legacy)]
        assert record.external_id is not None
        if record.external_id in self.moved:
            return
        self.moved.add(record.external_id)
        self.ours.append(
            OurClient(
                id=_id(f"m{record.external_id}"),
                display_name=record.display_name,
                external_id=record.external_id,
                version=1,
                created_at=self.now(),
            )
        )


def _key(record: OurClient) -> tuple[str, str]:
    return (str(record.model_extra and record.model_extra["display_name"]), str(record.id))


class Ours:
    def __init__(self, world: World) -> None:
        self.world = world

    async def page(self, cursor: str | None, limit: int) -> tuple[list[OurClient], str | None]:
        ordered = sorted(self.world.ours, key=_key)
        after = [r for r in ordered if cursor is None or _key(r) > tuple(cursor.split("|"))]
        page = after[:limit]
        more = len(after) > limit
        return page, "|".join(_key(page[-1])) if more and page else None

    async def held(self, external_ids: list[str]) -> dict[str, OurClient]:
        return {
            r.external_id: r
            for r in self.world.ours
            if r.external_id is not None and r.external_id in external_ids
        }

    def item(self, record: OurClient) -> ClientItem:
        return ClientItem.ours(record, with_migrated=False)


class Legacy:
    def __init__(self, world: World) -> None:
        self.world = world

    async def page(self, offset: int, limit: int) -> tuple[list[ClientItem], int]:
        rows = self.world.legacy[offset : offset + limit]
        return rows, len(rows)


async def _read_all(world: World, limit: int, moves: list[int]) -> list[ClientItem]:
    position = UnionPosition(as_of=world.now())
    seen: list[ClientItem] = []
    for step in range(10_000):
        page = await union_page(Ours(world), Legacy(world), position, limit, CLIENT_CURSORS)
        seen += page.items
        if step < len(moves) and world.legacy:
            world.move(moves[step])  # a record migrates between two page requests
        if page.next_cursor is None:
            return seen
        position = start_or_resume(CLIENT_CURSORS, page.next_cursor)
    raise AssertionError("paging never ended")


@settings(max_examples=200, deadline=None)
@given(
    legacy_names=st.lists(st.sampled_from("абвгд"), max_size=25),
    native_names=st.lists(st.sampled_from("абвгд"), max_size=15),
    moved_before=st.lists(st.integers(0, 100), max_size=5),
    moves=st.lists(st.integers(0, 100), max_size=30),
    limit=st.integers(1, 7),
)
def test_every_record_once_and_ours_wins(
    legacy_names: list[str],
    native_names: list[str],
    moved_before: list[int],
    moves: list[int],
    limit: int,
) -> None:
    legacy = [
        ClientItem(external_id=f"LC-{n}", display_name=name, source="legacy")
        for n, name in enumerate(legacy_names)
    ]
    ours = [
        OurClient(id=_id(f"n{n}"), display_name=name, version=1, created_at=START)
        for n, name in enumerate(native_names)
    ]
    native = [str(r.id) for r in ours]
    world = World(legacy, ours)
    for index in moved_before if legacy else []:
        world.move(index)  # moved before the listing began
    moved_early = set(world.moved)
    seen = asyncio.run(_read_all(world, limit, moves))

    keys = [r.external_id or str(r.id) for r in seen]
    assert sorted(keys) == sorted([str(r.external_id) for r in legacy] + native), "each once"
    for record in seen:
        if record.external_id in moved_early:
            assert record.source == "ours", "a record we held already wins over its copy"


async def test_a_union_cursor_is_refused_when_garbled_edited_or_from_the_other_list() -> None:
    world = World([ClientItem(external_id="LC-1", display_name="а", source="legacy")], [])
    page = await union_page(
        Ours(world), Legacy(world), UnionPosition(as_of=START), 5, CLIENT_CURSORS
    )
    cursor = page.next_cursor
    assert cursor is not None
    assert start_or_resume(CLIENT_CURSORS, cursor).phase == "legacy"
    body, signature = cursor.split(".")
    edited = f"{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{signature}"
    for bad in ("bm9wZQ", "", "a.b", cursor[:-3], edited, cursor + "x"):
        with pytest.raises(InvalidInput) as refused:
            start_or_resume(CLIENT_CURSORS, bad)
        assert refused.value.extra["errors"][0]["field"] == "cursor"
    with pytest.raises(InvalidInput):
        start_or_resume(ORDER_CURSORS, cursor)  # a clients cursor on the orders list
