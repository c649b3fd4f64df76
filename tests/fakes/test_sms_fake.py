"""The SMS fake end to end, over real HTTP: the adapters send through it, its status callbacks
and inbound SMS reach a real receiver signed as each provider signs, replays repeat a callback
byte for byte, and the fault knobs make sends fail and phones unreachable."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from servicedesk.channels.sms.callbacks import read_callback
from servicedesk.channels.sms.port import CallbackRequest, SmsProvider, SmsSendFailed
from servicedesk.channels.sms.smsru import LOCAL_CALLBACK_SECRET, SmsRuProvider, SmsRuSettings
from servicedesk.channels.sms.twilio import TwilioProvider, TwilioSettings
from servicedesk.fakes.sms.app import create_app
from servicedesk.fakes.sms.settings import SmsFakeSettings

PORTS = range(38200, 38300)
ANNA = "+79123456789"
SMSRU_JSON = {"api_id": "local-smsru-api-id", "json": "1"}


def free_port() -> int:
    """A port of ours (38200-38299) nobody listens on."""
    for port in PORTS:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with contextlib.suppress(OSError):
                probe.bind(("127.0.0.1", port))
                return port
    raise RuntimeError("no free port in 38200-38299")


@asynccontextmanager
async def uvicorn_on(app: FastAPI, port: int | None = None) -> AsyncIterator[str]:
    """The app behind a real uvicorn on 127.0.0.1, in this event loop."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def eventually(check: Callable[[], Any], within_s: float = 5) -> Any:
    """The first truthy answer of `check` (plain or async), polled for `within_s`."""
    deadline = time.monotonic() + within_s
    while True:
        answer = check()
        if inspect.isawaitable(answer):
            answer = await answer
        if answer or time.monotonic() > deadline:
            assert answer, "condition not met in time"
            return answer
        await asyncio.sleep(0.02)


def fake_settings(receiver: str | None) -> SmsFakeSettings:
    """Fast statuses and retries; callbacks to `receiver` (None: nowhere)."""
    return SmsFakeSettings(
        smsru_callback_url=(
            f"{receiver}/sms/smsru/callback?secret={LOCAL_CALLBACK_SECRET}" if receiver else None
        ),
        twilio_inbound_url=f"{receiver}/sms/twilio/inbound" if receiver else None,
        status_step_s=0.05,
        callback_backoff_start_s=0.05,
        callback_backoff_cap_s=0.2,
    )


@dataclass
class Received:
    route: str
    request: CallbackRequest
    verified: bool


@dataclass
class Receiver:
    """The desk's side: checks each callback with the adapter and answers as it says."""

    providers: dict[str, SmsProvider]
    seen: list[Received] = field(default_factory=list)
    refuse_next: int = 0  # answer 503 to this many callbacks
    wrong_body_next: int = 0  # answer 200 "OK" (not SMS.ru's "100") to this many

    def app(self) -> FastAPI:
        app = FastAPI()

        async def take(route: str, provider: str, request: Request) -> Response:
            adapter = self.providers[provider]
            callback = await read_callback(request)
            verified = adapter.verify(callback)
            self.seen.append(Received(route, callback, verified))
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return PlainTextResponse("busy", status_code=503)
            if self.wrong_body_next > 0:
                self.wrong_body_next -= 1
                return PlainTextResponse("OK")
            if not verified:
                return PlainTextResponse("forged", status_code=403)
            ack = adapter.acknowledge()
            return Response(ack.body, status_code=ack.status, media_type=ack.content_type)

        @app.post("/sms/{provider}/{kind}")  # smsru/callback, twilio/status, twilio/inbound
        async def callback(provider: str, kind: str, request: Request) -> Response:
            return await take(
                provider if provider == "smsru" else f"twilio-{kind}", provider, request
            )

        return app

    def on(self, route: str) -> list[Received]:
        return [received for received in self.seen if received.route == route]


@dataclass
class Stack:
    fake: httpx.AsyncClient  # the control API
    smsru: SmsRuProvider
    twilio: TwilioProvider
    receiver: Receiver
    receiver_url: str

    def statuses(self, route: str) -> list[tuple[str, str]]:
        adapter = self.smsru if route == "smsru" else self.twilio
        return [
            (report.provider_id, report.raw_code)
            for received in self.receiver.on(route)
            for report in adapter.parse_statuses(received.request)
        ]


