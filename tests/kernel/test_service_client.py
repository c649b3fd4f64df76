"""The service-to-service client against a real HTTP server on a local port: retries only where
safe, within the deadline; the breaker; metrics; the request id; typed answers."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import BaseModel

from servicedesk.kernel.breaker import MemoryBreaker
from servicedesk.kernel.context import request_id_var
from servicedesk.kernel.service_client import (
    IDEMPOTENCY_KEY,
    RetryPolicy,
    ServiceClient,
    TargetUnavailable,
    UnexpectedAnswer,
)
from tests.support.scripted_server import HANG, RESET, Answer, Step, scripted_server
from tests.support.silent_server import silent_server

FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05, deadline_s=2.0)


class Thing(BaseModel):
    id: int
    name: str


def _client(url: str, **options: object) -> ServiceClient:
    target = f"test-{uuid.uuid4().hex[:8]}"
    settings: dict[str, object] = {"retry": FAST, "timeout_s": 1.0, **options}
    return ServiceClient(target, url, **settings)  # type: ignore[arg-type]


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_read_is_tried_again_after_503_and_502() -> None:
    async with (
        scripted_server([503, 502, Answer(200, {"id": 1, "name": "a"})]) as server,
        _client(server.url) as client,
    ):
        thing = await client.get_json("/things/1", Thing)
    assert thing == Thing(id=1, name="a")
    assert [s.path for s in server.seen] == ["/things/1"] * 3
    assert _count("service_call_retries_total", target=client.target, method="GET") == 2
    assert _count("service_calls_total", target=client.target, method="GET", outcome="5xx") == 2
    assert _count("service_calls_total", target=client.target, method="GET", outcome="2xx") == 1


async def test_a_post_without_idempotency_key_is_sent_once() -> None:
    async with (
        scripted_server([503, Answer(201, {"id": 2, "name": "b"})]) as server,
        _client(server.url) as client,
    ):
        with pytest.raises(UnexpectedAnswer) as refused:
            await client.post_json("/things", {"name": "b"}, Thing)
    assert refused.value.status == 503
    assert len(server.seen) == 1


async def test_a_post_with_idempotency_key_is_tried_again_with_the_same_key() -> None:
    async with (
        scripted_server([504, Answer(201, {"id": 3, "name": "c"})]) as server,
        _client(server.url) as client,
    ):
        created = await client.post_json(
            "/things", Thing(id=3, name="c"), Thing, idempotency_key="k-1"
        )
    assert created.id == 3
    assert [s.headers[IDEMPOTENCY_KEY.lower()] for s in server.seen] == ["k-1", "k-1"]
    assert all(s.body == b'{"id":3,"name":"c"}' for s in server.seen)


async def test_a_client_error_is_not_tried_again() -> None:
    async with (
        scripted_server([Answer(409, {"detail": "taken"})]) as server,
        _client(server.url) as client,
    ):
        response = await client.request("PUT", "/things/1", json={})
    assert response.status_code == 409
    assert len(server.seen) == 1


async def test_dropped_connections_are_tried_again() -> None:
    async with (
        scripted_server([RESET, Answer(200, {"id": 4, "name": "d"})]) as server,
        _client(server.url) as client,
    ):
        assert (await client.get_json("/things/4", Thing)).id == 4
    assert len(server.seen) == 2


async def test_a_hung_target_gives_up_at_the_deadline() -> None:
    async with scripted_server([HANG]) as server, _client(server.url) as client:
        started = time.monotonic()
        with pytest.raises(TargetUnavailable) as gave_up:
            await client.get_json("/slow", Thing, deadline_s=0.4)
        elapsed = time.monotonic() - started
    assert elapsed < 1.0, "every try and wait fits in the deadline"
    assert gave_up.value.reason == "ReadTimeout"
    assert _count("service_calls_total", target=client.target, method="GET", outcome="timeout")


async def test_a_silent_server_is_a_timeout_too() -> None:
    async with silent_server() as url, _client(url) as client:
        with pytest.raises(TargetUnavailable):
            await client.request("GET", "/", deadline_s=0.3)


async def test_an_unreachable_target_is_unavailable_after_its_tries() -> None:
    async with _client("http://127.0.0.1:9") as client:
        with pytest.raises(TargetUnavailable) as gave_up:
            await client.get_json("/things/1", Thing)
    assert gave_up.value.reason == "ConnectError"
    assert _count("service_calls_total", target=client.target, method="GET", outcome="error") == 3


async def test_503s_to_the_end_leave_the_last_answer() -> None:
    async with scripted_server([503]) as server, _client(server.url) as client:
        response = await client.request("GET", "/things")
    assert response.status_code == 503
    assert len(server.seen) == FAST.attempts


async def test_the_breaker_opens_refuses_at_once_and_a_good_probe_closes_it() -> None:
    script: list[Step] = [503, 503, Answer(200, {"id": 5, "name": "e"})]
    async with scripted_server(script) as server:
        breaker = MemoryBreaker("things", threshold=2, open_s=0.2, probe_s=1.0)
        once = RetryPolicy(attempts=1)
        async with _client(server.url, breaker=breaker, retry=once) as client:
            for _ in range(2):
                assert (await client.request("GET", "/things")).status_code == 503
            with pytest.raises(TargetUnavailable) as refused:
                await client.request("GET", "/things")
            assert refused.value.reason == "circuit breaker open"
            assert len(server.seen) == 2, "an open breaker sends nothing"
            assert _count("circuit_breaker_state", target="things") == 2
            await asyncio.sleep(0.25)
            assert (await client.get_json("/things", Thing)).id == 5
    assert _count("circuit_breaker_state", target="things") == 0
    assert (await breaker.state()).value == "closed"


async def test_the_request_id_goes_along() -> None:
    async with (
        scripted_server([Answer(200, {"id": 6, "name": "f"})]) as server,
        _client(server.url) as client,
    ):
        token = request_id_var.set("req-123")
        try:
            await client.get_json("/things/6", Thing)
        finally:
            request_id_var.reset(token)
    assert server.seen[0].headers["x-request-id"] == "req-123"


async def test_answers_of_the_wrong_shape_are_refused() -> None:
    async with scripted_server([Answer(200, {"id": "x"})]) as server, _client(server.url) as client:
        with pytest.raises(UnexpectedAnswer):
            await client.get_json("/things/7", Thing)
        assert await client.get_json("/things/7", dict[str, str]) == {"id": "x"}


async def test_a_404_is_none_where_asked_for() -> None:
    async with scripted_server([404]) as server, _client(server.url) as client:
        assert await client.get_json_or_none("/things/8", Thing) is None
        with pytest.raises(UnexpectedAnswer):
            await client.get_json("/things/8", Thing)


async def test_per_call_auth_wins_over_the_client_default() -> None:
    class Fixed(httpx.Auth):
        def __init__(self, token: str) -> None:
            self.token = token

        def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request

    async with (
        scripted_server([Answer(200, {"id": 9, "name": "i"})]) as server,
        _client(server.url, auth=Fixed("service")) as client,
    ):
        await client.get_json("/things/9", Thing)
        await client.get_json("/things/9", Thing, auth=Fixed("user"))
    assert [s.headers["authorization"] for s in server.seen] == ["Bearer service", "Bearer user"]


async def test_a_call_that_cannot_be_made_is_unavailable_at_once() -> None:
    async with _client("ftp://127.0.0.1:9") as client:
        with pytest.raises(TargetUnavailable) as refused:
            await client.request("GET", "/things")
    assert refused.value.reason == "UnsupportedProtocol"
