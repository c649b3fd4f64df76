"""What the migration service moves, reads and answers, as pydantic models.

- The records our `/bulk-upsert` endpoints take (`ClientRecord`, `OrderRecord`), made from
  legacy shapes by `translation` only.
- The records our clients and orders services give (`OurClient`, `OurOrder`): the fields the
  proxy works with are typed; every other field is kept as it came, so the proxy shows our
  records whole.
- What the proxy answers (`ClientItem`, `OrderItem` and their lists). Routes send them without
  the fields a record never had (`response_model_exclude_unset`): a legacy-only record shows
  what it has, nothing made up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer

JsonObject = dict[str, Any]
"""A JSON object the proxy passes on without owning its shape (a create or edit body)."""

E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
Source = Literal["ours", "legacy"]


# --- records our bulk endpoints take ------------------------------------------------------


class ClientKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class OrderStatus(StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    PAID = "paid"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


ExternalId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/-]+$")]
Money = Annotated[
    Decimal, Field(ge=0, le=Decimal("1000000000000"), max_digits=18, decimal_places=4)
]
Dropped = Annotated[
    dict[str, str], Field(default_factory=dict, exclude=True, description="field → reason")
]


class ClientRecord(BaseModel):
    """One record of `POST /api/v1/clients/bulk-upsert`; `dropped` is never sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    external_id: ExternalId
    display_name: str = Field(min_length=1, max_length=200)
    kind: ClientKind
    email: str | None = None
    phone: str | None = Field(None, pattern=E164_PATTERN)
    tax_id: str | None = None
    dropped: Dropped


class LineItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    quantity: int = Field(ge=1, le=100_000)
    unit_price: Money


class OrderRecord(BaseModel):
    """One record of `POST /api/v1/orders/bulk-upsert`; `dropped` is never sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    external_id: ExternalId
    number: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._/-]+$")
    client_id: uuid.UUID
    status: OrderStatus
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    items: list[LineItem] = Field(max_length=100)
    total_amount: Money
    created_at: datetime
    dropped: Dropped


class Upserted(BaseModel):
    """What a bulk endpoint answers for one record."""

    model_config = ConfigDict(extra="ignore")

    external_id: str
    id: uuid.UUID
    version: int = 1
    outcome: Literal["created", "updated", "kept"]


class LegacyOrderEntry(BaseModel):
    """A legacy order as cached for lookups: ours in shape (its client unknown yet), and the
    CustomerID of its client."""

    order: OrderRecord
    customer_id: int


# --- records our services give ------------------------------------------------------------


class OurRecord(BaseModel):
    """A record of one of our services; fields the proxy does not use are kept as they came."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: uuid.UUID
    external_id: str | None = None

    @property
    def migrated(self) -> bool:
        """It came from the legacy system."""
        return bool(self.external_id)

    def moved_in_at(self) -> datetime | None:
        """When it came from the legacy system (None: it was never there)."""
        raise NotImplementedError

    def fields(self) -> JsonObject:
        """Every field as our service sent it."""
        return self.model_dump(mode="json", exclude_unset=True)


class OurClient(OurRecord):
    version: int
    created_at: AwareDatetime

    def moved_in_at(self) -> datetime | None:
        return self.created_at if self.external_id else None  # a moved client is created then


class OurOrder(OurRecord):
    client_id: uuid.UUID
    moved_at: AwareDatetime | None = None

    def moved_in_at(self) -> datetime | None:
        return self.moved_at if self.external_id else None  # orders keep their own date


class HeldStats(BaseModel):
    """How many records one of our services holds, and how many came from the legacy system."""

    total: int
    from_legacy: int


@dataclass(frozen=True, slots=True)
class Forwarded:
    """Our service's answer to a request passed on, whatever it is, to go back as it came."""

    status_code: int
    content: bytes
    content_type: str | None
    headers: dict[str, str] = field(default_factory=dict)  # ETag, Location


# --- what the proxy answers -----------------------------------------------------------------


