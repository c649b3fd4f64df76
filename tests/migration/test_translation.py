"""Every translation rule on concrete legacy samples, no network."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from servicedesk.clients.schemas import ClientImport
from servicedesk.migration.adapters.legacy_api import LegacyCustomer, LegacyOrder
from servicedesk.migration.translation import (
    CUSTOMER_PREFIX,
    ORDER_PREFIX,
    ClientKind,
    OrderStatus,
    TranslationError,
    amount,
    client_from_legacy,
    display_name,
    legacy_customer_id,
    legacy_datetime,
    legacy_order_id,
    order_from_legacy,
    phone,
    split_extension,
)
from servicedesk.orders.schemas import OrderImport

CLIENT = uuid.UUID("0b6f3b9e-4a53-4c43-9d3c-6d1f0d0c1a11")


def customer(**fields: Any) -> LegacyCustomer:
    row = {
        "CustomerID": 17,
        "FullName": "Иванов Иван Петрович",
        "CustType": "P",
        "Email": "",
        "Phone": "",
        "INN": "",
        "CreatedAt": "16.01.2024 00:30:00",
        "ModifiedAt": "03.02.2024 12:05:41",
        "Unknown": "ignored",
    }
    return LegacyCustomer.model_validate(row | fields)


def order(**fields: Any) -> LegacyOrder:
    row = {
        "OrderID": 42,
        "OrderNo": "2024/000042",
        "CustomerID": 17,
        "State": "НОВ",
        "Amount": "1234,50",
        "Currency": "RUR",
        "Lines": [
            {"Article": "NB-001", "Name": "Ноутбук Lenovo", "Qty": 1, "Price": "1000,50"},
            {"Article": "MS-001", "Name": "Мышь", "Qty": 2, "Price": "117,00"},
        ],
        "CreatedAt": "16.01.2024 00:30:00",
    }
    return LegacyOrder.model_validate(row | fields)


def ours(record: Any, model: Any) -> Any:
    """The record, as sent, validated by our service's real input model."""
    return model.model_validate(record.model_dump(mode="json"))


# --- ids ----------------------------------------------------------------------------------


def test_external_ids_carry_the_legacy_ids_and_go_back() -> None:
    assert client_from_legacy(customer()).external_id == "LC-17"
    assert order_from_legacy(order(), CLIENT).external_id == "LO-42"
    assert (CUSTOMER_PREFIX, ORDER_PREFIX) == ("LC-", "LO-")
    assert legacy_customer_id("LC-17") == 17
    assert legacy_order_id("LO-42") == 42


@pytest.mark.parametrize("external_id", ["LO-17", "L-17", "LC-", "LC-x1", "LC-017", "LC-+1", "17"])
def test_other_external_ids_have_no_legacy_customer(external_id: str) -> None:
    assert legacy_customer_id(external_id) is None


def test_other_external_ids_have_no_legacy_order() -> None:
    assert legacy_order_id("LC-42") is None
    assert legacy_order_id("LO-١٢") is None, "only ASCII digits"


# --- names and kinds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("  Иванов   Иван\tПетрович ", "Иванов Иван Петрович"),
        ("ИВАНОВ ИВАН ПЕТРОВИЧ", "Иванов Иван Петрович"),
        ("РИМСКИЙ-КОРСАКОВ НИКОЛАЙ", "Римский-Корсаков Николай"),
        ("ООО «РОМАШКА»", "ООО «Ромашка»"),
        ('АО "СЕВЕРНЫЙ ВЕТЕР"', 'АО "Северный Ветер"'),
        ("ИП ПЕТРОВ А. Б.", "ИП Петров А. Б."),
        ("ООО «ТехноСтрой»", "ООО «ТехноСтрой»"),
        ("John McEnroe", "John McEnroe"),
    ],
)
def test_display_names(legacy: str, expected: str) -> None:
    assert display_name(legacy) == expected


@pytest.mark.parametrize(
    ("cust_type", "name", "kind"),
    [
        ("P", "Иванов Иван", ClientKind.PERSON),
        ("C", "ООО «Ромашка»", ClientKind.COMPANY),
        ("C", "ИП Петров А. Б.", ClientKind.PERSON),
        ("C", "«ИП» Петров", ClientKind.PERSON),
        ("C", "ИПАТОВ и партнёры", ClientKind.COMPANY),
        ("C", "Индивидуальный предприниматель Петров А. Б.", ClientKind.PERSON),
        ("C", "ООО «ИП Консалт»", ClientKind.COMPANY),
    ],
)
def test_kinds(cust_type: str, name: str, kind: ClientKind) -> None:
    assert client_from_legacy(customer(CustType=cust_type, FullName=name)).kind is kind


@pytest.mark.parametrize("cust_type", ["X", "", "p"])
def test_an_unknown_customer_type_is_an_error(cust_type: str) -> None:
    with pytest.raises(TranslationError):
        client_from_legacy(customer(CustType=cust_type))


