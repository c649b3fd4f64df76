"""E-mail addresses and phone numbers of clients and of the people who report incidents."""

from __future__ import annotations

import random
import re

from servicedesk.ops.seeding.draws import pick, weighted
from servicedesk.ops.seeding.text import transliterate

PHONE_PATTERN = re.compile(r"^\+[1-9][0-9]{6,14}$")
_MAIL_RU = weighted("mail.ru:5 yandex.ru:5 gmail.com:4 bk.ru:1 list.ru:1 inbox.ru:1 ya.ru:1")
_MAIL_RU += ("rambler.ru", "outlook.com")
_MAIL_EN = weighted("gmail.com:5 outlook.com:3 yahoo.com:1 hotmail.co.uk:1 icloud.com:1")
_MAIL_EN += ("proton.me",)
_ROLES_RU = ("info", "info", "sales", "office", "zakaz", "buh", "mail")
_ROLES_EN = ("info", "info", "sales", "contact", "hello", "office", "accounts")
_RU_AREAS = ("495", "499", "812", "343", "383", "846", "861", "863", "843", "831")
_REPORTER_MAIL = weighted("mail.ru:4 yandex.ru:4 gmail.com:3 bk.ru:1 outlook.com:1 list.ru:1")
_REPORTER_WORK = (
    "romashka.ru",
    "vector-trade.ru",
    "sibsnab.ru",
    "uralkabel.com",
    "neva-logistic.ru",
)


def _person_email(rng: random.Random, given: str, family: str, russian: bool) -> str:
    first, last = transliterate(given), transliterate(family)
    style = rng.randrange(6)
    local = (f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last}", f"{last}.{first}")[
        style % 4
    ]
    if style >= 3:
        local += str(rng.randint(1, 99) if style == 4 else rng.randint(1960, 2006))
    return f"{local}@{rng.choice(_MAIL_RU if russian else _MAIL_EN)}"


def client_email(rng: random.Random, given: str, family: str, russian: bool) -> str:
    """A person's own address when `given` is a first name, else a role at the brand's domain."""
    if given:
        return _person_email(rng, given, family, russian)
    domain = transliterate(family)
    if russian:
        return f"{rng.choice(_ROLES_RU)}@{domain}.{'ru' if rng.random() < 0.85 else 'com'}"
    return f"{rng.choice(_ROLES_EN)}@{domain}.{'com' if rng.random() < 0.7 else 'co.uk'}"


def client_phone(rng: random.Random, russian: bool) -> str:
    """E.164: Russian clients Russian numbers (mostly mobile); others British or American."""
    roll = rng.random() if not russian else 0.0
    if roll < 0.25:
        if rng.random() < 0.93:
            return f"+79{rng.randrange(10**9):09d}"
        return f"+7{rng.choice(_RU_AREAS)}{rng.randrange(10**7):07d}"
    if roll < 0.65:
        return f"+447{rng.randrange(10**9):09d}"
    return f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randrange(10**4):04d}"


def reporter_contact(
    rng: random.Random, name: str, russian: bool, channel: str
) -> tuple[str | None, str | None, int | None]:
    """(e-mail, phone, Telegram id) of a reporter, as much as the channel tells."""
    roll = rng.random()
    email = None
    if channel == "email" or (channel == "web" and roll < 0.6) or roll < 0.1:
        first, _, last = transliterate(name).partition("-")
        domain = pick(rng, _REPORTER_MAIL if roll < 0.5 else _REPORTER_WORK)
        email = f"{first}.{last}@{domain}"
    phone = None
    if channel in ("sms", "telegram") or roll > (0.6 if channel in ("web", "email") else 0.8):
        number = int(rng.random() * 10**9)
        phone = f"+79{number:09d}" if russian else f"+447{number:09d}"
    telegram = 100_000_000 + int(rng.random() * 6_000_000_000) if channel == "telegram" else None
    return email, phone, telegram
