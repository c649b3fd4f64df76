"""Every service as a real process: ready, measured, and passing the request id along."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from servicedesk.kernel.calls import ClientCredentials, UserToken, service_client
from servicedesk.kernel.context import request_id_var
from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.ops.catalogue import SERVICES
from tests.support.processes import RunningService, start_service, stop, wait_ready
from tests.support.tokens import TokenShop

TEST_PORT_OFFSET = 10000


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, RunningService]]:
    running = {s.name: start_service(s.name, s.port + TEST_PORT_OFFSET) for s in SERVICES}
    yield running
    for service in running.values():
        stop(service)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.mark.parametrize("name", [s.name for s in SERVICES])
async def test_every_service_is_ready(stack: dict[str, RunningService], name: str) -> None:
    response = await wait_ready(stack[name])
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert all(check["ok"] for check in checks.values()), checks
    if "standby" in checks:
        assert checks["standby"]["detail"]["in_recovery"] is True


async def test_liveness_and_metrics(
    stack: dict[str, RunningService], http: httpx.AsyncClient
) -> None:
    for service in stack.values():
        await wait_ready(service)
        assert (await http.get(f"{service.url}/health/live")).status_code == 200
        metrics = (await http.get(f"{service.url}/metrics")).text
        assert f'route="/health/ready",service="{service.name}"' in metrics


async def test_the_request_id_reaches_the_logs_of_the_called_service(
    stack: dict[str, RunningService], http: httpx.AsyncClient
) -> None:
    clients = stack["clients"]
    await wait_ready(clients)
    credentials = ClientCredentials(KeycloakSettings.local("migration"), http)
    request_id = f"trace-{uuid.uuid4().hex}"
    token = request_id_var.set(request_id)
    try:
        async with service_client(clients.url, auth=credentials) as client:
            first = await client.get("/api/v1/me")
            second = await client.get("/api/v1/me")
    finally:
        request_id_var.reset(token)
    assert first.status_code == 200, first.text
    assert first.json()["username"] == "service-account-servicedesk-migration"
    assert first.headers["x-request-id"] == request_id
    assert second.status_code == 200
    assert credentials.fetches == 1, "the service token is reused until it nears expiry"
    await asyncio.sleep(0.2)
    logged = [json.loads(line) for line in clients.log_lines() if request_id in line]
    assert all(entry["request_id"] == request_id for entry in logged)
    logged = [entry for entry in logged if entry["logger"] == "servicedesk.access"]
    assert len(logged) == 2
    assert {entry["route"] for entry in logged} == {"/api/v1/me"}
    assert all(entry["service"] == "clients" for entry in logged)


async def test_a_user_token_is_forwarded_with_its_roles(
    stack: dict[str, RunningService], tokens: TokenShop
) -> None:
    tickets = stack["tickets"]
    await wait_ready(tickets)
    async with service_client(tickets.url, auth=UserToken(await tokens.access("supervisor1"))) as c:
        response = await c.get("/api/v1/me")
    assert response.status_code == 200
    assert {"agent", "supervisor"} <= set(response.json()["roles"])