@pytest.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    async with httpx.AsyncClient() as http:
        smsru_desk = SmsRuProvider(SmsRuSettings(), http)
        twilio_desk = TwilioProvider(TwilioSettings(), http)
        receiver = Receiver({"smsru": smsru_desk, "twilio": twilio_desk})
        async with uvicorn_on(receiver.app()) as receiver_url:
            fake_app = create_app(fake_settings(receiver_url))
            async with uvicorn_on(fake_app) as fake_url:
                smsru = SmsRuProvider(SmsRuSettings(base_url=fake_url), http)
                twilio = TwilioProvider(TwilioSettings(base_url=fake_url), http)
                async with httpx.AsyncClient(base_url=fake_url) as fake:
                    yield Stack(fake, smsru, twilio, receiver, receiver_url)


@pytest.fixture(autouse=True)
async def forget_everything(stack: Stack) -> None:
    assert (await stack.fake.post("/control/reset")).status_code == 204
    stack.receiver.seen.clear()
    stack.receiver.refuse_next = stack.receiver.wrong_body_next = 0


async def conversation(stack: Stack, phone: str = ANNA) -> list[dict[str, Any]]:
    answer = await stack.fake.get(f"/control/phones/{phone}/messages")
    assert answer.status_code == 200, answer.text
    messages: list[dict[str, Any]] = answer.json()["messages"]
    return messages


async def test_smsru_send_moves_to_delivered_and_calls_back_signed(stack: Stack) -> None:
    sent = await stack.smsru.send("8 (912) 345-67-89", "Заявка INC-000123 принята")
    assert (sent.provider, sent.status, sent.raw_status) == ("smsru", "queued", "100")

    def both() -> bool:
        return [code for _, code in stack.statuses("smsru")] == ["102", "103"]

    await eventually(both)
    assert all(received.verified for received in stack.receiver.on("smsru"))
    assert {sms_id for sms_id, _ in stack.statuses("smsru")} == {sent.provider_id}
    [message] = await conversation(stack)
    assert message["direction"] == "to_phone"
    assert (message["status"], message["final"], message["callback"]) == ("103", True, "delivered")
    assert message["segments"] == {"encoding": "ucs2", "units": 25, "parts": 1, "per_part": 70}

    status = await stack.fake.post("/sms/status", data={**SMSRU_JSON, "sms_id": sent.provider_id})
    assert status.json()["sms"][sent.provider_id]["status_code"] == 103


async def test_twilio_send_calls_every_status_back_signed(stack: Stack) -> None:
    callback = f"{stack.receiver_url}/sms/twilio/status"
    sent = await stack.twilio.send(ANNA, "Ticket INC-000123 taken", status_callback=callback)
    assert (sent.status, sent.raw_status, sent.parts) == ("queued", "queued", 1)
    assert sent.provider_id.startswith("SM")

    def all_three() -> bool:
        return [s for _, s in stack.statuses("twilio-status")] == ["queued", "sent", "delivered"]

    await eventually(all_three)
    assert all(received.verified for received in stack.receiver.on("twilio-status"))
    last = stack.receiver.on("twilio-status")[-1].request
    assert (last.first("To"), last.first("From")) == (ANNA, "+15005550006")
    fetched = await stack.fake.get(
        f"/2010-04-01/Accounts/{stack.twilio.settings.account_sid}/Messages/{sent.provider_id}.json",
        auth=(stack.twilio.settings.account_sid, "local-twilio-auth-token"),
    )
    assert (fetched.json()["status"], fetched.json()["direction"]) == ("delivered", "outbound-api")


async def test_inbound_smsru_reaches_the_handler_in_its_callback_format(stack: Stack) -> None:
    text = "Не работает принтер\nкабинет 301"
    answer = await stack.fake.post(
        "/control/smsru/inbound", json={"from": "8 912 345 67 89", "text": text}
    )
    assert answer.status_code == 200, answer.text
    injected = answer.json()
    assert injected["phone"] == ANNA

    [received] = await eventually(lambda: stack.receiver.on("smsru"))
    assert received.verified
    [sms] = stack.smsru.parse_inbound(received.request)
    assert tuple(sms)[1:5] == (injected["message_id"], ANNA, "79990000000", text)
    assert not stack.smsru.parse_statuses(received.request).items

    async def delivered() -> dict[str, Any] | None:
        [message] = await conversation(stack)
        return message if message["callback"] == "delivered" else None

    message = await eventually(delivered)
    assert (message["direction"], message["status"]) == ("from_phone", "received")
    assert message["segments"]["parts"] == 1


