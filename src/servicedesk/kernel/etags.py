"""ETag and If-Match: versions of a record as strong ETags, edits only of the version read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from servicedesk.kernel.errors import PreconditionFailed, ProblemError
from servicedesk.kernel.i18n import _t


class PreconditionRequired(ProblemError):
    status, code, title = 428, "precondition-required", "Precondition required"


IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=64)]


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def expected_version(if_match: str | None, what: str) -> int:
    """The version the caller edits, from its If-Match; `what` names the record ("a client")."""
    if if_match is None:
        raise PreconditionRequired(_t("send If-Match with the ETag of the version you edit"))
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or len(tag) > 18:
        raise PreconditionFailed(
            _t(
                "If-Match {if_match!r} is not an ETag of {what} version",
                if_match=if_match,
                what=what,
            )
        )
    return int(tag)


def stale_version(
    error: type[PreconditionFailed], what: str, current: int, expected: int
) -> PreconditionFailed:
    """The record changed since it was read: 412 with its current version and ETag."""
    return error(
        _t(
            "{what} is at version {current}, not {expected}",
            what=what,
            current=current,
            expected=expected,
        ),
        extra={"current_version": current},
        headers={"ETag": etag(current)},
    )
