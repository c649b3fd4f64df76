"""The seed's rules for orders: like clients. A client's orders come from both systems; a new
order for a legacy-only client moves that client in first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from servicedesk.kernel.errors import NotFound
from servicedesk.migration.clients_proxy import SearchAnswer
from servicedesk.migration.legacy_reads import read_records
from servicedesk.migration.moving import LegacySide, Ours, move_customer
from servicedesk.migration.our_orders import ORDERS
from servicedesk.migration.translation import (
    TranslationError,
    customer_external_id,
    legacy_customer_id,
    order_from_legacy,
)

UNKNOWN_CLIENT = uuid.UUID(int=0)  # a legacy-only order's client is not ours yet


class ClientNotFound(NotFound):
    code = "client-not-found"


def _our_id(reference: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(reference)
    except ValueError:
        return None


async def _both_ids(reference: str, ours: Ours) -> tuple[uuid.UUID | None, int | None]:
    """Our id and legacy id of a client named either way (either may be missing)."""
    our_id = _our_id(reference)
    if our_id is not None:
        answer = await ours.clients.forward("GET", f"/api/v1/clients/{our_id}", ours.service_auth)
        if answer.status_code == 404:
            raise ClientNotFound(f"client {our_id} does not exist")
        external_id = answer.json().get("external_id")
        return our_id, legacy_customer_id(external_id) if external_id else None
    customer_id = legacy_customer_id(reference)
    if customer_id is None:
        raise ClientNotFound(f"{reference!r} is neither our client id nor a legacy id")
    external_id = customer_external_id(customer_id)
    held = (await ours.clients.held([external_id], ours.service_auth)).get(external_id)
    return (uuid.UUID(str(held["id"])) if held else None), customer_id


async def orders_of_client(
    reference: str, limit: int, user: httpx.Auth, ours: Ours, side: LegacySide
) -> SearchAnswer:
    """The client's orders we hold, newest first, then the ones only the legacy system has."""
    our_id, customer_id = await _both_ids(reference, ours)
    mine = await ours.orders.of_client(our_id, limit, user) if our_id else []
    legacy: list[dict[str, Any]] = []
    partial = None
    if customer_id is not None:

        async def fetch() -> list[dict[str, Any]]:
            page = await side.client.list_orders(customer_id=customer_id, count=limit)
            records = []
            for order in page.rows:
                try:
                    record = order_from_legacy(order, our_id or UNKNOWN_CLIENT)
                except TranslationError:
                    continue
                records.append(record.model_dump(mode="json"))
            return records

        legacy, partial = await read_records(side, f"orders-of:{customer_id}:{limit}", fetch)
    held = {o["external_id"] for o in mine if o.get("external_id")}
    items = [{**o, "source": "ours", "migrated": bool(o.get("external_id"))} for o in mine]
    items += [_legacy_view(o, our_id) for o in legacy if o["external_id"] not in held]
    return SearchAnswer(items=items, partial=partial)


async def create_order(
    body: dict[str, Any], user: httpx.Auth, ours: Ours, side: LegacySide
) -> httpx.Response:
    """New orders are ours; one for a legacy-only client (`LC-<n>`) moves the client in first."""
    client = str(body.get("client_id", ""))
    customer_id = legacy_customer_id(client) if _our_id(client) is None else None
    if customer_id is not None:
        moved = await move_customer(customer_id, side, ours)
        body = {**body, "client_id": str(moved.id)}
    return await ours.orders.forward("POST", ORDERS, user, json=body)


def _legacy_view(record: dict[str, Any], client_id: uuid.UUID | None) -> dict[str, Any]:
    """A legacy-only order as the proxy shows it: no id of ours yet, its client's if it has one."""
    return {
        **record,
        "id": None,
        "client_id": str(client_id) if client_id else None,
        "source": "legacy",
        "migrated": False,
    }


async def search_orders(
    query: str, limit: int, user: httpx.Auth, ours: Ours, side: LegacySide
) -> SearchAnswer:
    """Ours (number or words), then a legacy order with exactly that number, if only it has it."""
    response = await ours.orders._call(
        "GET", f"{ORDERS}/search", user, params={"q": query, "limit": limit}
    )
    mine = [
        {**o, "source": "ours", "migrated": bool(o.get("external_id"))}
        for o in response.json()["items"]
    ]

    async def fetch() -> list[dict[str, Any]]:
        page = await side.client.list_orders(number=query.strip(), count=limit)
        records = []
        for order in page.rows:
            try:
                records.append(order_from_legacy(order, UNKNOWN_CLIENT).model_dump(mode="json"))
            except TranslationError:
                continue
        return records

    legacy, partial = await read_records(side, f"orders-number:{query.strip()}", fetch)
    held = {o["external_id"] for o in mine if o.get("external_id")}
    unknown = [o["external_id"] for o in legacy if o["external_id"] not in held]
    for external_id in unknown:
        if await ours.orders.by_external_id(external_id, ours.service_auth) is not None:
            held.add(external_id)
    items = mine + [_legacy_view(o, None) for o in legacy if o["external_id"] not in held]
    return SearchAnswer(items=items, partial=partial)


@dataclass
class OurOrderPages:
    ours: Ours
    user: httpx.Auth

    async def page(self, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = (await self.ours.orders._call("GET", ORDERS, self.user, params=params)).json()
        return body["items"], body["next_cursor"]

    async def held(self, external_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not external_ids:
            return {}
        params = [("external_id", e) for e in external_ids]
        path = f"{ORDERS}/by-external-ids"
        found = (
            await self.ours.orders._call("GET", path, self.ours.service_auth, params=params)
        ).json()
        return {o["external_id"]: o for o in found}


@dataclass
class LegacyOrderPages:
    side: LegacySide

    async def page(self, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        rows = (await self.side.client.list_orders(offset=offset, count=limit)).rows
        records = []
        for order in rows:
            try:
                record = order_from_legacy(order, UNKNOWN_CLIENT).model_dump(mode="json")
            except TranslationError:
                continue
            records.append({**record, "id": None, "client_id": None, "migrated": False})
        return records, len(rows)
