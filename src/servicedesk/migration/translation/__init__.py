"""The one place where legacy shapes become ours.

`client_from_legacy` and `order_from_legacy` turn what `adapters.legacy_api` reads into the records
our `/bulk-upsert` endpoints take (`ClientRecord`, `OrderRecord`: the migration service's own
models of that JSON, in `schemas`). Nothing legacy-shaped goes past this package:
`ids` (LC-/LO- ids), `clients` (customers), `orders` (orders).

What cannot be carried over is not guessed at: the field becomes empty and the reason goes
into the record's `dropped` (field → reason), which is never sent but kept for the parallel-run
check. What cannot be translated at all (an unknown state code, a broken amount) raises
`TranslationError`.

Decisions, applied the same way everywhere:

- **Names.** Whitespace is collapsed. A name typed in ALL CAPS is title-cased word by word
  (hyphenated parts too), keeping legal forms (`LEGAL_FORMS`: «ООО», «АО», «ИП»…) and quotes;
  an abbreviation inside such a name («РЖД») becomes «Ржд», the price of fixing caps lock.
- **Sole proprietors.** A customer whose name starts with «ИП» (or «Индивидуальный
  предприниматель») is a sole proprietor: in law a private person trading under their own
  INN of 12 digits. The legacy system files them as companies ("C"); we file them as
  `person`, so their 12-digit INN is kept. A 10-digit INN on an «ИП» does not fit a person
  and is dropped.
- **Total versus lines.** Our API refuses a total that is not the sum of the items. The lines
  are kept and the total is their sum; when the legacy `Amount` differs, the difference is
  recorded under `dropped["total_amount"]`. An order without lines keeps the legacy `Amount`.
- **Phones.** An extension (` доб. 123`) is cut off and recorded under
  `dropped["phone_extension"]`. Russian numbers typed as 8XXXXXXXXXX, +7…, 7… or ten national
  digits, with any spaces, dashes, dots and brackets, become `+7XXXXXXXXXX`; `00` and `810`
  international prefixes become `+`; foreign numbers in `+` form are kept when valid E.164.
  A +7 number must have ten national digits not starting with 0, 1 or 2. Anything else
  becomes `None` with the reason under `dropped["phone"]`.
"""

from __future__ import annotations

from servicedesk.migration.schemas import ClientKind, ClientRecord, OrderRecord, OrderStatus
from servicedesk.migration.translation.clients import (
    LEGAL_FORMS,
    client_from_legacy,
    client_kind,
    display_name,
    email,
    inn_is_valid,
    phone,
    split_extension,
    tax_id,
)
from servicedesk.migration.translation.ids import (
    CUSTOMER_PREFIX,
    ORDER_PREFIX,
    TranslationError,
    customer_external_id,
    legacy_customer_id,
    legacy_order_id,
    order_external_id,
)
from servicedesk.migration.translation.orders import (
    CURRENCIES,
    STATUSES,
    amount,
    currency,
    legacy_datetime,
    order_from_legacy,
    order_status,
)

__all__ = [
    "CURRENCIES",
    "CUSTOMER_PREFIX",
    "LEGAL_FORMS",
    "ORDER_PREFIX",
    "STATUSES",
    "ClientKind",
    "ClientRecord",
    "OrderRecord",
    "OrderStatus",
    "TranslationError",
    "amount",
    "client_from_legacy",
    "client_kind",
    "currency",
    "customer_external_id",
    "display_name",
    "email",
    "inn_is_valid",
    "legacy_customer_id",
    "legacy_datetime",
    "legacy_order_id",
    "order_external_id",
    "order_from_legacy",
    "order_status",
    "phone",
    "split_extension",
    "tax_id",
]