def test_a_nameless_customer_is_an_error() -> None:
    with pytest.raises(TranslationError):
        client_from_legacy(customer(FullName="   "))


# --- e-mail ---------------------------------------------------------------------------------


def test_emails() -> None:
    assert client_from_legacy(customer(Email="")).email is None
    record = client_from_legacy(customer(Email=" Ivan.Petrov@Mail.RU "))
    assert (record.email, record.dropped) == ("ivan.petrov@mail.ru", {})
    broken = client_from_legacy(customer(Email="ivan@@mail"))
    assert broken.email is None
    assert "e-mail" in broken.dropped["email"]
    ours(broken, ClientImport)


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("8 (916) 123-45-67", "+79161234567"),
        ("+7 916 1234567", "+79161234567"),
        ("89161234567", "+79161234567"),
        ("+7 (495) 123-45-67", "+74951234567"),
        ("8-495-123-45-67", "+74951234567"),
        ("+74951234567", "+74951234567"),
        ("7 916 123 45 67", "+79161234567"),
        ("916 123-45-67", "+79161234567"),
        ("8.916.123.45.67", "+79161234567"),
        ("+44 7700 900123", "+447700900123"),
        ("+1 (415) 555-0123", "+14155550123"),
        ("0044 7700 900123", "+447700900123"),
        ("8 10 44 7700 900123", "+447700900123"),
    ],
)
def test_phones_become_e164(typed: str, e164: str) -> None:
    record = client_from_legacy(customer(Phone=typed))
    assert (record.phone, record.dropped) == (e164, {})


@pytest.mark.parametrize(
    ("typed", "e164", "extension"),
    [
        ("8 (495) 123-45-67 доб. 123", "+74951234567", "123"),
        ("+7 495 1234567 доб.45", "+74951234567", "45"),
        ("+7 495 1234567 ДОБ 7", "+74951234567", "7"),
        ("+1 (415) 555-0123 ext. 12", "+14155550123", "12"),
    ],
)
def test_extensions_are_cut_off_and_recorded(typed: str, e164: str, extension: str) -> None:
    assert split_extension(typed)[1] == extension
    record = client_from_legacy(customer(Phone=typed))
    assert record.phone == e164
    assert record.dropped == {"phone_extension": f"extension {extension} cut off: ours holds none"}


@pytest.mark.parametrize(
    "typed",
    [
        "12-34",
        "+7 916 123-45-6",
        "012 345-67-89",
        "+7 (123) 456-78-90",
        "8 (916) 123-45-678",
        "+0 123 4567890",
        "нет",
        "+",
        "доб. 12",
    ],
)
def test_phones_that_cannot_be_e164_are_dropped_with_a_reason(typed: str) -> None:
    record = client_from_legacy(customer(Phone=typed))
    assert record.phone is None
    assert typed.strip() in record.dropped["phone"]
    ours(record, ClientImport)


def test_no_phone_is_no_phone() -> None:
    assert phone("") == (None, None)
    assert client_from_legacy(customer(Phone="")).dropped == {}


# --- INN ------------------------------------------------------------------------------------


def test_a_company_keeps_a_valid_ten_digit_inn() -> None:
    record = client_from_legacy(customer(CustType="C", FullName="ООО «Ромашка»", INN="7707083893"))
    assert (record.kind, record.tax_id, record.dropped) == ("company", "7707083893", {})
    ours(record, ClientImport)


def test_a_person_keeps_a_valid_twelve_digit_inn() -> None:
    record = client_from_legacy(customer(INN="500100732259"))
    assert (record.tax_id, record.dropped) == ("500100732259", {})


def test_a_sole_proprietor_is_a_person_with_a_twelve_digit_inn() -> None:
    record = client_from_legacy(
        customer(CustType="C", FullName="ИП Петров А. Б.", INN="500100732259")
    )
    assert (record.kind, record.tax_id) == ("person", "500100732259")
    ours(record, ClientImport)


@pytest.mark.parametrize(
    ("cust_type", "name", "inn", "reason"),
    [
        ("C", "ООО «Ромашка»", "7707083894", "check digits"),
        ("P", "Иванов Иван", "500100732258", "check digits"),
        ("C", "ООО «Ромашка»", "500100732259", "a company has 10"),
        ("P", "Иванов Иван", "7707083893", "a person has 12"),
        ("C", "ИП Петров А. Б.", "7707083893", "a person has 12"),
        ("C", "ООО «Ромашка»", "77070838", "check digits"),
        ("C", "ООО «Ромашка»", "77O7083893", "check digits"),
    ],
)
def test_an_inn_that_fails_is_dropped_with_a_reason(
    cust_type: str, name: str, inn: str, reason: str
) -> None:
    record = client_from_legacy(customer(CustType=cust_type, FullName=name, INN=inn))
    assert record.tax_id is None
    assert reason in record.dropped["tax_id"]
    ours(record, ClientImport)