async def test_inbound_twilio_reaches_the_webhook_signed(stack: Stack) -> None:
    answer = await stack.fake.post(
        "/control/twilio/inbound", json={"from": ANNA, "text": "Printer broken 🙁"}
    )
    injected = answer.json()
    [received] = await eventually(lambda: stack.receiver.on("twilio-inbound"))
    assert received.verified
    assert received.request.headers["x-twilio-signature"]
    [sms] = stack.twilio.parse_inbound(received.request)
    assert tuple(sms)[1:5] == (injected["message_id"], ANNA, "+15005550006", "Printer broken 🙁")
    assert received.request.first("NumSegments") == "1"

    async def delivered() -> bool:
        return bool((await conversation(stack))[0]["callback"] == "delivered")

    await eventually(delivered)


async def test_replay_sends_the_last_status_callback_again_unchanged(stack: Stack) -> None:
    callback = f"{stack.receiver_url}/sms/twilio/status"
    sent = await stack.twilio.send(ANNA, "Done", status_callback=callback)
    await eventually(lambda: len(stack.receiver.on("twilio-status")) == 3)
    replayed = await stack.fake.post(f"/control/twilio/replay-status/{sent.provider_id}")
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["kind"] == "status"
    await eventually(lambda: len(stack.receiver.on("twilio-status")) == 4)
    last, again = stack.receiver.on("twilio-status")[-2:]
    assert again.request.body == last.request.body
    assert again.request.headers["x-twilio-signature"] == last.request.headers["x-twilio-signature"]
    assert again.verified

    sms = await stack.smsru.send(ANNA, "Готово")
    await eventually(lambda: len(stack.receiver.on("smsru")) == 2)
    assert (
        await stack.fake.post(f"/control/smsru/replay-status/{sms.provider_id}")
    ).status_code == 202
    await eventually(lambda: [c for _, c in stack.statuses("smsru")] == ["102", "103", "103"])

    missing = await stack.fake.post("/control/smsru/replay-status/000000-1")
    assert missing.status_code == 404


async def test_fail_next_refuses_sends_as_each_provider_does(stack: Stack) -> None:
    for provider in ("smsru", "twilio"):
        armed = {"provider": provider, "fail_next": 1}
        assert (await stack.fake.post("/control/faults", json=armed)).json()["fail_next"] == 1
    with pytest.raises(SmsSendFailed) as smsru_refused:
        await stack.smsru.send(ANNA, "one")
    assert (smsru_refused.value.retryable, smsru_refused.value.code) == (True, "220")
    with pytest.raises(SmsSendFailed) as twilio_refused:
        await stack.twilio.send(ANNA, "one")
    assert (twilio_refused.value.retryable, twilio_refused.value.code) == (True, "20500")

    assert (await stack.smsru.send(ANNA, "two")).status == "queued"
    assert (await stack.twilio.send(ANNA, "two")).status == "queued"


async def test_undeliverable_phones_end_undelivered(stack: Stack) -> None:
    for provider in ("smsru", "twilio"):
        body = {"provider": provider, "undeliverable": ["8 912 345-67-89"]}
        faults = (await stack.fake.post("/control/faults", json=body)).json()
        assert faults["undeliverable"] == [ANNA]
    callback = f"{stack.receiver_url}/sms/twilio/status"
    await stack.smsru.send(ANNA, "Не дойдёт")
    await stack.twilio.send(ANNA, "Will not arrive", status_callback=callback)

    def finished() -> bool:
        smsru_done = [c for _, c in stack.statuses("smsru")] == ["102", "106"]
        twilio = [s for _, s in stack.statuses("twilio-status")]
        return smsru_done and twilio == ["queued", "sent", "undelivered"]

    await eventually(finished)
    [smsru_last] = stack.smsru.parse_statuses(stack.receiver.on("smsru")[-1].request)
    assert smsru_last.status == "undelivered"
    [twilio_last] = stack.twilio.parse_statuses(stack.receiver.on("twilio-status")[-1].request)
    assert (twilio_last.status, twilio_last.error_code) == ("undelivered", "30003")


