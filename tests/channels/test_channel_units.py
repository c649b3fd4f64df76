"""The channels' small pieces, without a stack: long texts split for Telegram (and a long
message cut short by a flood limit sent on from where it stopped), incident numbers read from
commands and from SMS, titles made from a message, and the send-rate limits (one a second per
chat, 30 a second overall) in Redis and, without it, in the process."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage
from redis.asyncio import Redis

from servicedesk.channels.botapi import TEXT_LIMIT, TelegramBot, split_text
from servicedesk.channels.intake.desk import TITLE_MAX, title_from
from servicedesk.channels.models import Delivery
from servicedesk.channels.outbound.ratelimit import SendRate
from servicedesk.channels.outbound.transport import RetryLater, Sent
from servicedesk.channels.settings import TelegramSettings
from servicedesk.channels.sms_channel.intake import NUMBERED
from servicedesk.channels.telegram.commands import incident_key
from tests.support.isolation import TEST_REDIS_URL

SLACK_S = 0.05  # time passing between two reservations of one test


def _words(text: str) -> list[str]:
    return text.split()


def test_a_short_text_is_one_part() -> None:
    assert split_text("Printer on floor 3 is down") == ["Printer on floor 3 is down"]
    assert split_text("x" * TEXT_LIMIT) == ["x" * TEXT_LIMIT]
    assert split_text("") == [""]


def test_a_long_text_is_cut_at_line_ends_and_keeps_every_line() -> None:
    lines = [f"line {n:03d}: " + "log entry " * 8 for n in range(120)]
    text = "\n".join(line.rstrip() for line in lines)
    parts = split_text(text)
    assert len(parts) == 3
    assert all(0 < len(part) <= TEXT_LIMIT for part in parts)
    assert "\n".join(parts) == text, "cut only at line ends, nothing lost"
    assert all(part.startswith("line ") and part.endswith("entry") for part in parts)


def test_a_text_without_line_ends_is_cut_at_spaces_else_anywhere() -> None:
    spaced = " ".join(f"word{n}" for n in range(2000))
    parts = split_text(spaced)
    assert all(len(part) <= TEXT_LIMIT for part in parts)
    assert _words(" ".join(parts)) == _words(spaced), "words stay whole and in order"
    solid = "я" * 10_000
    assert split_text(solid) == ["я" * TEXT_LIMIT, "я" * TEXT_LIMIT, "я" * 1808]


def test_no_part_is_empty_even_after_a_long_run_of_blanks() -> None:
    text = " " * 5000 + "word " * 1000
    parts = split_text(text)
    assert all(part.strip() for part in parts), "Telegram refuses an empty message"
    assert all(len(part) <= TEXT_LIMIT for part in parts)
    assert _words(" ".join(parts)) == _words(text)


async def test_a_long_message_cut_short_by_a_flood_limit_goes_on_where_it_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = TelegramBot(TelegramSettings())
    received: list[str] = []
    refused: list[str] = []

    async def send_message(chat_id: int, text: str, **_: object) -> SimpleNamespace:
        if len(received) == 1 and not refused:  # Telegram's 429 on the second part, once
            refused.append(text)
            method = SendMessage(chat_id=chat_id, text=text)
            raise TelegramRetryAfter(method, "Too Many Requests", retry_after=3)
        received.append(text)
        return SimpleNamespace(message_id=len(received))

    monkeypatch.setattr(bot.bot, "send_message", send_message)
    body = "\n".join(f"line {n:04d} of the report" for n in range(600))
    delivery = Delivery(id=uuid.uuid4(), address="555", body=body, markup=None, parts=0)
    try:
        with pytest.raises(RetryLater) as later:
            await bot.send(delivery, None)
        assert later.value.after_s == 3
        assert later.value.done == Sent("telegram", ["555:1"], 1), "the first part went out"
        delivery.parts = later.value.done.parts  # as the sender keeps it
        sent = await bot.send(delivery, None)
    finally:
        await bot.close()
    assert sent == Sent("telegram", ["555:2", "555:3", "555:4"], 4)
    assert received == split_text(body), "every part once, in order"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("INC-000123", "INC-000123"),
        ("inc-123", "INC-000123"),
        ("INC123", "INC-000123"),
        ("123", "INC-000123"),
        ("  INC-0042  ", "INC-000042"),
        ("INC-1234567", "INC-1234567"),
        ("INC-" + "9" * 18, "INC-" + "9" * 18),
        ("INC-" + "9" * 19, None),
        ("#123", None),
        ("INC 123", None),
        ("INC-12a", None),
        ("", None),
        ("status", None),
    ],
)
def test_incident_key_reads_what_people_type(typed: str, key: str | None) -> None:
    assert incident_key(typed) == key


@pytest.mark.parametrize(
    ("sms", "number", "rest"),
    [
        ("INC-000123 still broken", "123", "still broken"),
        ("inc-123: перезагрузил", "123", "перезагрузил"),
        ("INC 77 - no signal", "77", "no signal"),
        ("INC9 x", "9", "x"),
        ("#45. Спасибо", "45", "Спасибо"),
        ("  #0007 ok", "7", "ok"),
        ("INC-42", "42", ""),
        ("INC-12\nsecond line", "12", "second line"),
    ],
)
def test_numbered_sms_name_the_incident(sms: str, number: str, rest: str) -> None:
    found = NUMBERED.match(sms)
    assert found is not None
    assert (found.group(1), found.group(2)) == (number, rest)


@pytest.mark.parametrize(
    "sms",
    ["Room 123 is cold", "12 chairs broken", "#12abc", "# 12 text", "INCIDENT 12", "no number"],
)
def test_other_sms_open_an_incident(sms: str) -> None:
    assert NUMBERED.match(sms) is None


def test_a_title_is_the_first_line_that_says_something() -> None:
    assert title_from("VPN is down") == "VPN is down"
    assert title_from("\n\n   \n  Printer jams  \nsince Monday") == "Printer jams"
    assert title_from("") == ""
    assert title_from(" \n\t\n") == ""
    exact = "a" * TITLE_MAX
    assert title_from(exact) == exact
    long = "word " * 100
    title = title_from(long)
    assert len(title) <= TITLE_MAX
    assert title.endswith("word…")
    assert long.startswith(title[:-1])


# --- send-rate limits ---------------------------------------------------------------------------


@pytest.fixture(params=["redis", "process"])
async def redis(request: pytest.FixtureRequest) -> AsyncIterator[Redis | None]:
    if request.param == "process":
        yield None
        return
    client = Redis.from_url(TEST_REDIS_URL)
    try:
        yield client
    finally:
        await client.aclose()


def _rate(redis: Redis | None) -> SendRate:
    """Telegram's limits, under a name of this test's own (no slot taken by another test)."""
    return SendRate(redis, f"test-{uuid.uuid4().hex}", per_second=30, chat_interval_s=1.0)


async def test_one_message_a_second_to_a_chat(redis: Redis | None) -> None:
    rate = _rate(redis)
    waits = [await rate.reserve("555") for _ in range(3)]
    assert waits == pytest.approx([0.0, 1.0, 2.0], abs=SLACK_S)
    assert await rate.reserve("556") == pytest.approx(0.1, abs=SLACK_S), "others are not held"


async def test_thirty_messages_a_second_overall(redis: Redis | None) -> None:
    rate = _rate(redis)
    waits = [await rate.reserve(f"chat-{n}") for n in range(31)]
    step = rate.overall_ms / 1000
    for n, wait in enumerate(waits):
        assert n * step - SLACK_S <= wait <= n * step + 0.001
    assert waits[-1] >= 0.95, "the 31st message of one second waits for the next"


async def test_a_chat_held_back_by_the_overall_limit_still_gets_a_second(
    redis: Redis | None,
) -> None:
    rate = _rate(redis)
    waits = [await rate.reserve(f"chat-{n}") for n in range(30)]
    again = await rate.reserve("chat-29")
    assert again - waits[-1] >= 1.0 - SLACK_S, "one second after that chat's own last slot"


async def test_without_a_reachable_redis_the_limits_hold_in_the_process() -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:9/1", socket_connect_timeout=0.5)
    try:
        rate = _rate(unreachable)
        waits = [await rate.reserve("555") for _ in range(2)]
    finally:
        await unreachable.aclose()
    assert waits == pytest.approx([0.0, 1.0], abs=SLACK_S)
