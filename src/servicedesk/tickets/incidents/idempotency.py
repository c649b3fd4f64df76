"""Idempotency-Keys: a request served once per key and principal. A retry with the same key and
the same request gets what the first one made (an incident, or a comment on one); the same key
with another request is refused, naming the header."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from servicedesk.kernel.db import WriteSession
from servicedesk.kernel.errors import FieldError, InvalidInput
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.incidents import repository
from servicedesk.tickets.incidents.models import IdempotencyKey

HEADER = "Idempotency-Key"


class IdempotencyKeyReused(InvalidInput):
    code = "idempotency-key-reused"


def request_hash(request: dict[str, Any]) -> str:
    """The request as JSON (`model_dump(mode="json")`), in a canonical form, hashed."""
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def served(
    session: WriteSession, scope: str, key: str, request_hash: str, reused: str
) -> IdempotencyKey | None:
    """The key's record if a request with it was served already (the key is held until the
    transaction ends, so a concurrent retry waits for the first); `reused` is the detail of the
    422 when that request was another one."""
    await repository.lock_idempotency_key(session, scope, key)
    seen = await repository.idempotency_key(session, scope, key)
    if seen is not None and seen.request_hash != request_hash:
        reason = FieldError(HEADER, _t("reused with a different request"), "header")
        raise IdempotencyKeyReused(reused, extra={"errors": [reason.as_dict()]})
    return seen


def remember(
    session: WriteSession,
    scope: str,
    key: str,
    request_hash: str,
    incident_id: uuid.UUID,
    comment_id: uuid.UUID | None = None,
) -> None:
    repository.add_idempotency_key(session, scope, key, request_hash, incident_id, comment_id)
