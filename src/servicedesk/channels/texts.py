"""The bot's and the SMS replies' texts, in the person's language (catalogue `channels.*`)."""

from __future__ import annotations

from servicedesk.kernel.i18n import catalogue
from servicedesk.kernel.i18n.messages import fill


def say(locale: str, text_id: str, /, **params: object) -> str:
    """The text `channels.<text_id>` in `locale` (English when it has none), filled."""
    texts = catalogue().texts
    template = texts.get(locale, {}).get(f"channels.{text_id}") or texts["en"].get(
        f"channels.{text_id}", text_id
    )
    return fill(template, params, template)


def status_name(locale: str, status: str) -> str:
    return catalogue().text(locale, f"channels.status.{status}", default=status.replace("_", " "))
