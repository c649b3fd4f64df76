"""The rules of attachments: type and size limits checked against the content, the record
written beside the bytes stored, and who sees which."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from datetime import UTC, datetime

from servicedesk.kernel.auth import Principal
from servicedesk.kernel.db import ReadSession, WriteSession
from servicedesk.kernel.errors import NotFound, PayloadTooLarge, ProblemError
from servicedesk.kernel.i18n import _t
from servicedesk.tickets.access import InternalNotesForStaff, is_staff
from servicedesk.tickets.attachments import repository
from servicedesk.tickets.attachments.models import Attachment
from servicedesk.tickets.attachments.schemas import AttachmentOut
from servicedesk.tickets.attachments.store import AttachmentStore, new_storage_key
from servicedesk.tickets.fields import Visibility
from servicedesk.tickets.history.service import record_changes
from servicedesk.tickets.incidents.models import Incident

SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}
TEXT_TYPES = frozenset({"text/plain", "text/csv", "application/json"})
ALLOWED_TYPES = frozenset(SIGNATURES) | TEXT_TYPES | {"image/webp"}


class UnsupportedAttachment(ProblemError):
    status, code, title = 415, "unsupported-attachment", "Unsupported attachment type"


class AttachmentTooLarge(PayloadTooLarge):
    code = "attachment-too-large"


class AttachmentNotFound(NotFound):
    code = "attachment-not-found"


def clean_filename(name: str | None) -> str:
    """The last path part, without control characters, at most 255 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    return base.strip(" .")[:255] or "attachment"


def _looks_like(content_type: str, data: bytes) -> bool:
    if content_type in TEXT_TYPES:
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    if content_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return any(data.startswith(sig) for sig in SIGNATURES[content_type])


def check_attachment(content_type: str | None, data: bytes, max_bytes: int) -> tuple[str, str]:
    """The normalised type and the SHA-256, or a 413/415 naming the reason."""
    if len(data) > max_bytes:
        raise AttachmentTooLarge(
            _t("file: larger than the limit of {max_bytes} bytes", max_bytes=max_bytes),
            extra={"limit": max_bytes},
        )
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in ALLOWED_TYPES:
        raise UnsupportedAttachment(
            _t("file: type {kind!r} is not accepted", kind=kind or "unknown"),
            extra={"accepted": sorted(ALLOWED_TYPES)},
        )
    if not data:
        raise UnsupportedAttachment(_t("file: the file is empty"))
    if not _looks_like(kind, data):
        raise UnsupportedAttachment(_t("file: the content is not {kind}", kind=kind))
    return kind, hashlib.sha256(data).hexdigest()


def may_attach(principal: Principal, visibility: Visibility) -> None:
    if visibility is Visibility.INTERNAL and not is_staff(principal):
        raise InternalNotesForStaff(_t("only agents may attach internal files"))


async def attach(
    session: WriteSession,
    store: AttachmentStore,
    incident: Incident,
    upload: tuple[str | None, str | None, bytes],
    visibility: Visibility,
    max_bytes: int,
    actor: Principal,
) -> Attachment:
    """Checks the file (`upload`: its name, declared type and bytes), stores its bytes and
    records it on the incident."""
    filename, declared_type, data = upload
    content_type, digest = check_attachment(declared_type, data, max_bytes)
    key = new_storage_key()
    await store.put(key, data)
    attachment = Attachment(
        id=uuid.uuid4(),
        incident_id=incident.id,
        filename=clean_filename(filename),
        content_type=content_type,
        size=len(data),
        sha256=digest,
        storage_key=key,
        visibility=visibility.value,
        uploaded_by=actor.username,
        created_at=datetime.now(UTC),
    )
    repository.add(session, attachment)
    changes = [("attachment", None, attachment.filename)]
    await record_changes(session, "incident", incident.id, actor.username, changes)
    await session.flush()
    return attachment


async def attachments_on(
    session: ReadSession, incident: Incident, principal: Principal
) -> list[AttachmentOut]:
    """The incident's attachments; a reporter's without the internal ones."""
    rows = await repository.attachments_of(session, incident.id, is_staff(principal))
    return [AttachmentOut.model_validate(row) for row in rows]


async def attachment_on(
    session: ReadSession, incident: Incident, attachment_id: uuid.UUID, principal: Principal
) -> Attachment:
    attachment = await repository.attachment_of(session, incident.id, attachment_id)
    if attachment is None or (attachment.visibility != "public" and not is_staff(principal)):
        raise AttachmentNotFound(
            _t("attachment {attachment_id} does not exist", attachment_id=attachment_id)
        )
    return attachment
