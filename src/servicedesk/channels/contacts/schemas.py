"""What the identities API answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class TelegramLink(BaseModel):
    url: str
    token: str
    bot_username: str
    expires_at: datetime


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    channel: str
    address: str
    display: str
    bound_at: datetime | None
    reachable: bool
