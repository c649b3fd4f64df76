"""Every failure answers RFC 9457 problem+json; bad input names the field and the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.kernel.errors import Conflict
from servicedesk.kernel.settings import KeycloakSettings, ServiceSettings
from tests.support.apps import serve

PROBLEM = "application/problem+json"
router = APIRouter(prefix="/things", tags=["things"])


class NewThing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=20)
    count: int = Field(ge=0)


@router.post("")
async def create_thing(thing: NewThing) -> NewThing:
    return thing


@router.post("/conflicting")
async def conflicting() -> None:
    raise Conflict("thing 7 was changed by someone else", extra={"current_version": 3})


@router.get("/broken")
async def broken() -> None:
    raise RuntimeError("secret internals")


@pytest.fixture(scope="module")
async def api() -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(max_body_bytes=1024)
    keycloak = KeycloakSettings(client_id="servicedesk-tickets", client_secret=SecretStr("x"))
    spec = ServiceSpec(
        "things",
        "things",
        settings,
        keycloak,
        routers=[router],
        uses_redis=False,
        uses_broker=False,
    )
    async with serve(create_service_app(spec)) as client:
        yield client


async def test_invalid_fields_are_named_with_their_reason(api: httpx.AsyncClient) -> None:
    response = await api.post("/things", json={"name": "", "count": "many", "colour": "red"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert problem["title"] == "Invalid input"
    fields = {e["field"]: e["reason"] for e in problem["errors"]}
    assert set(fields) == {"name", "count", "colour"}
    assert "at least 1 character" in fields["name"]
    assert "integer" in fields["count"]
    assert "Extra inputs" in fields["colour"]


async def test_malformed_json_is_a_422_not_a_500(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/things", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_oversized_body_is_413(api: httpx.AsyncClient) -> None:
    response = await api.post("/things", json={"name": "x" * 5000, "count": 1})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert "1024 bytes" in response.json()["detail"]


async def test_oversized_streamed_body_is_413(api: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 512

    response = await api.post(
        "/things", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_domain_errors_carry_their_status_and_extras(api: httpx.AsyncClient) -> None:
    response = await api.post("/things/conflicting")
    assert response.status_code == 409
    assert response.json()["current_version"] == 3
    assert response.json()["type"].endswith("/conflict")


async def test_unknown_route_is_a_problem(api: httpx.AsyncClient) -> None:
    response = await api.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


async def test_unexpected_errors_hide_internals(api: httpx.AsyncClient) -> None:
    response = await api.get("/things/broken")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "secret internals" not in response.text


async def test_every_response_carries_a_request_id(api: httpx.AsyncClient) -> None:
    response = await api.get("/health/live", headers={"X-Request-ID": "req-42"})
    assert response.headers["x-request-id"] == "req-42"
    generated = await api.get("/health/live", headers={"X-Request-ID": "bad id with spaces"})
    assert len(generated.headers["x-request-id"]) == 32


async def test_metrics_count_requests_per_route(api: httpx.AsyncClient) -> None:
    await api.post("/things", json={"name": "a", "count": 1})
    body = (await api.get("/metrics")).text
    assert (
        'http_requests_total{method="POST",route="/things",service="things",status="200"}' in body
    )
    assert "http_request_duration_seconds_bucket" in body
    assert 'http_request_errors_total{method="GET",route="/things/broken",service="things"}' in body


async def test_operation_ids_are_stable(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    assert spec["paths"]["/things"]["post"]["operationId"] == "things-create-thing"
    assert spec["paths"]["/api/v1/me"]["get"]["operationId"] == "identity-me"
