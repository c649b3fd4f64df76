"""What the clients API takes and gives."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from servicedesk.kernel.i18n import _t
from servicedesk.kernel.validation import DisplayName, ExternalId, PhoneNumber

_INN_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    """Russian taxpayer number: 10 digits (organisations) or 12 (individuals), with check digits."""
    if not value.isdigit():
        return False
    if len(value) == 10:
        return _check_digit(value, _INN_10) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _INN_11) == int(value[10]) and _check_digit(
            value, _INN_12
        ) == int(value[11])
    return False


def _check_inn(value: str) -> str:
    if not inn_is_valid(value):
        raise ValueError(_t("must be a valid INN: 10 or 12 digits with correct check digits"))
    return value


TaxId = Annotated[str, AfterValidator(_check_inn)]


class ClientKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class _ClientFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("tax_id", check_fields=False)
    @classmethod
    def tax_id_fits_kind(cls, tax_id: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind and tax_id:
            expected = 10 if kind == ClientKind.COMPANY else 12
            if len(tax_id) != expected:
                raise ValueError(
                    _t(
                        "the tax_id of a {kind} has {expected} digits",
                        kind=kind.value,
                        expected=expected,
                    )
                )
        return tax_id


class ClientCreate(_ClientFields):
    display_name: DisplayName
    kind: ClientKind
    email: EmailStr | None = None
    phone: PhoneNumber | None = None
    tax_id: TaxId | None = None
    external_id: ExternalId | None = None


class ClientPatch(_ClientFields):
    """Only the fields sent change; `null` clears an optional field."""

    display_name: DisplayName | None = None
    kind: ClientKind | None = None
    email: EmailStr | None = None
    phone: PhoneNumber | None = None
    tax_id: TaxId | None = None

    @model_validator(mode="after")
    def required_fields_stay(self) -> Self:
        for name in ("display_name", "kind"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(_t("{name} cannot be cleared", name=name))
        return self

    def changes(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    display_name: str
    kind: ClientKind
    email: str | None
    phone: str | None
    tax_id: str | None
    external_id: str | None
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


class ClientMatch(ClientOut):
    score: float = Field(description="similarity of the name to the query, 0..1")


class OnExisting(StrEnum):
    KEEP = "keep"
    UPDATE = "update"


class ClientImport(ClientCreate):
    external_id: ExternalId


class BulkUpsertRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[ClientImport] = Field(min_length=1, max_length=1000)
    on_existing: OnExisting = Field(
        OnExisting.KEEP,
        description="keep: a record we already hold wins; update: overwrite it with this data",
    )

    @model_validator(mode="after")
    def external_ids_unique(self) -> Self:
        seen = [r.external_id for r in self.records]
        if len(seen) != len(set(seen)):
            raise ValueError(_t("each external_id may appear once per request"))
        return self


class UpsertOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    KEPT = "kept"


class UpsertResult(BaseModel):
    external_id: str
    id: uuid.UUID
    outcome: UpsertOutcome
    version: int


class ClientsByNameAfter(BaseModel):
    """Where a page of all clients by name ended: the key inside its cursor."""

    model_config = ConfigDict(extra="forbid")

    name: str
    id: uuid.UUID


class ClientMatchesAfter(BaseModel):
    """Where a page of search results ended (best match first, then by name)."""

    model_config = ConfigDict(extra="forbid")

    score: float
    name: str
    id: uuid.UUID