class PartialSource(BaseModel):
    """Why an answer lacks a source: which one, and what went wrong with it."""

    model_config = ConfigDict(frozen=True)

    source: str
    reason: str

    def header(self) -> str:
        """The value of `X-Partial-Sources`."""
        return f"{self.source}={self.reason}"


class ListedItem(BaseModel):
    """A record as the proxy shows it; ours carry every field our service gives."""

    model_config = ConfigDict(extra="allow")

    id: uuid.UUID | None = None
    external_id: str | None = None
    source: Source
    migrated: bool | None = None


class ClientItem(ListedItem):
    """A client: ours (`id` set), or the legacy system's translated (`id` null)."""

    display_name: str

    @classmethod
    def ours(cls, client: OurClient, *, with_migrated: bool = True) -> ClientItem:
        extra = {"migrated": client.migrated} if with_migrated else {}
        return cls.model_validate({**client.fields(), "source": "ours", **extra})

    @classmethod
    def legacy(cls, record: ClientRecord, *, with_id: bool = True) -> ClientItem:
        shown = {"id": None, "migrated": False} if with_id else {}
        return cls.model_validate({**record.model_dump(mode="json"), **shown, "source": "legacy"})


class OrderItem(ListedItem):
    """An order: ours, or the legacy system's with no id of ours (and `client_id` only when we
    hold its client). Lookups add `client_external_id`."""

    number: str
    client_id: uuid.UUID | None = None
    client_external_id: str | None = None

    @classmethod
    def ours(cls, order: OurOrder, *, with_migrated: bool = True, **more: Any) -> OrderItem:
        extra = {"migrated": order.migrated} if with_migrated else {}
        return cls.model_validate({**order.fields(), "source": "ours", **extra, **more})

    @classmethod
    def legacy(cls, record: OrderRecord, client_id: uuid.UUID | None, **more: Any) -> OrderItem:
        shown = {"id": None, "client_id": client_id, "source": "legacy", "migrated": False}
        return cls.model_validate({**record.model_dump(mode="json"), **shown, **more})


class ClientMatches(BaseModel):
    items: list[ClientItem]
    partial: PartialSource | None


class ClientPage(BaseModel):
    items: list[ClientItem]
    next_cursor: str | None
    partial: PartialSource | None


class OrderMatches(BaseModel):
    items: list[OrderItem]
    partial: PartialSource | None


class OrderPage(BaseModel):
    items: list[OrderItem]
    next_cursor: str | None
    partial: PartialSource | None


class UnionPosition(BaseModel):
    """Where a listing of both systems is (ADR 0013): ours first, by our own cursor, then the
    legacy system's records by offset; `as_of` is when the listing began."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: AwareDatetime
    phase: Literal["ours", "legacy"] = "ours"
    ours: str | None = Field(None, max_length=1024)
    offset: int = Field(0, ge=0)


# --- progress and the parallel-run check ----------------------------------------------------

IsoDatetime = Annotated[datetime, PlainSerializer(lambda d: d.isoformat(), return_type=str)]


class EntityProgress(BaseModel):
    known_in_legacy: int | None
    held_by_us: int
    moved_from_legacy: int
    left_to_move: int | None


class LegacyReach(BaseModel):
    reachable: bool
    failure: str | None


class CheckpointRow(BaseModel):
    entity: str
    legacy_offset: int
    moved: int
    kept: int
    failed: int
    updated_at: IsoDatetime


class MigrationProgress(BaseModel):
    clients: EntityProgress
    orders: EntityProgress
    legacy: LegacyReach
    breaker: str
    backfill: list[CheckpointRow]


class FieldDifference(BaseModel):
    legacy: Any
    ours: Any


class Mismatch(BaseModel):
    external_id: str
    fields: dict[str, FieldDifference]


class Verification(BaseModel):
    sampled: int = 0
    moved: int = 0
    matching: int = 0
    edited_since_move: int = 0
    mismatches: list[Mismatch] = Field(default_factory=list)
