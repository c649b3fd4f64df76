"""Which of a mail's attachments go to the incident: within the count and size limits, and no
archive that would unpack to far more than it weighs (a zip bomb). The rest are skipped with
a reason the agent and the log see."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from servicedesk.channels.settings import EmailSettings

ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed"})


@dataclass(frozen=True, slots=True)
class MailFile:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Skipped:
    name: str
    reason: str


def zip_bomb_reason(content: bytes, settings: EmailSettings) -> str | None:
    """Why a zip must not be kept (its members' declared sizes, never unpacked); None if fine."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        return f"unreadable zip: {error}"
    unpacked = sum(member.file_size for member in members)
    if unpacked > settings.max_unzipped_bytes:
        return f"zip bomb: unpacks to {unpacked} bytes"
    if unpacked > settings.max_zip_ratio * max(1, len(content)):
        return f"zip bomb: unpacks {unpacked // max(1, len(content))} times its size"
    if any(m.filename.lower().endswith(".zip") for m in members) and len(members) > 16:
        return "zip bomb: many nested archives"
    return None


def sort_out(
    files: list[MailFile], settings: EmailSettings
) -> tuple[list[MailFile], list[Skipped]]:
    kept: list[MailFile] = []
    skipped: list[Skipped] = []
    for found in files:
        if len(found.content) > settings.max_attachment_bytes:
            limit = settings.max_attachment_bytes
            skipped.append(Skipped(found.name, f"larger than {limit} bytes"))
            continue
        if len(kept) >= settings.max_attachments:
            skipped.append(Skipped(found.name, f"more than {settings.max_attachments} files"))
            continue
        looks_zipped = found.content.startswith(b"PK\x03\x04")
        if found.content_type in ZIP_TYPES or looks_zipped:
            reason = zip_bomb_reason(found.content, settings)
            if reason is not None:
                skipped.append(Skipped(found.name, reason))
                continue
        kept.append(found)
    return kept, skipped
