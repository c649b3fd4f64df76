"""Every list endpoint of every service refuses a bad cursor with a 422 naming `cursor`, never
a 500: garbage, a truncated or tampered real cursor, and a real cursor of another endpoint.

The endpoints are found in each service's OpenAPI (every GET with a string `cursor` query
parameter), so a list added later is checked without a word here. The services run in-process,
in front of real clients, orders, legacy and migration processes.
"""

from __future__ import annotations

import base64
import contextlib
import uuid
import warnings
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.apps import serve
from tests.support.processes import ARTIFACTS
from tests.support.tokens import TokenShop, bearer
from tests.support.upstream import running_upstream

PORTS = {"clients": 18702, "orders": 18703, "migration": 18704, "legacy": 18705}
PROBLEM_JSON = "application/problem+json"
WORD = "Курсорова" + uuid.uuid4().hex[:6]  # in the names of the clients made here
GARBAGE = [
    "x",
    "%%%",
    "null",
    "W10",
    "a.b",
    "....",
    "eyJ9.AAAA",
    "é" * 10,
    "A" * 2000,
    base64.urlsafe_b64encode(b'{"k":"clients-by-name","v":["a","b"]}').decode().rstrip("="),
    base64.urlsafe_b64encode(b'{"name":"a","id":"00000000-0000-0000-0000-000000000000"}')
    .decode()
    .rstrip("="),
]
# list variants worth a cursor of their own: (service, path) → query parameters
VARIANTS: dict[tuple[str, str], list[dict[str, str]]] = {
    ("clients", "/api/v1/clients/search"): [{"q": WORD}],
    ("orders", "/api/v1/orders/search"): [{"q": WORD}, {"q": "ORD-0"}],
    ("migration", "/api/v1/clients/search"): [{"q": WORD}],
}


def _clients_app(urls: dict[str, str]) -> FastAPI:
    from servicedesk.clients.app import create_app

    return create_app()


def _orders_app(urls: dict[str, str]) -> FastAPI:
    from servicedesk.orders.app import create_app
    from servicedesk.orders.settings import OrdersSettings

    return create_app(OrdersSettings(clients_url=urls["clients"]))


def _migration_app(urls: dict[str, str]) -> FastAPI:
    from servicedesk.migration.app import create_app
    from servicedesk.migration.settings import MigrationSettings

    return create_app(
        MigrationSettings(
            clients_url=urls["clients"], orders_url=urls["orders"], legacy_url=urls["legacy"]
        )
    )


def _tickets_app(urls: dict[str, str]) -> FastAPI:
    from servicedesk.tickets.app import create_app
    from servicedesk.tickets.settings import TicketsSettings

    settings = TicketsSettings(
        migration_url=urls["migration"], attachments_dir=ARTIFACTS / "attachments"
    )
    return create_app(settings)


BUILDERS: dict[str, Callable[[dict[str, str]], FastAPI]] = {
    "clients": _clients_app,
    "orders": _orders_app,
    "migration": _migration_app,
    "tickets": _tickets_app,
}


@dataclass(frozen=True)
class Endpoint:
    service: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    takes_limit: bool = True

    @property
    def name(self) -> str:
        shown = "&".join(f"{k}={v}" for k, v in self.params.items() if k != "q" or v != WORD)
        return f"{self.service} GET {self.path}" + (f"?{shown}" if shown else "")


def _is_page_cursor(parameter: dict[str, Any]) -> bool:
    """A `cursor` in the query that is a string (the query completion's is a text position)."""
    if parameter.get("name") != "cursor" or parameter.get("in") != "query":
        return False
    schema = parameter.get("schema", {})
    types = [schema.get("type")] + [s.get("type") for s in schema.get("anyOf", [])]
    return "string" in types


