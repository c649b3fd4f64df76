"""Properties of the translation over anything the legacy system could hold: it never raises
on a field it can drop, and what it sends always passes our services' real input models."""

from __future__ import annotations

import random
import re
import uuid
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from servicedesk.clients.schemas import ClientImport
from servicedesk.kernel.validation import PhoneNumber
from servicedesk.migration.adapters.legacy_api import LegacyCustomer, LegacyOrder
from servicedesk.migration.translation import (
    STATUSES,
    TranslationError,
    client_from_legacy,
    display_name,
    inn_is_valid,
    legacy_customer_id,
    legacy_order_id,
    order_from_legacy,
    phone,
    split_extension,
)
from servicedesk.ops.seeding.inn import make_inn
from servicedesk.ops.seeding.legacy_shapes import raw_phone
from servicedesk.orders.schemas import OrderImport

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
OUR_PHONE: TypeAdapter[str] = TypeAdapter(PhoneNumber)
RUN = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)

# the numbers the demo data holds (fake_data._phone), before the simulator types them
russian_mobile = st.integers(0, 10**9 - 1).map(lambda n: f"+79{n:09d}")
russian_office = st.tuples(
    st.sampled_from(["495", "499", "812", "343", "383"]), st.integers(0, 10**7 - 1)
).map(lambda t: f"+7{t[0]}{t[1]:07d}")
british = st.integers(0, 10**9 - 1).map(lambda n: f"+447{n:09d}")
american = st.tuples(st.integers(201, 989), st.integers(200, 999), st.integers(0, 9999)).map(
    lambda t: f"+1{t[0]}{t[1]}{t[2]:04d}"
)
numbers = st.one_of(russian_mobile, russian_office, british, american)
phone_noise = st.text(alphabet="0123456789 +-().доб.x", max_size=30)


def _inn(seed: int, individual: bool) -> str:
    return make_inn(random.Random(seed), individual)


inns = st.one_of(
    st.just(""),
    st.builds(_inn, st.integers(0, 2**32), st.booleans()),
    st.text(alphabet="0123456789", min_size=1, max_size=14),
)
names = st.text(
    alphabet=st.sampled_from(list('АБВИПОЕЁабвипоеё «»"-.ABCabc \t')), min_size=0, max_size=80
)
customers = st.builds(
    lambda cid, name, kind, email, typed, inn: LegacyCustomer.model_validate(
        {
            "CustomerID": cid,
            "FullName": name,
            "CustType": kind,
            "Email": email,
            "Phone": typed,
            "INN": inn,
            "CreatedAt": "16.01.2024 00:30:00",
            "ModifiedAt": "16.01.2024 00:30:00",
        }
    ),
    st.integers(1, 2**63 - 1),
    st.one_of(names, st.just("ИП Петров А. Б."), st.just("ООО «РОМАШКА»")),
    st.sampled_from(["P", "C"]),
    st.one_of(st.just(""), st.emails(), st.text(max_size=20)),
    st.one_of(st.just(""), phone_noise, numbers),
    inns,
)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
lines = st.lists(
    st.builds(
        lambda sku, qty, price: {
            "Article": sku,
            "Name": f"Товар {sku}",
            "Qty": qty,
            "Price": f"{price:.2f}".replace(".", ","),
        },
        st.text(alphabet="ABCXYZ-0123456789", min_size=1, max_size=20),
        st.integers(1, 1000),
        prices,
    ),
    max_size=8,
)
orders = st.builds(
    lambda oid, state, currency, order_lines, total, day: LegacyOrder.model_validate(
        {
            "OrderID": oid,
            "OrderNo": f"{2000 + day % 30}/{oid % 10**6:06d}",
            "CustomerID": 1,
            "State": state,
            "Amount": f"{total:.2f}".replace(".", ","),
            "Currency": currency,
            "Lines": order_lines,
            "CreatedAt": f"{day % 28 + 1:02d}.{day % 12 + 1:02d}.{2000 + day % 30} 23:59:59",
        }
    ),
    st.integers(1, 2**63 - 1),
    st.sampled_from(sorted(STATUSES)),
    st.sampled_from(["RUR", "USD", "EUR"]),
    lines,
    prices,
    st.integers(0, 10_000),
)


@RUN
@given(numbers, st.randoms(use_true_random=False))
def test_every_number_the_simulator_types_comes_back(e164: str, rng: random.Random) -> None:
    typed = raw_phone(e164, rng)
    number, extension = split_extension(typed)
    assert phone(number) == (e164, None), typed
    assert (extension is not None) == ("доб." in typed)


@RUN
@given(st.one_of(phone_noise, st.text(max_size=40)))
def test_any_phone_is_e164_or_none_with_a_reason(typed: str) -> None:
    number, _extension = split_extension(typed)
    e164, reason = phone(number)
    if e164 is None:
        assert reason or not number.strip()
    else:
        assert reason is None
        assert E164.match(e164)
        assert OUR_PHONE.validate_python(e164) == e164


@RUN
@given(customers)
def test_every_translated_customer_passes_our_client_import(customer: LegacyCustomer) -> None:
    try:
        record = client_from_legacy(customer)
    except TranslationError:
        assert not display_name(customer.full_name)
        return
    imported = ClientImport.model_validate(record.model_dump(mode="json"))
    assert imported.external_id == f"LC-{customer.customer_id}"
    assert legacy_customer_id(record.external_id) == customer.customer_id
    if record.tax_id:
        assert inn_is_valid(record.tax_id)
    sent = {
        "phone": split_extension(customer.phone)[0],
        "tax_id": customer.inn,
        "email": customer.email,
    }
    for field, value in sent.items():
        if getattr(record, field) is None and value.strip():
            assert field in record.dropped, f"{field} {value!r} dropped without a reason"


@RUN
@given(orders)
def test_every_translated_order_passes_our_order_import(order: LegacyOrder) -> None:
    record = order_from_legacy(order, uuid.uuid4())
    imported = OrderImport.model_validate(record.model_dump(mode="json"))
    assert imported.external_id == f"LO-{order.order_id}"
    assert legacy_order_id(record.external_id) == order.order_id
    assert imported.created_at is not None
    assert imported.created_at.utcoffset() is not None
    if order.lines:
        assert imported.total_amount == sum(i.amount for i in imported.items)
    else:
        assert "total_amount" not in record.dropped
