"""Input types shared by services: phone numbers in E.164, bounded strings."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from servicedesk.kernel.i18n import _t

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PHONE_NOISE = re.compile(r"[\s\-().]")


def _strip_phone_noise(value: object) -> object:
    return _PHONE_NOISE.sub("", value) if isinstance(value, str) else value


def _check_e164(value: str) -> str:
    if not _E164.match(value):
        raise ValueError(_t("must be an international number in E.164 form, e.g. +79161234567"))
    return value


PhoneNumber = Annotated[
    str, BeforeValidator(_strip_phone_noise), AfterValidator(_check_e164), Field(max_length=16)
]
"""A phone number; spaces, dashes, dots and brackets are dropped: '+7 (916) 123-45-67' is fine."""


def _collapse_spaces(value: object) -> object:
    return " ".join(value.split()) if isinstance(value, str) else value


DisplayName = Annotated[str, BeforeValidator(_collapse_spaces), Field(min_length=1, max_length=200)]
ExternalId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/-]+$")]
