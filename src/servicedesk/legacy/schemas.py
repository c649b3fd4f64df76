"""What the legacy API gives, in the legacy system's own shape.

PascalCase names, numeric ids, dates as "dd.MM.yyyy HH:mm:ss" in Moscow time, amounts as
strings with a decimal comma, missing text as "" (never null), currency "RUR" for roubles.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

MOSCOW = ZoneInfo("Europe/Moscow")
DATE_FORMAT = "%d.%m.%Y %H:%M:%S"
STATE_CODES = ("НОВ", "ПОДТВ", "ОПЛ", "ОТГР", "ЗАКР", "ОТМ")
CURRENCIES = ("RUR", "USD", "EUR")
Row = TypeVar("Row")


def legacy_date(value: datetime) -> str:
    return value.astimezone(MOSCOW).strftime(DATE_FORMAT)


def legacy_amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


class CustomerRow(BaseModel):
    CustomerID: int
    FullName: str
    CustType: Literal["P", "C"] = Field(description="P: private person, C: company")
    Email: str = Field(description='"" when unknown')
    Phone: str = Field(description='as typed: "8 (916) 123-45-67", "+7 916 1234567", …')
    INN: str = Field(description='"" when unknown')
    CreatedAt: str = Field(examples=["16.01.2024 00:30:00"], description="Moscow time")
    ModifiedAt: str = Field(examples=["03.02.2024 12:05:41"], description="Moscow time")

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> CustomerRow:
        return cls(
            CustomerID=row["customer_id"],
            FullName=row["full_name"],
            CustType=row["cust_type"],
            Email=row["email"] or "",
            Phone=row["phone_raw"] or "",
            INN=row["inn"] or "",
            CreatedAt=legacy_date(row["created_at"]),
            ModifiedAt=legacy_date(row["modified_at"]),
        )


class OrderLine(BaseModel):
    Article: str
    Name: str
    Qty: int
    Price: str = Field(examples=["1234,50"], description="unit price, decimal comma")


class OrderRow(BaseModel):
    OrderID: int
    OrderNo: str
    CustomerID: int
    State: Literal["НОВ", "ПОДТВ", "ОПЛ", "ОТГР", "ЗАКР", "ОТМ"]
    Amount: str = Field(examples=["1234,50"], description="decimal comma")
    Currency: Literal["RUR", "USD", "EUR"]
    Lines: list[OrderLine]
    CreatedAt: str = Field(examples=["16.01.2024 00:30:00"], description="Moscow time")

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> OrderRow:
        return cls(
            OrderID=row["order_id"],
            OrderNo=row["order_no"],
            CustomerID=row["customer_id"],
            State=row["state"],
            Amount=legacy_amount(row["amount"]),
            Currency=row["currency"],
            Lines=row["lines"],
            CreatedAt=legacy_date(row["created_at"]),
        )


class LegacyPage(BaseModel, Generic[Row]):
    Total: int = Field(description="rows matching, over all pages")
    Offset: int
    Rows: list[Row]
