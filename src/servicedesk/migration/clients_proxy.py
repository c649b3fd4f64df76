"""The seed's rules for clients: create and edit go to ours (a legacy-only record is moved in
first); search is ours plus what the legacy system has and ours does not, cached."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from servicedesk.migration.legacy_reads import Partial, read_records
from servicedesk.migration.moving import (
    LegacyRecordNotFound,
    LegacySide,
    Ours,
    customer_key,
    move_customer,
)
from servicedesk.migration.our_clients import CLIENTS, OurClients, client_path
from servicedesk.migration.translation import (
    TranslationError,
    client_from_legacy,
    legacy_customer_id,
)


@dataclass(frozen=True, slots=True)
class SearchAnswer:
    items: list[dict[str, Any]]
    partial: Partial | None


FIRST_VERSION = 1


def _search_key(query: str, limit: int) -> str:
    return f"search:{limit}:{' '.join(query.lower().split())}"


async def _legacy_matches(
    side: LegacySide, query: str, limit: int
) -> tuple[list[dict[str, Any]], Partial | None]:
    """Legacy customers matching the query, translated; cached, each one and the list."""

    async def fetch() -> list[dict[str, Any]]:
        page = await side.client.search_customers(name=query, offset=0, count=limit)
        records = []
        for customer in page.rows:
            try:
                record = client_from_legacy(customer).model_dump(mode="json")
            except TranslationError:
                continue
            records.append(record)
            await side.cache.remember(customer_key(customer.customer_id), record, time.time())
        return records

    return await read_records(side, _search_key(query, limit), fetch)


async def search_clients(
    query: str,
    limit: int,
    user: httpx.Auth,
    ours: Ours,
    side: LegacySide,
) -> SearchAnswer:
    """Ours first (a record we hold always wins), then the legacy-only matches."""
    mine, (legacy, partial) = await asyncio.gather(
        ours.clients.search(query, limit, user), _legacy_matches(side, query, limit)
    )
    legacy_ids = [r["external_id"] for r in legacy]
    held = await ours.clients.held(legacy_ids, ours.service_auth) if legacy_ids else {}
    seen = {c["external_id"] for c in mine if c.get("external_id")} | set(held)
    items = [{**c, "source": "ours", "migrated": bool(c.get("external_id"))} for c in mine]
    items += [
        {**r, "id": None, "source": "legacy", "migrated": False}
        for r in legacy
        if r["external_id"] not in seen
    ]
    return SearchAnswer(items=items, partial=partial)


async def edit_client(
    reference: str,
    patch: dict[str, Any],
    if_match: str | None,
    user: httpx.Auth,
    ours: Ours,
    side: LegacySide,
) -> httpx.Response:
    """Edits our record; a record only the legacy system has is moved into ours first.

    Two edits of one legacy record at once move it once (the move is idempotent); the second
    edit then meets the first's version and gets a clean 412.
    """
    our_id = _our_id(reference)
    if our_id is not None:
        return await _forward_patch(ours.clients, our_id, patch, if_match, user)
    customer_id = legacy_customer_id(reference)
    if customer_id is None:
        raise LegacyRecordNotFound(f"{reference!r} is neither our client id nor a legacy id")
    moved = await move_customer(customer_id, side, ours)
    # The user edits the legacy copy they saw: our version 1 once moved in. An edit that raced
    # them to it, or any edit since, makes theirs a clean 412.
    if_match = if_match or f'"{FIRST_VERSION}"'
    return await _forward_patch(ours.clients, moved.id, patch, if_match, user)


def _our_id(reference: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(reference)
    except ValueError:
        return None


async def _forward_patch(
    ours: OurClients,
    client_id: uuid.UUID,
    patch: dict[str, Any],
    if_match: str | None,
    user: httpx.Auth,
) -> httpx.Response:
    headers = {"If-Match": if_match} if if_match else None
    return await ours.forward("PATCH", client_path(client_id), user, json=patch, headers=headers)


@dataclass
class OurClientPages:
    """Ours, as the union pages read it: the user's view of the list, the service's lookups."""

    ours: Ours
    user: httpx.Auth

    async def page(self, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = await self.ours.clients._call("GET", CLIENTS, self.user, params=params)
        body = response.json()
        return body["items"], body["next_cursor"]

    async def held(self, external_ids: list[str]) -> dict[str, dict[str, Any]]:
        return await self.ours.clients.held(external_ids, self.ours.service_auth)


@dataclass
class LegacyClientPages:
    side: LegacySide

    async def page(self, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        rows = (await self.side.client.search_customers(offset=offset, count=limit)).rows
        records = []
        for customer in rows:
            try:
                records.append(client_from_legacy(customer).model_dump(mode="json"))
            except TranslationError:
                continue
        return records, len(rows)