def _endpoints_of(service: str, openapi: dict[str, Any]) -> list[Endpoint]:
    found = []
    for path, operations in openapi["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        if "{" in path or not any(_is_page_cursor(p) for p in parameters):
            continue
        names = {p["name"] for p in parameters}
        required = {p["name"]: "a" for p in parameters if p.get("required")}
        for variant in VARIANTS.get((service, path), [{}]):
            found.append(Endpoint(service, path, required | variant, "limit" in names))
    return found


def _discover() -> list[Any]:
    """The endpoints, or one failing entry for a service whose app cannot even be built."""
    params: list[Any] = []
    for service, build in BUILDERS.items():
        try:
            openapi = build({name: "http://127.0.0.1:9" for name in PORTS}).openapi()
        except Exception as exc:  # noqa: BLE001 - reported as that service's failure
            params.append(pytest.param(service, id=f"{service}-unbuildable:{exc!r}"[:120]))
            continue
        params += [pytest.param(e, id=e.name) for e in _endpoints_of(service, openapi)]
    return params


ENDPOINTS = _discover()


@pytest.fixture(scope="module")
async def upstream() -> AsyncIterator[dict[str, str]]:
    async with running_upstream(PORTS) as urls:
        yield urls


@dataclass
class Stack:
    apis: dict[str, httpx.AsyncClient]
    failures: dict[str, str]
    headers: dict[str, str]
    cursors: dict[str, tuple[Endpoint, str]] = field(default_factory=dict)  # by endpoint name

    def api(self, service: str) -> httpx.AsyncClient:
        if service not in self.apis:
            pytest.fail(f"{service} did not start: {self.failures.get(service)}")
        return self.apis[service]


@pytest.fixture(scope="module")
async def stack(upstream: dict[str, str], tokens: TokenShop) -> AsyncIterator[Stack]:
    async with contextlib.AsyncExitStack() as running:
        apis, failures = {}, {}
        for service, build in BUILDERS.items():
            try:
                apis[service] = await running.enter_async_context(serve(build(upstream)))
            except Exception as exc:  # noqa: BLE001 - reported by the tests of that service
                failures[service] = repr(exc)
        built = Stack(apis, failures, bearer(await tokens.access("agent1")))
        await _seed(built)
        await _harvest(built)
        yield built


async def _seed(stack: Stack) -> None:
    """Two clients, two orders and two incidents, so that every list has a second page."""
    clients, orders = stack.apis.get("clients"), stack.apis.get("orders")
    made = []
    if clients is not None:
        for n in range(2):
            body = {"display_name": f"{WORD} Тест {n}", "kind": "person"}
            response = await clients.post("/api/v1/clients", json=body, headers=stack.headers)
            assert response.status_code == 201, response.text
            made.append(response.json()["id"])
    if orders is not None and made:
        for client_id in made:
            body = {"client_id": client_id, "currency": "RUB", "total_amount": "1"}
            response = await orders.post("/api/v1/orders", json=body, headers=stack.headers)
            assert response.status_code == 201, response.text
    if (tickets := stack.apis.get("tickets")) is not None:
        for n in range(2):
            body = {
                "title": f"Cursor {n}",
                "description": "Two for a page.",
                "category": "software",
            }
            await tickets.post("/api/v1/incidents", json=body, headers=stack.headers)


async def _harvest(stack: Stack) -> None:
    """A real cursor of every endpoint that gives one (a page of one item)."""
    for param in ENDPOINTS:
        endpoint = param.values[0]
        if not isinstance(endpoint, Endpoint) or endpoint.service not in stack.apis:
            continue
        query = endpoint.params | ({"limit": "1"} if endpoint.takes_limit else {})
        response = await stack.apis[endpoint.service].get(
            endpoint.path, params=query, headers=stack.headers
        )
        if response.status_code == 200 and (cursor := response.json().get("next_cursor")):
            stack.cursors[endpoint.name] = (endpoint, cursor)


def _flip(cursor: str, at: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    at = at % len(cursor)
    if cursor[at] == ".":
        at -= 1
    replacement = alphabet[(alphabet.find(cursor[at]) + 1) % len(alphabet)]
    return cursor[:at] + replacement + cursor[at + 1 :]


def _bad_cursors(endpoint: Endpoint, stack: Stack) -> dict[str, str]:
    bad = {f"garbage {g[:12]!r}": g for g in GARBAGE}
    own = stack.cursors[endpoint.name][1] if endpoint.name in stack.cursors else None
    foreign = [
        c
        for e, c in stack.cursors.values()
        if (e.service, e.path) != (endpoint.service, endpoint.path)
    ]
    if own is None:
        warnings.warn(f"{endpoint.name}: no real cursor of its own (too few rows)", stacklevel=2)
    real = own or (foreign[0] if foreign else None)
    if real is not None:
        bad |= {
            "truncated by half": real[: len(real) // 2],
            "truncated by one": real[:-1],
            "tampered at the start": _flip(real, 1),
            "tampered in the middle": _flip(real, len(real) // 2),
            "tampered at the end": _flip(real, -2),
        }
    for n, cursor in enumerate(foreign):
        bad[f"foreign {n}"] = cursor
    return bad


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_a_bad_cursor_is_a_422_naming_cursor(endpoint: Endpoint | str, stack: Stack) -> None:
    if not isinstance(endpoint, Endpoint):
        pytest.fail(f"{endpoint}: its app cannot be built, so its lists were not checked")
    api = stack.api(endpoint.service)
    wrong: list[str] = []
    for label, cursor in _bad_cursors(endpoint, stack).items():
        response = await api.get(
            endpoint.path, params=endpoint.params | {"cursor": cursor}, headers=stack.headers
        )
        if not _names_cursor(response):
            wrong.append(f"{label}: {response.status_code} {response.text[:160]}")
    assert not wrong, f"{endpoint.name} took bad cursors:\n" + "\n".join(wrong)


def _names_cursor(response: httpx.Response) -> bool:
    if response.status_code != 422:
        return False
    if not response.headers.get("content-type", "").startswith(PROBLEM_JSON):
        return False
    errors = response.json().get("errors") or []
    return any(isinstance(e, dict) and e.get("field") == "cursor" for e in errors)


def test_the_lists_are_found() -> None:
    """The discovery itself: the lists known today are among those checked."""
    names = {p.values[0].name for p in ENDPOINTS if isinstance(p.values[0], Endpoint)}
    for expected in (
        "clients GET /api/v1/clients",
        "orders GET /api/v1/orders",
        "migration GET /api/v1/clients",
        "tickets GET /api/v1/incidents",
        "tickets GET /api/v1/problems",
    ):
        assert expected in names
