"""The adapter over HTTP to the legacy Clients/Orders system (`/legacy/api/v2`).

It reads the legacy shapes and nothing more: `LegacyCustomer`, `LegacyOrder` and their pages
keep the legacy field names as aliases, and only `translation` turns them into ours. Each
call has one overall deadline (`legacy_deadline_s`, from connecting to the last byte read);
every failure is one typed error, `LegacyUnavailable`, with a reason the caller can count and
report:

- `timeout`: the deadline passed (or the HTTP client's own timeout fired);
- `outage`: the system says it is down for maintenance (503 with a maintenance text);
- `error`: any other 5xx, an unexpected 4xx (a wrong API key is ours to fix, but the call still
  failed) or an answer that is not the documented shape;
- `unreachable`: no connection could be made or it broke.

A 404 is an answer, not a failure: `None`. No retries here; the caller decides.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Generic, Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from servicedesk.migration.metrics import LEGACY_CALLS, LEGACY_RETRIES
from servicedesk.migration.settings import MigrationSettings

API_PATH = "/legacy/api/v2"
MAINTENANCE_MARK = "maintenance"
"""What the legacy system's 503 says during an outage; other 503s are passing overloads."""

UnavailableReason = Literal["timeout", "error", "outage", "unreachable"]
Row = TypeVar("Row")


class LegacyUnavailable(Exception):
    """The legacy system gave no usable answer in time."""

    def __init__(self, reason: UnavailableReason, detail: str) -> None:
        super().__init__(f"legacy system unavailable ({reason}): {detail}")
        self.reason: UnavailableReason = reason
        self.detail = detail


class _LegacyModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class LegacyCustomer(_LegacyModel):
    """A customer as the legacy system gives it; missing text is "" there."""

    customer_id: int = Field(alias="CustomerID")
    full_name: str = Field(alias="FullName")
    cust_type: str = Field(alias="CustType", description='"P" person, "C" company')
    email: str = Field("", alias="Email")
    phone: str = Field("", alias="Phone", description="as typed: '8 (916) 123-45-67 доб. 12'")
    inn: str = Field("", alias="INN")
    created_at: str = Field("", alias="CreatedAt", description="dd.MM.yyyy HH:mm:ss, Moscow")
    modified_at: str = Field("", alias="ModifiedAt", description="dd.MM.yyyy HH:mm:ss, Moscow")


class LegacyOrderLine(_LegacyModel):
    article: str = Field(alias="Article")
    name: str = Field(alias="Name")
    qty: int = Field(alias="Qty")
    price: str = Field(alias="Price", description="unit price, decimal comma: '1234,50'")


class LegacyOrder(_LegacyModel):
    """An order as the legacy system gives it: Russian state codes, "RUR" for roubles."""

    order_id: int = Field(alias="OrderID")
    order_no: str = Field(alias="OrderNo")
    customer_id: int = Field(alias="CustomerID")
    state: str = Field(alias="State", description="НОВ ПОДТВ ОПЛ ОТГР ЗАКР ОТМ")
    amount: str = Field(alias="Amount", description="decimal comma: '1234,50'")
    currency: str = Field(alias="Currency", description="RUR, USD, EUR")
    lines: list[LegacyOrderLine] = Field(default_factory=list, alias="Lines")
    created_at: str = Field(alias="CreatedAt", description="dd.MM.yyyy HH:mm:ss, Moscow")


class LegacyPage(_LegacyModel, Generic[Row]):
    """One offset page: `total` rows match over all pages."""

    total: int = Field(alias="Total")
    offset: int = Field(alias="Offset")
    rows: list[Row] = Field(alias="Rows")


Model = TypeVar("Model", bound=BaseModel)


class LegacyClient:
    """Reads customers and orders from the legacy system, one deadline per call."""

    def __init__(
        self, http: httpx.AsyncClient, *, base_url: str, api_key: SecretStr, deadline_s: float
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/") + API_PATH
        self.api_key = api_key
        self.deadline_s = deadline_s

    @classmethod
    def from_settings(cls, http: httpx.AsyncClient, settings: MigrationSettings) -> LegacyClient:
        return cls(
            http,
            base_url=settings.legacy_url,
            api_key=settings.legacy_api_key,
            deadline_s=settings.legacy_deadline_s,
        )

    async def search_customers(
        self, name: str | None = None, offset: int = 0, count: int = 50
    ) -> LegacyPage[LegacyCustomer]:
        """Customers by CustomerID; `name` keeps those with a word starting with it."""
        params: dict[str, Any] = {"offset": offset, "count": count}
        if name is not None:
            params["name"] = name
        page = await self._get(LegacyPage[LegacyCustomer], "/customers", params)
        assert page is not None, "a list is never a 404"
        return page

    async def get_customer(self, customer_id: int) -> LegacyCustomer | None:
        return await self._get(LegacyCustomer, f"/customers/{customer_id}", {})

    async def list_orders(
        self,
        customer_id: int | None = None,
        number: str | None = None,
        offset: int = 0,
        count: int = 50,
    ) -> LegacyPage[LegacyOrder]:
        """Orders by OrderID, optionally of one customer and/or with one OrderNo."""
        params: dict[str, Any] = {"offset": offset, "count": count}
        if customer_id is not None:
            params["customer_id"] = customer_id
        if number is not None:
            params["number"] = number
        page = await self._get(LegacyPage[LegacyOrder], "/orders", params)
        assert page is not None, "a list is never a 404"
        return page

    async def get_order(self, order_id: int) -> LegacyOrder | None:
        return await self._get(LegacyOrder, f"/orders/{order_id}", {})

    async def _get(self, model: type[Model], path: str, params: dict[str, Any]) -> Model | None:
        """One call, measured by operation (the path without ids) and outcome."""
        operation = "/".join("{id}" if p.isdigit() else p for p in path.split("/"))
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await self._get_once(model, path, params)
        except LegacyUnavailable as exc:
            outcome = exc.reason
            raise
        finally:
            LEGACY_CALLS.labels(operation, outcome).observe(time.perf_counter() - started)

    async def _get_once(
        self, model: type[Model], path: str, params: dict[str, Any]
    ) -> Model | None:
        try:
            async with asyncio.timeout(self.deadline_s):
                response = await self._send(path, params)
        except TimeoutError:
            raise LegacyUnavailable("timeout", f"no answer within {self.deadline_s} s") from None
        except httpx.TimeoutException as exc:
            raise LegacyUnavailable("timeout", f"{type(exc).__name__} on {path}") from exc
        except httpx.TransportError as exc:
            raise LegacyUnavailable("unreachable", f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise _failure(response)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise LegacyUnavailable("error", f"unexpected answer on {path}: {exc}") from exc

    async def _send(self, path: str, params: dict[str, Any]) -> httpx.Response:
        """A GET, sent again once if the connection failed before any answer: safe, since reads
        change nothing, and still within the one deadline of the call."""
        headers = {"X-Api-Key": self.api_key.get_secret_value()}
        url = self.base_url + path
        try:
            return await self.http.get(url, params=params, headers=headers)
        except (httpx.ConnectError, httpx.RemoteProtocolError):
            LEGACY_RETRIES.inc()
            return await self.http.get(url, params=params, headers=headers)


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("ErrorText", ""))[:200]
    return str(body)[:200]


def _failure(response: httpx.Response) -> LegacyUnavailable:
    text = _error_text(response)
    detail = f"{response.status_code} {text}".strip()
    if response.status_code == 503 and MAINTENANCE_MARK in text.lower():
        return LegacyUnavailable("outage", detail)
    return LegacyUnavailable("error", detail)
