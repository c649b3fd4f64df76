"""A read whose connection failed before any answer is sent again once, within its deadline."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from servicedesk.migration.adapters.legacy_api import LegacyClient, LegacyUnavailable

CUSTOMER = {
    "CustomerID": 7,
    "FullName": "Иванов Иван",
    "CustType": "P",
    "Email": "",
    "Phone": "",
    "INN": "",
    "CreatedAt": "01.02.2020 10:00:00",
    "ModifiedAt": "01.02.2020 10:00:00",
}


async def test_a_dropped_connection_is_retried_once() -> None:
    attempts: list[str] = []

    def network(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.path)
        if len(attempts) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json=CUSTOMER)

    async with httpx.AsyncClient(transport=httpx.MockTransport(network)) as http:
        legacy = LegacyClient(
            http, base_url="http://legacy", api_key=SecretStr("k"), deadline_s=0.5
        )
        customer = await legacy.get_customer(7)
    assert customer is not None
    assert customer.full_name == "Иванов Иван"
    assert len(attempts) == 2


async def test_an_answered_failure_is_not_retried() -> None:
    attempts: list[str] = []

    def network(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.path)
        return httpx.Response(500, json={"ErrorCode": 500, "ErrorText": "boom"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(network)) as http:
        legacy = LegacyClient(
            http, base_url="http://legacy", api_key=SecretStr("k"), deadline_s=0.5
        )
        with pytest.raises(LegacyUnavailable) as failure:
            await legacy.get_customer(7)
    assert failure.value.reason == "error"
    assert len(attempts) == 1, "the legacy system answered: sending again is not safe to assume"
