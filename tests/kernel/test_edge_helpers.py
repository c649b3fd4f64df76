"""The kernel's edge helpers: field errors, ETags and If-Match, typed signed cursors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi import Response
from pydantic import BaseModel

from servicedesk.kernel.cursors import CursorCodec
from servicedesk.kernel.errors import InvalidInput, PreconditionFailed, invalid_field
from servicedesk.kernel.etags import (
    PreconditionRequired,
    expected_version,
    set_etag,
    stale_version,
)


class After(BaseModel):
    at: datetime
    id: uuid.UUID


NEWEST = CursorCodec("things-newest", After)
OTHER = CursorCodec("other-newest", After)
KEY = After(at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), id=uuid.uuid4())


def test_field_error_names_the_field() -> None:
    error = invalid_field("tax_id", "taken", location="body")
    assert error.status == 422
    assert error.extra["errors"] == [{"field": "tax_id", "location": "body", "reason": "taken"}]
    assert error.detail == "tax_id: taken"


def test_cursor_round_trip() -> None:
    assert NEWEST.decode(NEWEST.encode(KEY)) == KEY
    assert NEWEST.decode(None) is None


def _cursor_refused(codec: CursorCodec[After], cursor: str, scope: str = "") -> None:
    with pytest.raises(InvalidInput) as refused:
        codec.decode(cursor, scope)
    assert refused.value.extra["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    "garbage", ["", ".", "x", "x.y", "a.b.c", "%%%.%%%", "eyJ9.AAAA", "\x00", "é" * 50, "A" * 2000]
)
def test_garbage_cursors_are_refused(garbage: str) -> None:
    _cursor_refused(NEWEST, garbage)


def test_tampered_truncated_and_foreign_cursors_are_refused() -> None:
    cursor = NEWEST.encode(KEY)
    body, signature = cursor.split(".")
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    _cursor_refused(NEWEST, f"{flipped}.{signature}")
    _cursor_refused(NEWEST, cursor[:-3])
    _cursor_refused(NEWEST, cursor[: len(body)])
    _cursor_refused(OTHER, cursor)
    _cursor_refused(NEWEST, NEWEST.encode(KEY, scope="printer"), scope="scanner")


def test_a_signed_cursor_of_the_wrong_shape_is_refused() -> None:
    class Different(BaseModel):
        name: str

    forged = CursorCodec("things-newest", Different).encode(Different(name="x"))
    _cursor_refused(NEWEST, forged)


def test_etags_and_if_match() -> None:
    response = Response()
    set_etag(response, 7)
    assert response.headers["ETag"] == '"7"'
    assert expected_version('"7"', "a thing") == 7
    assert expected_version('W/"7"', "a thing") == 7
    with pytest.raises(PreconditionRequired):
        expected_version(None, "a thing")
    for bad in ['"x"', '"-1"', '"' + "9" * 40 + '"', ""]:
        with pytest.raises(PreconditionFailed):
            expected_version(bad, "a thing")
    stale = stale_version(PreconditionFailed, "thing 1", current=8, expected=7)
    assert stale.headers == {"ETag": '"8"'}
    assert stale.extra == {"current_version": 8}
