"""Typed application state: one kernel container, one per service, the old names kept."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from servicedesk.clients.app import create_app as create_clients_app
from servicedesk.kernel.calls import ClientCredentials
from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.kernel.state import (
    KernelState,
    StateMissing,
    kernel_state,
    service_state,
    set_service_state,
)
from servicedesk.legacy.app import create_app as create_legacy_app
from servicedesk.legacy.state import LegacyState, legacy_state
from tests.support.apps import serve
from tests.support.scripted_server import Answer, scripted_server


@dataclass
class Other:
    name: str


async def test_the_kernel_state_is_made_at_start_and_is_the_only_one() -> None:
    app = create_clients_app()
    with pytest.raises(StateMissing):
        kernel_state(app)
    async with serve(app) as client:
        state = kernel_state(app)
        assert isinstance(state, KernelState)
        assert state.service_name == "clients"
        assert state.require_database() is not None
        assert state.redis is not None
        assert not hasattr(app.state, "database"), "no loose attributes beside the state"
        assert [c.name for c in state.readiness_checks] == [
            "redis",
            "database",
            "standby",
            "broker",
        ]
        assert (await client.get("/health/ready")).status_code == 200


async def test_a_service_state_is_checked_for_its_kind() -> None:
    app = create_legacy_app()
    async with serve(app):
        assert isinstance(legacy_state(app), LegacyState)
        with pytest.raises(StateMissing):
            service_state(app, Other)
    bare = FastAPI()
    set_service_state(bare, Other("x"))
    assert service_state(bare, Other).name == "x"


async def test_client_credentials_fetch_once_and_again_after_a_401() -> None:
    async with httpx.AsyncClient() as http:
        credentials = ClientCredentials(KeycloakSettings.local("orders"), http)
        script = [Answer(200, {}), Answer(401, {}), Answer(200, {})]
        async with (
            scripted_server(script) as server,
            httpx.AsyncClient(base_url=server.url, auth=credentials) as client,
        ):
            assert (await client.get("/a")).status_code == 200
            assert credentials.fetches == 1, "fetched once"
            assert (await client.get("/b")).status_code == 200, "a 401 fetches a new one"
    assert credentials.fetches == 2
    sent = [s.headers["authorization"] for s in server.seen]
    assert sent[0] == sent[1] != sent[2]