async def test_callbacks_are_retried_until_taken(stack: Stack) -> None:
    stack.receiver.refuse_next = 2
    stack.receiver.wrong_body_next = 1  # SMS.ru wants "100", a 200 "OK" is no answer
    injected = (
        await stack.fake.post("/control/smsru/inbound", json={"from": ANNA, "text": "Помогите"})
    ).json()

    async def taken() -> list[dict[str, Any]]:
        answer = await stack.fake.get("/control/callbacks")
        attempts: list[dict[str, Any]] = answer.json()["attempts"]
        return attempts if attempts and attempts[-1]["delivered"] else []

    attempts = await eventually(taken)
    assert [a["attempt"] for a in attempts] == [1, 2, 3, 4]
    assert [a["status_code"] for a in attempts] == [503, 503, 200, 200]
    assert attempts[2]["error"] == "the handler did not answer 100"
    assert {a["message_id"] for a in attempts} == {injected["message_id"]}
    assert len(stack.smsru.parse_inbound(stack.receiver.seen[-1].request)) == 1


async def test_wrong_credentials_are_refused_as_each_provider_does(stack: Stack) -> None:
    async with httpx.AsyncClient() as http:
        base = str(stack.fake.base_url).rstrip("/")
        smsru = SmsRuProvider(SmsRuSettings(base_url=base, api_id="wrong"), http)
        with pytest.raises(SmsSendFailed) as smsru_refused:
            await smsru.send(ANNA, "hello")
        assert (smsru_refused.value.code, smsru_refused.value.retryable) == ("200", False)
        twilio = TwilioProvider(TwilioSettings(base_url=base, auth_token="wrong"), http)
        with pytest.raises(SmsSendFailed) as twilio_refused:
            await twilio.send(ANNA, "hello")
        assert (twilio_refused.value.code, twilio_refused.value.retryable) == ("20003", False)
    answer = await stack.fake.post(
        f"/2010-04-01/Accounts/{stack.twilio.settings.account_sid}/Messages.json", auth=("AC1", "x")
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == 20003
    assert (await stack.fake.get("/sms/send", params={"json": "1"})).json()["status_code"] == 210
    assert await conversation(stack) == []


async def test_bad_fields_are_refused_with_provider_codes(stack: Stack) -> None:
    account = stack.twilio.settings.account_sid
    auth = (account, "local-twilio-auth-token")
    url = f"/2010-04-01/Accounts/{account}/Messages.json"
    bad_to = await stack.fake.post(
        url, auth=auth, data={"To": "12", "From": "+15005550006", "Body": "x"}
    )
    assert (bad_to.status_code, bad_to.json()["code"]) == (400, 21211)
    no_body = await stack.fake.post(url, auth=auth, data={"To": ANNA, "From": "+15005550006"})
    assert no_body.json()["code"] == 21602
    sent = await stack.fake.post(
        "/sms/send", data={**SMSRU_JSON, "to": "79123456789,123", "msg": "x"}
    )
    assert sent.json()["sms"]["123"]["status_code"] == 202
    assert sent.json()["sms"]["79123456789"]["status"] == "OK"
    empty = await stack.fake.post("/sms/send", data={**SMSRU_JSON, "to": "79123456789", "msg": ""})
    assert empty.json()["status_code"] == 203
    bad_phone = {"from": "call me", "text": "x"}
    assert (await stack.fake.post("/control/twilio/inbound", json=bad_phone)).status_code == 422


async def test_phone_page_and_its_assets_are_served(stack: Stack) -> None:
    page = await stack.fake.get("/", params={"phone": ANNA, "provider": "twilio"})
    assert page.status_code == 200
    assert 'src="/static/phone.js"' in page.text
    assert 'name="viewport"' in page.text
    assert "http" not in page.text.split("<body>")[0].replace("http-equiv", "")
    for asset in ("/static/phone.js", "/static/phone.css"):
        assert (await stack.fake.get(asset)).status_code == 200
    counted = await stack.fake.post("/control/segments", json={"text": "а" * 72})
    assert counted.json()["parts"] == 2
