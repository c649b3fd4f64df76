"""The Telegram fake speaks the Bot API: aiogram works against it over real HTTP, updates reach
getUpdates or a webhook (with its secret, retried after failures), and Telegram's refusals come
back with Telegram's codes and texts."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, Update
from fastapi import FastAPI, Request

from servicedesk.fakes.telegram.app import create_app
from servicedesk.fakes.telegram.settings import TelegramFakeSettings
from tests.support.apps import serve
from tests.support.scripted_server import scripted_server

BOT_ID = 7000001
TOKEN = f"{BOT_ID}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
ANNA_ID = 501
ANNA = {"id": ANNA_ID, "first_name": "Анна", "last_name": "Иванова", "username": "anna_iv"}
ANNA_RU = {**ANNA, "language_code": "ru"}
PORTS = range(38100, 38200)


def fast_settings() -> TelegramFakeSettings:
    return TelegramFakeSettings(delivery_backoff_start_s=0.05, delivery_backoff_cap_s=0.2)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with contextlib.suppress(OSError):
                probe.bind(("127.0.0.1", port))
                return port
    raise RuntimeError("no free port in 38100-38199")


@asynccontextmanager
async def uvicorn_on(app: FastAPI, port: int) -> AsyncIterator[str]:
    """The app behind a real uvicorn on 127.0.0.1:port, in this event loop."""
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
    """The first truthy answer of `check` (a plain or an async function), polled for `within_s`."""
    deadline = time.monotonic() + within_s
    while True:
        answer = check()
        if inspect.isawaitable(answer):
            answer = await answer
        if answer or time.monotonic() > deadline:
            assert answer, "condition not met in time"
            return answer
        await asyncio.sleep(0.02)


@pytest.fixture(scope="module")
async def telegram() -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(fast_settings())) as client:
        yield client


@pytest.fixture(autouse=True)
async def forget_everything(telegram: httpx.AsyncClient) -> None:
    assert (await telegram.post("/control/reset")).status_code == 204


async def bot_api(client: httpx.AsyncClient, method: str, **params: Any) -> httpx.Response:
    return await client.post(f"/bot{TOKEN}/{method}", json=params)


async def person_writes(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    answer = await client.post(f"/control/bots/{BOT_ID}/messages", json={"from": ANNA_RU, **body})
    assert answer.status_code == 200, answer.text
    written: dict[str, Any] = answer.json()
    return written


async def test_aiogram_speaks_to_the_fake_over_real_http() -> None:
    async with uvicorn_on(create_app(fast_settings()), free_port()) as base:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
        try:
            async with httpx.AsyncClient(base_url=base) as control:
                me = await bot.get_me()
                assert (me.id, me.username, me.is_bot) == (BOT_ID, "servicedesk_local_bot", True)
                await person_writes(control, text="/start")
                [update] = await bot.get_updates()
                assert update.message is not None
                assert update.message.text == "/start"

                sent = await bot.send_message(ANNA_ID, "<b>Заявка</b> принята", parse_mode="HTML")
                assert (sent.message_id, sent.text, sent.chat.id) == (2, "Заявка принята", ANNA_ID)
                assert sent.entities is not None
                assert sent.entities[0].type == "bold"

                report = BufferedInputFile(b"%PDF-1.4 report", filename="report.pdf")
                with_file = await bot.send_document(ANNA_ID, report, caption="Отчёт")
                assert with_file.document is not None
                assert with_file.document.file_name == "report.pdf"
                assert with_file.document.mime_type == "application/pdf"
                file = await bot.get_file(with_file.document.file_id)
                assert file.file_path is not None
                assert file.file_size == 15
                downloaded = await bot.download(with_file.document.file_id)
                assert downloaded is not None
                assert downloaded.read() == b"%PDF-1.4 report"

                faults = {"too_many_requests": 1, "retry_after": 7}
                await control.post(f"/control/bots/{BOT_ID}/faults", json=faults)
                with pytest.raises(TelegramRetryAfter) as flooded:
                    await bot.send_message(ANNA_ID, "too fast")
                assert flooded.value.retry_after == 7
                await bot.send_message(ANNA_ID, "in time")

                await control.post(f"/control/bots/{BOT_ID}/chats/{ANNA_ID}/block")
                with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
                    await bot.send_message(ANNA_ID, "hello?")
                with pytest.raises(TelegramBadRequest, match="chat not found"):
                    await bot.send_message(999_999, "who?")
        finally:
            await bot.session.close()


async def test_every_update_parses_with_aiogram_and_ids_go_up_by_one(
    telegram: httpx.AsyncClient,
) -> None:
    await person_writes(telegram, text="/start ticket_42")
    sent = (
        await bot_api(
            telegram,
            "sendMessage",
            chat_id=ANNA_ID,
            text="Выберите",
            reply_markup={"inline_keyboard": [[{"text": "Закрыть", "callback_data": "close:42"}]]},
        )
    ).json()["result"]
    picture = base64.b64encode(b"\x89PNG fake").decode()
    await person_writes(telegram, photo={"content_base64": picture}, caption="скрин")
    await person_writes(telegram, document={"file_name": "log.txt", "content_base64": picture})
    pressed = await telegram.post(
        f"/control/bots/{BOT_ID}/callbacks",
        json={"from": {"id": ANNA_ID}, "message_id": sent["message_id"], "data": "close:42"},
    )
    assert pressed.status_code == 200
    blocked = {"from": {"id": ANNA_ID}, "status": "blocked"}
    await telegram.post(f"/control/bots/{BOT_ID}/member-status", json=blocked)

    result = (await bot_api(telegram, "getUpdates")).json()["result"]
    updates = [Update.model_validate(raw) for raw in result]
    assert [u.update_id - updates[0].update_id for u in updates] == [0, 1, 2, 3, 4]
    command = updates[0].message
    assert command is not None
    assert command.entities is not None
    assert (command.entities[0].type, command.entities[0].length) == ("bot_command", 6)
    assert command.from_user is not None
    assert command.from_user.language_code == "ru"
    assert updates[1].message is not None
    assert updates[1].message.photo is not None
    assert updates[2].message is not None
    assert updates[2].message.document is not None
    callback = updates[3].callback_query
    assert callback is not None
    assert callback.data == "close:42"
    member = updates[4].my_chat_member
    assert member is not None
    assert member.new_chat_member.status == "kicked"
    refused = await bot_api(telegram, "sendMessage", chat_id=ANNA_ID, text="hi")
    assert refused.status_code == 403


async def test_get_updates_offset_confirms_and_long_polls(telegram: httpx.AsyncClient) -> None:
    await person_writes(telegram, text="первое")
    await person_writes(telegram, text="второе")
    _first, second = (await bot_api(telegram, "getUpdates")).json()["result"]
    again = (await bot_api(telegram, "getUpdates", offset=second["update_id"])).json()
    assert [u["update_id"] for u in again["result"]] == [second["update_id"]]
    confirmed = await bot_api(telegram, "getUpdates", offset=second["update_id"] + 1)
    assert confirmed.json()["result"] == []

    waiting = asyncio.create_task(bot_api(telegram, "getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await person_writes(telegram, text="третье")
    [third] = (await waiting).json()["result"]
    assert third["update_id"] == second["update_id"] + 1
    assert time.monotonic() - started < 1


async def test_get_updates_refused_while_a_webhook_is_set(telegram: httpx.AsyncClient) -> None:
    await bot_api(telegram, "setWebhook", url="http://127.0.0.1:9/hook")
    refused = await bot_api(telegram, "getUpdates")
    assert refused.status_code == 409
    assert refused.json() == {
        "ok": False,
        "error_code": 409,
        "description": "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    }
    await bot_api(telegram, "deleteWebhook")
    assert (await bot_api(telegram, "getUpdates")).json() == {"ok": True, "result": []}


async def test_message_text_limits(telegram: httpx.AsyncClient) -> None:
    await person_writes(telegram, text="hi")
    taken = await bot_api(telegram, "sendMessage", chat_id=ANNA_ID, text="я" * 4096)
    assert taken.json()["ok"] is True
    too_long = await bot_api(telegram, "sendMessage", chat_id=ANNA_ID, text="я" * 4097)
    assert (too_long.status_code, too_long.json()["description"]) == (
        400,
        "Bad Request: message is too long",
    )
    empty = await bot_api(telegram, "sendMessage", chat_id=ANNA_ID, text="  \n ")
    assert empty.json()["description"] == "Bad Request: message text is empty"


async def test_webhook_carries_the_secret_and_is_retried_after_a_500(
    telegram: httpx.AsyncClient,
) -> None:
    async with scripted_server([500, 200]) as receiver:
        hook = {"url": f"{receiver.url}/telegram", "secret_token": "s3cr3t_-x"}
        assert (await bot_api(telegram, "setWebhook", **hook)).json() == {
            "ok": True,
            "result": True,
        }
        written = await person_writes(telegram, text="помогите")
        await eventually(lambda: len(receiver.seen) >= 2)
    for seen in receiver.seen:
        assert seen.headers["x-telegram-bot-api-secret-token"] == "s3cr3t_-x"
        assert json.loads(seen.body)["update_id"] == written["update_id"]
    deliveries = (await telegram.get(f"/control/bots/{BOT_ID}/deliveries")).json()
    assert [(d["attempt"], d["status_code"]) for d in deliveries] == [(1, 500), (2, 200)]
    info = (await bot_api(telegram, "getWebhookInfo")).json()["result"]
    assert info["pending_update_count"] == 0
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )


async def test_webhook_is_retried_after_a_refused_connection(telegram: httpx.AsyncClient) -> None:
    port = free_port()
    await bot_api(telegram, "setWebhook", url=f"http://127.0.0.1:{port}/hook")
    written = await person_writes(telegram, text="есть кто?")

    async def refused() -> bool:
        deliveries = (await telegram.get(f"/control/bots/{BOT_ID}/deliveries")).json()
        return any(d["error"] == "Connection refused" for d in deliveries)

    await eventually(refused)
    received: list[dict[str, Any]] = []
    receiver = FastAPI()

    @receiver.post("/hook")
    async def take(request: Request) -> dict[str, bool]:
        received.append(await request.json())
        return {"ok": True}

    async with uvicorn_on(receiver, port):
        await eventually(lambda: received)
    assert received[0]["update_id"] == written["update_id"]
    info = (await bot_api(telegram, "getWebhookInfo")).json()["result"]
    assert info["pending_update_count"] == 0


async def test_refusals_speak_telegram(telegram: httpx.AsyncClient) -> None:
    malformed = await telegram.post("/bot123:short/getMe")
    assert (malformed.status_code, malformed.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    unknown = await bot_api(telegram, "sendTelepathy")
    assert unknown.json()["description"] == "Not Found: method not found"
    secret = await bot_api(telegram, "setWebhook", url="http://127.0.0.1:9/", secret_token="a b")
    assert secret.json()["description"] == "Bad Request: secret token contains unallowed characters"
    big = {"file_name": "dump.iso", "size": 25_000_000}
    await person_writes(telegram, document=big)
    [update] = (await bot_api(telegram, "getUpdates")).json()["result"]
    file_id = update["message"]["document"]["file_id"]
    too_big = await bot_api(telegram, "getFile", file_id=file_id)
    assert too_big.json()["description"] == "Bad Request: file is too big"


async def test_buttons_answers_and_edits_show_in_the_chat(telegram: httpx.AsyncClient) -> None:
    await person_writes(telegram, text="/start")
    keyboard = {"inline_keyboard": [[{"text": "Да", "callback_data": "yes"}]]}
    sent = await bot_api(
        telegram, "sendMessage", chat_id=ANNA_ID, text="Закрыть?", reply_markup=keyboard
    )
    message_id = sent.json()["result"]["message_id"]
    press = {"from": {"id": ANNA_ID}, "message_id": message_id, "data": "yes"}
    pressed = (await telegram.post(f"/control/bots/{BOT_ID}/callbacks", json=press)).json()
    answer = {"callback_query_id": pressed["callback_query_id"], "text": "Готово"}
    assert (await bot_api(telegram, "answerCallbackQuery", **answer)).json()["result"] is True
    edit = {"chat_id": 501, "message_id": message_id, "text": "Закрыто"}
    assert (await bot_api(telegram, "editMessageText", **edit)).json()["ok"] is True
    unchanged = await bot_api(telegram, "editMessageText", **edit)
    assert unchanged.json()["description"].startswith("Bad Request: message is not modified")

    log = (await telegram.get(f"/control/bots/{BOT_ID}/chats/{ANNA_ID}/messages?after=1")).json()
    [shown] = log["messages"]
    assert (shown["sender"], shown["text"], shown["reply_markup"]) == ("bot", "Закрыто", None)
    assert shown["presses"][0]["answer_text"] == "Готово"
    page = await telegram.get("/")
    assert "@servicedesk_local_bot" in page.text
    assert "/static/chat.js" in page.text
    assert (await telegram.get("/static/chat.js")).status_code == 200
