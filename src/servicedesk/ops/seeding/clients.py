"""Fake clients: people and companies, 80% Russian, and their rows in the orders' projection.

Client `j` of a run is a pure function of the run key and `j` (a keyed hash), so the order
generator can name and date any client without holding the client table in memory, and the
two tables can be generated apart. The rest of a client row comes from a `random.Random`
seeded per batch. No Faker: at millions of rows it is far too slow.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import UUID

from servicedesk.ops.seeding.companies import company
from servicedesk.ops.seeding.contacts import client_email, client_phone
from servicedesk.ops.seeding.draws import SEED_USER, Draw, seeded, words
from servicedesk.ops.seeding.inn import make_inn
from servicedesk.ops.seeding.names import person

HEAVY_EVERY = 37  # every 37th client is a frequent buyer, usually an organisation
CLIENT_COLUMNS = words("""
id display_name kind email phone tax_id external_id version created_at created_by updated_at
updated_by
""")
KNOWN_CLIENT_COLUMNS = words("id display_name external_id version updated_at")
ClientRow = tuple[
    UUID,
    str,
    str,
    str | None,
    str | None,
    str | None,
    str | None,
    int,
    datetime,
    str,
    datetime,
    str,
]
KnownClientRow = tuple[UUID, str, str | None, int, datetime]


class ClientCore(NamedTuple):
    """What orders need to know about a client, and the name parts its e-mail is made from."""

    id: UUID
    kind: str
    russian: bool
    display_name: str
    created_ts: int
    given: str  # first name of a person or sole proprietor, "" for an organisation
    family: str  # surname, or the brand of an organisation


@dataclass(frozen=True, slots=True)
class ClientSpace:
    """The clients of one run: client `j` is a pure function of (key, j)."""

    key: bytes
    count: int
    start_ts: int
    span_s: int

    def core(self, index: int) -> ClientCore:
        digest = hashlib.blake2b(index.to_bytes(8, "little"), key=self.key, digest_size=32)
        bits = int.from_bytes(digest.digest(), "little")
        uid = UUID(int=bits & (2**128 - 1), version=4)
        draw = Draw(bits >> 128)
        company_percent = 80 if index % HEAVY_EVERY == 0 else 29
        is_company = draw.below(100) < company_percent
        russian = draw.below(100) < 80
        name, given, family = (company if is_company else person)(draw, russian)
        offset = self.span_s * (index * 1000 + draw.below(1000)) // (self.count * 1000)
        kind = "company" if is_company else "person"
        return ClientCore(uid, kind, russian, name, self.start_ts + offset, given, family)

    def existing_at(self, ts: float) -> int:
        """How many clients (a prefix of the indexes) were created before `ts`."""
        return min(self.count, max(1, int(self.count * (ts - self.start_ts) / self.span_s)))


def _tax_id(rng: random.Random, core: ClientCore) -> str | None:
    if rng.random() >= (0.72 if core.russian else 0.1):
        return None
    return make_inn(rng, individual=core.kind == "person" or bool(core.given))


def client_rows(
    space: ClientSpace, start: int, stop: int, external_base: int, now_ts: int
) -> tuple[list[ClientRow], list[KnownClientRow]]:
    """Clients `start`..`stop-1` of the run and their rows in the orders' projection."""
    rng = seeded(f"{space.key.hex()}/clients/{start}")
    clients: list[ClientRow] = []
    known: list[KnownClientRow] = []
    for index in range(start, stop):
        core = space.core(index)
        email = None
        if rng.random() < 0.85:
            email = client_email(rng, core.given, core.family, core.russian)
        phone = client_phone(rng, core.russian) if rng.random() < 0.9 else None
        tax_id = _tax_id(rng, core)
        external_id = f"L-{external_base + index}" if rng.random() < 0.05 else None
        created = datetime.fromtimestamp(core.created_ts, UTC)
        updated = created
        if rng.random() < 0.6:
            updated = datetime.fromtimestamp(rng.randint(core.created_ts, now_ts), UTC)
        name = core.display_name
        row = (core.id, name, core.kind, email, phone, tax_id, external_id, 1, created)
        clients.append((*row, SEED_USER, updated, SEED_USER))
        known.append((core.id, name, external_id, 1, updated))
    return clients, known
