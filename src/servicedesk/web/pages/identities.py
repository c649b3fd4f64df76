"""The signed-in user's identities at the channels service (Telegram accounts, phones) and the
one-time links that bind a Telegram account, read into typed values.

    identities = await my_identities(page.backend.channels)
    link = await new_telegram_link(page.backend.channels)   # https://t.me/<bot>?start=<token>
    await unbind(page.backend.channels, identity.id)

A refusal or an unreachable service raises `BackendError` as every backend call does; an answer
of the wrong shape is a `BackendError` 502 too, so that a page has one thing to catch.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from servicedesk.web.backend import BackendError, ServiceApi

IDENTITIES_API = "/api/v1/me/identities"
LINKS_API = "/api/v1/telegram/links"
TELEGRAM = "telegram"
TELEGRAM_LINK_PREFIX = "https://t.me/"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Identity(BaseModel):
    """One way the user is reached: a Telegram account (`address`: its user id) or a phone."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: uuid.UUID
    channel: str = Field(max_length=40)
    address: str = Field(default="", max_length=200)
    display: str = Field(default="", max_length=200)
    bound_at: datetime | None = None
    reachable: bool = True

    @field_validator("display", "address", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return "" if value is None else str(value)

    @property
    def name(self) -> str:
        """How the page names it: "@username" or a name, else the address."""
        return self.display or self.address


class TelegramLink(BaseModel):
    """A single-use link binding the Telegram account that opens it to the user."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    url: str = Field(default="", max_length=300)
    token: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    bot_username: str = Field(default="", pattern=r"^[A-Za-z0-9_]{0,64}$")
    expires_at: datetime

    @field_validator("url")
    @classmethod
    def _telegram_only(cls, value: str) -> str:
        """Only a link into Telegram is made clickable (never `javascript:` or another site)."""
        return value if value.startswith(TELEGRAM_LINK_PREFIX) and value.isprintable() else ""

    @field_validator("expires_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _aware(value)

    @property
    def command(self) -> str:
        """What to send the bot by hand (the local bot in the fake Telegram's chat page)."""
        return f"/start {self.token}"


_IDENTITY_LIST = TypeAdapter(list[Identity])


def _bad_answer(api: ServiceApi, error: ValidationError) -> BackendError:
    detail = f"{api.name} gave an answer of the wrong shape ({error.error_count()} errors)"
    return BackendError(502, detail, "bad-answer", service=api.name)


async def my_identities(api: ServiceApi) -> list[Identity]:
    found = await api.get(IDENTITIES_API)
    try:
        return _IDENTITY_LIST.validate_python(found)
    except ValidationError as error:
        raise _bad_answer(api, error) from None


async def new_telegram_link(api: ServiceApi) -> TelegramLink:
    made = await api.post(LINKS_API)
    try:
        return TelegramLink.model_validate(made)
    except ValidationError as error:
        raise _bad_answer(api, error) from None


async def unbind(api: ServiceApi, identity_id: uuid.UUID) -> None:
    await api.delete(f"{IDENTITIES_API}/{identity_id}")


def telegram_ids(identities: list[Identity]) -> frozenset[uuid.UUID]:
    return frozenset(i.id for i in identities if i.channel == TELEGRAM)
