"""Reasons of pydantic's validation errors in the reader's language.

English keeps pydantic's own words. Other languages render the common error types from the
catalogue (the key is the English template below, filled from the error's `ctx`); a `ValueError`
raised by a validator is rendered like any message (`raise ValueError(_t("…"))` or a text the
catalogue knows); an error type not listed here gets a general reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servicedesk.kernel.i18n.catalogue import translate
from servicedesk.kernel.i18n.messages import Message

INVALID_VALUE = "Invalid value"
_VALUE_ERROR_PREFIX = ("Value error, ", "Assertion failed, ")

TEMPLATES: dict[str, str] = {
    "missing": "Field required",
    "extra_forbidden": "Extra inputs are not permitted",
    "string_type": "Input should be a valid string",
    "string_too_short": "String should have at least {min_length} characters",
    "string_too_long": "String should have at most {max_length} characters",
    "string_pattern_mismatch": "String should match pattern '{pattern}'",
    "string_unicode": "Input should be a valid string",
    "int_type": "Input should be a valid integer",
    "int_parsing": "Input should be a valid integer, unable to parse string as an integer",
    "int_from_float": "Input should be a valid integer, got a number with a fractional part",
    "float_type": "Input should be a valid number",
    "float_parsing": "Input should be a valid number, unable to parse string as a number",
    "decimal_type": "Decimal input should be an integer, float, string or Decimal object",
    "decimal_parsing": "Input should be a valid decimal",
    "decimal_max_digits": "Decimal input should have no more than {max_digits} digits in total",
    "decimal_max_places": "Decimal input should have no more than {decimal_places} decimal places",
    "bool_type": "Input should be a valid boolean",
    "bool_parsing": "Input should be a valid boolean, unable to interpret input",
    "greater_than": "Input should be greater than {gt}",
    "greater_than_equal": "Input should be greater than or equal to {ge}",
    "less_than": "Input should be less than {lt}",
    "less_than_equal": "Input should be less than or equal to {le}",
    "multiple_of": "Input should be a multiple of {multiple_of}",
    "literal_error": "Input should be {expected}",
    "enum": "Input should be {expected}",
    "too_short": "{field_type} should have at least {min_length} items after validation",
    "too_long": "{field_type} should have at most {max_length} items after validation",
    "list_type": "Input should be a valid list",
    "dict_type": "Input should be a valid dictionary",
    "model_type": "Input should be a valid dictionary or object to extract fields from",
    "model_attributes_type": "Input should be a valid dictionary or object to extract fields from",
    "uuid_type": "UUID input should be a string, bytes or UUID object",
    "uuid_parsing": "Input should be a valid UUID",
    "datetime_type": "Input should be a valid datetime",
    "datetime_parsing": "Input should be a valid datetime",
    "datetime_from_date_parsing": "Input should be a valid datetime or date",
    "timezone_aware": "Input should have timezone info",
    "date_type": "Input should be a valid date",
    "date_parsing": "Input should be a valid date",
    "date_from_datetime_parsing": "Input should be a valid date or datetime",
    "date_from_datetime_inexact": "Datetimes provided to dates should have zero time",
    "time_parsing": "Input should be in a valid time format",
    "time_delta_parsing": "Input should be a valid timedelta",
    "url_parsing": "Input should be a valid URL",
    "url_type": "URL input should be a string or URL",
    "json_invalid": "Invalid JSON",
    "json_type": "JSON input should be string, bytes or bytearray",
    "none_required": "Input should be None",
}
# `expected` lists choices in English ("'a', 'b' or 'c'"): its last " or " is a word to translate.
_CHOICE_WORD = "or"


def reason(error: Mapping[str, Any], lang: str) -> str:
    """The reason of one error of `RequestValidationError.errors()` in `lang`."""
    english = str(error.get("msg", ""))
    if lang == "en":
        return english
    kind = str(error.get("type", ""))
    context: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        return _raised(context.get("error"), english, lang)
    template = TEMPLATES.get(kind)
    if template is None:
        return translate(INVALID_VALUE, lang)
    if "expected" in context:
        head, sep, tail = str(context["expected"]).rpartition(f" {_CHOICE_WORD} ")
        if sep:
            word = translate(_CHOICE_WORD, lang)
            context["expected"] = f"{head} {word} {tail}"
    return translate(Message(template, context), lang)


def _raised(error: object, english: str, lang: str) -> str:
    """The words of a ValueError a validator raised."""
    said = error.args[0] if isinstance(error, Exception) and error.args else None
    if isinstance(said, str):
        return translate(said, lang)
    for prefix in _VALUE_ERROR_PREFIX:
        if english.startswith(prefix):
            return translate(english.removeprefix(prefix), lang)
    return translate(english, lang)
