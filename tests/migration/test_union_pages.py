"""Paging the union while records migrate: every record once, ours wins (hypothesis)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.migration.union_pages import UnionCursor, union_page

START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class World:
    """Ours (native records and moved-in ones) and the legacy system, with a clock."""

    legacy: list[dict[str, Any]]
    ours: list[dict[str, Any]]
    tick: int = 0
    moved: set[str] = field(default_factory=set)

    def now(self) -> str:
        self.tick += 1
        return (START + timedelta(seconds=self.tick)).isoformat()

    def move(self, index: int) -> None:
        record = self.legacy[index % len(self.legacy)]
        if record["external_id"] in self.moved:
            return
        self.moved.add(record["external_id"])
        self.ours.append(
            {
                "id": f"m{record['external_id']}",
                "name": record["name"],
                "external_id": record["external_id"],
                "created_at": self.now(),
            }
        )


class Ours:
    def __init__(self, world: World) -> None:
        self.world = world

    async def page(self, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        ordered = sorted(self.world.ours, key=lambda r: (r["name"], r["id"]))
        after = [
            r for r in ordered if cursor is None or (r["name"], r["id"]) > tuple(cursor.split("|"))
        ]
        page = after[:limit]
        more = len(after) > limit
        return page, f"{page[-1]['name']}|{page[-1]['id']}" if more and page else None

    async def held(self, external_ids: list[str]) -> dict[str, dict[str, Any]]:
        return {
            r["external_id"]: r for r in self.world.ours if r.get("external_id") in external_ids
        }


class Legacy:
    def __init__(self, world: World) -> None:
        self.world = world

    async def page(self, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        rows = self.world.legacy[offset : offset + limit]
        return rows, len(rows)


async def _read_all(world: World, limit: int, moves: list[int]) -> list[dict[str, Any]]:
    cursor: UnionCursor | None = UnionCursor(world.now())
    seen: list[dict[str, Any]] = []
    for step in range(10_000):
        assert cursor is not None
        page = await union_page(Ours(world), Legacy(world), cursor, limit)
        seen += page.items
        if step < len(moves) and world.legacy:
            world.move(moves[step])  # a record migrates between two page requests
        if page.next_cursor is None:
            return seen
        cursor = UnionCursor.decode(page.next_cursor)
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
    legacy = [{"external_id": f"LC-{n}", "name": name} for n, name in enumerate(legacy_names)]
    ours = [
        {"id": f"n{n}", "name": name, "external_id": None, "created_at": START.isoformat()}
        for n, name in enumerate(native_names)
    ]
    native = [r["id"] for r in ours]
    world = World(legacy, ours)
    for index in moved_before if legacy else []:
        world.move(index)  # moved before the listing began
    moved_early = set(world.moved)
    seen = asyncio.run(_read_all(world, limit, moves))

    keys = [r["external_id"] or r["id"] for r in seen]
    assert sorted(keys) == sorted([r["external_id"] for r in legacy] + native), "each once"
    for record in seen:
        if record["external_id"] in moved_early:
            assert record["source"] == "ours", "a record we held already wins over its copy"
