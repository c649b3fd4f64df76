"""The seed's rules for clients: create and edit go to ours (a legacy-only record is moved in
first); search is ours plus what the legacy system has and ours does not, cached; the list is
both systems, a page at a time (`union_pages`)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import httpx

from servicedesk.kernel.etags import etag
from servicedesk.kernel.i18n import _t
from servicedesk.migration.ports import LegacySide, Ours
from servicedesk.migration.schemas import (
    ClientItem,
    ClientMatches,
    ClientPage,
    ClientRecord,
    Forwarded,
    JsonObject,
    OurClient,
    PartialSource,
)
from servicedesk.migration.translation import (
    TranslationError,
    client_from_legacy,
    legacy_customer_id,
)
from servicedesk.migration.usecases.legacy_reads import read_records
from servicedesk.migration.usecases.moving import (
    LegacyRecordNotFound,
    move_customer,
    remember_client,
)
from servicedesk.migration.usecases.union_pages import (
    CLIENT_CURSORS,
    start_or_resume,
    union_page,
)

FIRST_VERSION = 1


def _search_key(query: str, limit: int) -> str:
    return f"search:{limit}:{' '.join(query.lower().split())}"


def our_id(reference: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(reference)
    except ValueError:
        return None


async def _legacy_matches(
    side: LegacySide, query: str, limit: int
) -> tuple[list[ClientRecord], PartialSource | None]:
    """Legacy customers matching the query, translated; cached, each one and the list."""

    async def fetch() -> list[ClientRecord]:
        page = await side.client.search_customers(name=query, offset=0, count=limit)
        records = []
        for customer in page.rows:
            try:
                record = client_from_legacy(customer)
            except TranslationError:
                continue
            records.append(record)
            await remember_client(side, customer.customer_id, record)
        return records

    return await read_records(side, _search_key(query, limit), ClientRecord, fetch)


async def search_clients(
    query: str, limit: int, user: httpx.Auth, ours: Ours, side: LegacySide
) -> ClientMatches:
    """Ours first (a record we hold always wins), then the legacy-only matches."""
    mine, (legacy, partial) = await asyncio.gather(
        ours.clients.search(query, limit, user), _legacy_matches(side, query, limit)
    )
    legacy_ids = [r.external_id for r in legacy]
    held = await ours.clients.held(legacy_ids, ours.service_auth) if legacy_ids else {}
    seen = {c.external_id for c in mine if c.external_id} | set(held)
    items = [ClientItem.ours(c) for c in mine]
    items += [ClientItem.legacy(r) for r in legacy if r.external_id not in seen]
    return ClientMatches(items=items, partial=partial)


async def create_client(body: JsonObject, user: httpx.Auth, ours: Ours) -> Forwarded:
    """New clients are ours: passed on to the clients service, which validates them."""
    return await ours.clients.create(body, user)


async def edit_client(
    reference: str,
    patch: JsonObject,
    if_match: str | None,
    user: httpx.Auth,
    ours: Ours,
    side: LegacySide,
) -> Forwarded:
    """Edits our record; a record only the legacy system has is moved into ours first.

    Two edits of one legacy record at once move it once (the move is idempotent); the second
    edit then meets the first's version and gets a clean 412.
    """
    client_id = our_id(reference)
    if client_id is not None:
        return await ours.clients.edit(client_id, patch, if_match, user)
    customer_id = legacy_customer_id(reference)
    if customer_id is None:
        raise LegacyRecordNotFound(
            _t("{reference!r} is neither our client id nor a legacy id", reference=reference)
        )
    moved = await move_customer(customer_id, side, ours)
    # The user edits the legacy copy they saw: our version 1 once moved in. An edit that raced
    # them to it, or any edit since, makes theirs a clean 412.
    return await ours.clients.edit(moved.id, patch, if_match or etag(FIRST_VERSION), user)


@dataclass
class OurClientPages:
    """Ours, as the union pages read it: the user's view of the list, the service's lookups."""

    ours: Ours
    user: httpx.Auth

    async def page(self, cursor: str | None, limit: int) -> tuple[list[OurClient], str | None]:
        return await self.ours.clients.page(cursor, limit, self.user)

    async def held(self, external_ids: list[str]) -> dict[str, OurClient]:
        return await self.ours.clients.held(external_ids, self.ours.service_auth)

    def item(self, record: OurClient) -> ClientItem:
        return ClientItem.ours(record, with_migrated=False)


@dataclass
class LegacyClientPages:
    side: LegacySide

    async def page(self, offset: int, limit: int) -> tuple[list[ClientItem], int]:
        rows = (await self.side.client.search_customers(offset=offset, count=limit)).rows
        items = []
        for customer in rows:
            try:
                items.append(ClientItem.legacy(client_from_legacy(customer), with_id=False))
            except TranslationError:
                continue
        return items, len(rows)


async def list_clients(
    cursor: str | None, limit: int, user: httpx.Auth, ours: Ours, side: LegacySide
) -> ClientPage:
    """Every client of both systems, a page at a time: ours by name, then those only the legacy
    system has. Records that migrate while one pages are served once (ADR 0013)."""
    position = start_or_resume(CLIENT_CURSORS, cursor)
    pages = OurClientPages(ours, user)
    page = await union_page(pages, LegacyClientPages(side), position, limit, CLIENT_CURSORS)
    return ClientPage(items=page.items, next_cursor=page.next_cursor, partial=page.partial)
