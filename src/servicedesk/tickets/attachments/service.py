"""Attachments: type and size limits, and where their bytes live (a store behind an interface;
a local directory by default, an object store in production)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import unicodedata
import uuid
from pathlib import Path
from typing import Protocol

from servicedesk.kernel.errors import PayloadTooLarge, ProblemError

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


class AttachmentStore(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...


class LocalDirectoryStore:
    """Files under one directory, written atomically (temporary name, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not re.fullmatch(r"[0-9a-f-]{36}", key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(f".{os.getpid()}.part")
        scratch.write_bytes(data)
        scratch.replace(path)


def new_storage_key() -> str:
    return str(uuid.uuid4())


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
            f"file: larger than the limit of {max_bytes} bytes", extra={"limit": max_bytes}
        )
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in ALLOWED_TYPES:
        raise UnsupportedAttachment(
            f"file: type {kind or 'unknown'!r} is not accepted",
            extra={"accepted": sorted(ALLOWED_TYPES)},
        )
    if not data:
        raise UnsupportedAttachment("file: the file is empty")
    if not _looks_like(kind, data):
        raise UnsupportedAttachment(f"file: the content is not {kind}")
    return kind, hashlib.sha256(data).hexdigest()