def test_dropped_is_never_sent() -> None:
    record = client_from_legacy(customer(Phone="12", INN="1", Email="x"))
    assert set(record.dropped) == {"phone", "tax_id", "email"}
    assert "dropped" not in record.model_dump(mode="json")


# --- orders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("НОВ", OrderStatus.NEW),
        ("ПОДТВ", OrderStatus.CONFIRMED),
        ("ОПЛ", OrderStatus.PAID),
        ("ОТГР", OrderStatus.SHIPPED),
        ("ЗАКР", OrderStatus.COMPLETED),
        ("ОТМ", OrderStatus.CANCELLED),
    ],
)
def test_states_become_statuses(state: str, status: OrderStatus) -> None:
    record = order_from_legacy(order(State=state), CLIENT)
    assert record.status is status
    assert ours(record, OrderImport).status == status.value


@pytest.mark.parametrize("state", ["АРХ", "", "new"])
def test_an_unknown_state_is_an_error(state: str) -> None:
    with pytest.raises(TranslationError, match="state"):
        order_from_legacy(order(State=state), CLIENT)


@pytest.mark.parametrize(("legacy", "iso"), [("RUR", "RUB"), ("USD", "USD"), ("EUR", "EUR")])
def test_currencies(legacy: str, iso: str) -> None:
    assert ours(order_from_legacy(order(Currency=legacy), CLIENT), OrderImport).currency == iso


@pytest.mark.parametrize(
    ("legacy", "value"),
    [("1234,50", "1234.50"), ("0,01", "0.01"), ("50,00", "50.00"), ("1 234,5", "1234.5")],
)
def test_amounts_with_a_decimal_comma(legacy: str, value: str) -> None:
    assert amount(legacy) == Decimal(value)


@pytest.mark.parametrize("legacy", ["", "abc", "1.234,50", "NaN", "12,3,4"])
def test_broken_amounts_are_errors(legacy: str) -> None:
    with pytest.raises(TranslationError):
        amount(legacy)


def test_lines_become_items() -> None:
    record = order_from_legacy(order(), CLIENT)
    payload = record.model_dump(mode="json")
    assert payload["items"] == [
        {"sku": "NB-001", "title": "Ноутбук Lenovo", "quantity": 1, "unit_price": "1000.50"},
        {"sku": "MS-001", "title": "Мышь", "quantity": 2, "unit_price": "117.00"},
    ]
    assert (payload["total_amount"], payload["number"], payload["client_id"]) == (
        "1234.50",
        "2024/000042",
        str(CLIENT),
    )
    assert record.dropped == {}
    assert ours(record, OrderImport).total_amount == Decimal("1234.50")


def test_a_total_off_its_lines_keeps_the_lines_and_their_sum() -> None:
    record = order_from_legacy(order(Amount="1300,00"), CLIENT)
    assert record.total_amount == Decimal("1234.50")
    assert len(record.items) == 2
    assert "1300,00" in record.dropped["total_amount"]
    ours(record, OrderImport)


def test_an_order_without_lines_keeps_its_amount() -> None:
    record = order_from_legacy(order(Lines=[], Amount="99,99"), CLIENT)
    assert (record.items, record.total_amount, record.dropped) == ([], Decimal("99.99"), {})
    ours(record, OrderImport)


@pytest.mark.parametrize(
    "line",
    [
        {"Article": "", "Name": "x", "Qty": 1, "Price": "1,00"},
        {"Article": "A", "Name": "x", "Qty": 0, "Price": "1,00"},
        {"Article": "A", "Name": "x", "Qty": 1, "Price": "-1,00"},
        {"Article": "A", "Name": "x", "Qty": 1, "Price": "один"},
    ],
)
def test_a_broken_line_is_an_error(line: dict[str, Any]) -> None:
    with pytest.raises(TranslationError):
        order_from_legacy(order(Lines=[line]), CLIENT)


def test_created_at_is_moscow_time() -> None:
    created = legacy_datetime("16.01.2024 00:30:00")
    assert created == datetime(2024, 1, 15, 21, 30, tzinfo=UTC)
    record = order_from_legacy(order(CreatedAt="01.07.2010 12:00:00"), CLIENT)
    assert record.created_at == datetime(2010, 7, 1, 8, 0, tzinfo=UTC), "MSD, +4, in 2010"


@pytest.mark.parametrize("legacy", ["2024-01-16 00:30:00", "32.01.2024 00:30:00", ""])
def test_other_dates_are_errors(legacy: str) -> None:
    with pytest.raises(TranslationError):
        order_from_legacy(order(CreatedAt=legacy), CLIENT)


@pytest.mark.parametrize("number", ["2024 000042", "№42", "x" * 33])
def test_numbers_our_pattern_refuses_are_errors(number: str) -> None:
    with pytest.raises(TranslationError):
        order_from_legacy(order(OrderNo=number), CLIENT)
