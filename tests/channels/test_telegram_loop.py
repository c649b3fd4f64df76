"""End to end on a stack of real processes: a person writes to the (fake) bot, an incident
appears with channel `telegram` and them as reporter; an agent's public comment reaches the
chat within 5 s; the person's reply becomes a comment; resolving tells them, and a reply to
a resolved incident reopens it. Internal notes never leave."""

from __future__ import annotations

import time

import httpx

from tests.channels.telegram_person import KEY, TelegramPerson
from tests.support.live_web import LiveStack


async def _comments(api: httpx.AsyncClient, key: str) -> list[dict[str, object]]:
    response = await api.get(f"/api/v1/incidents/{key}/comments")
    assert response.status_code == 200
    return list(response.json())


async def test_a_chat_becomes_an_incident_and_hears_back(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Olga", "en")
    await person.write("The printer on floor 3 prints blank pages")
    created = await person.bot_says(r"INC-\d+ is open")
    key = KEY.search(created["text"]).group(0)  # type: ignore[union-attr]

    incident = (await agent_api.get(f"/api/v1/incidents/{key}")).json()
    assert incident["channel"] == "telegram"
    assert incident["reporter_telegram_id"] == person.user_id
    assert incident["reporter_name"] == "Olga"
    assert incident["title"] == "The printer on floor 3 prints blank pages"

    started = time.monotonic()
    answer = await agent_api.post(
        f"/api/v1/incidents/{key}/comments",
        json={"body": "Which printer model is it?", "visibility": "public"},
    )
    assert answer.status_code == 201
    asked = await person.bot_says(r"Which printer model is it\?", timeout_s=5)
    assert time.monotonic() - started < 5
    assert key in asked["text"]

    note = await agent_api.post(
        f"/api/v1/incidents/{key}/comments",
        json={"body": "internal: toner supplier late", "visibility": "internal"},
    )
    assert note.status_code == 201

    await person.write("An HP LaserJet 4000", reply_to=asked["message_id"])
    await person.bot_says(rf"Added to {key}")
    bodies = [c["body"] for c in await _comments(agent_api, key)]
    assert "An HP LaserJet 4000" in bodies

    resolving = await agent_api.post(
        f"/api/v1/incidents/{key}/transitions",
        json={"transition": "resolve", "fields": {"resolution": "Replaced the toner"}},
    )
    assert resolving.status_code == 200, resolving.text
    resolved = await person.bot_says(rf"{key} is resolved: Replaced the toner")
    assert all("toner supplier" not in str(m.get("text")) for m in await person.chat())

    await person.write("It prints blank pages again", reply_to=resolved["message_id"])
    await person.bot_says(rf"{key}; it is open again")
    reopened = (await agent_api.get(f"/api/v1/incidents/{key}")).json()
    assert reopened["status"] == "in_progress"


async def test_free_text_with_an_open_incident_asks_where_it_goes(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Иван", "ru")
    await person.write("Не работает VPN")
    created = await person.bot_says(r"Обращение INC-\d+ открыто")
    key = KEY.search(created["text"]).group(0)  # type: ignore[union-attr]

    await person.write("Ошибка 809 при подключении")
    question = await person.bot_says(r"Добавить сообщение")
    buttons = [b for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert {b["callback_data"] for b in buttons} == {f"add:{key}", "new"}
    await person.press(question["message_id"], f"add:{key}")
    await person.bot_says(rf"Добавлено в {key}")
    assert "Ошибка 809 при подключении" in [c["body"] for c in await _comments(agent_api, key)]

    await person.write("/my")
    listing = await person.bot_says(r"Ваши обращения")
    assert key in listing["text"]
    await person.write(f"/status {key}")
    await person.bot_says(rf"{key} «Не работает VPN»: новое")
    await person.write("/status INC-999999")
    await person.bot_says(r"INC-999999 среди ваших не найдено")


async def test_guided_creation_checks_the_order_number(
    live_stack: LiveStack, telegram_fake: httpx.AsyncClient, agent_api: httpx.AsyncClient
) -> None:
    person = TelegramPerson(telegram_fake, live_stack.telegram_bot_id, "Petr", "en")
    await person.write("/new")
    await person.bot_says(r"in one line")
    await person.write("Wrong delivery address")
    await person.bot_says(r"Describe it")
    await person.write("The courier went to the old office.")
    await person.bot_says(r"send its number")
    await person.write("NO-SUCH-ORDER-42")
    await person.bot_says(r"did not find order NO-SUCH-ORDER-42")
    await person.write("/skip")
    created = await person.bot_says(r"INC-\d+ is open: «Wrong delivery address»")
    key = KEY.search(created["text"]).group(0)  # type: ignore[union-attr]
    incident = (await agent_api.get(f"/api/v1/incidents/{key}")).json()
    assert incident["description"] == "The courier went to the old office."
    assert incident["order_ref"] is None
