"""Placeholder until the SMS adapters land."""

from __future__ import annotations

from typing import Any

import httpx

from servicedesk.channels.settings import ChannelsSettings


def sms_providers(settings: ChannelsSettings, http: httpx.AsyncClient) -> dict[str, Any]:
    return {}


def sms_handlers(*args: Any) -> dict[str, Any]:
    return {}


def sms_transport(settings: ChannelsSettings, providers: dict[str, Any]) -> Any:
    return None
