"""The words of a notification in a person's language (catalogue keys `notifications.*`).

Rendering is strict: a template that names a parameter the event does not carry raises
`RenderError`, so that one notification is logged as failed with the reason instead of going
out half-filled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from servicedesk.kernel.i18n import catalogue
from servicedesk.kernel.i18n.language import DEFAULT_LANGUAGE, LANGUAGES
from servicedesk.notifications.catalogue import Kind


class RenderError(ValueError):
    """A template could not be filled for this notification."""


@dataclass(frozen=True, slots=True)
class Words:
    title: str
    body: str


def language(locale: str | None, default: str) -> str:
    lang = (locale or default or DEFAULT_LANGUAGE).split("-")[0].lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def text(lang: str, text_id: str, /, **params: object) -> str:
    """A text of the catalogue, strictly filled."""
    texts = catalogue().texts
    template = texts.get(lang, {}).get(text_id) or texts[DEFAULT_LANGUAGE].get(text_id)
    if template is None:
        raise RenderError(f"no text {text_id}")
    try:
        return template.format_map(params) if params else template
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise RenderError(f"{text_id} ({lang}) does not fit: {exc!r}") from exc


def label(lang: str, key: str, default: str) -> str:
    return catalogue().text(lang, key, default=default)


def _variant(kind: Kind, params: dict[str, Any]) -> str:
    if kind == Kind.INCIDENT_ASSIGNED and params.get("to_group"):
        return "incident_assigned_group"
    if kind == Kind.INCIDENT_COMMENTED and params.get("visibility") == "internal":
        return "incident_noted"
    if kind == Kind.SLA_BREACHED and params.get("escalated"):
        return "sla_escalated"
    return kind.value


def localized_params(lang: str, params: dict[str, Any], timezone: str) -> dict[str, Any]:
    """Codes (statuses, priorities, targets, times) as the person reads them."""
    shown = dict(params)
    for name in ("status", "from_status", "to_status"):
        if name in shown:
            shown[name] = label(lang, f"status.{shown[name]}", str(shown[name]).replace("_", " "))
    if "priority" in shown:
        shown["priority"] = label(lang, f"priority.{shown['priority']}", str(shown["priority"]))
    if "targets" in shown and isinstance(shown["targets"], list):
        shown["targets"] = ", ".join(
            label(lang, f"notifications.target.{t}", str(t)) for t in shown["targets"]
        )
    if isinstance(shown.get("changed"), list):
        shown["fields"] = ", ".join(str(f) for f in shown["changed"])
    if shown.get("due_at"):
        due = datetime.fromisoformat(str(shown["due_at"])).astimezone(ZoneInfo(timezone))
        shown["due"] = due.strftime("%H:%M")
    shown["actor"] = shown.get("actor") or label(lang, "notifications.system", "system")
    shown["assignee"] = shown.get("assignee") or label(lang, "notifications.nobody", "-")
    return shown


def words(kind: Kind, lang: str, params: dict[str, Any], timezone: str) -> Words:
    variant = _variant(kind, params)
    shown = localized_params(lang, params, timezone)
    title = text(lang, f"notifications.title.{variant}", **shown)
    body = text(lang, f"notifications.body.{variant}", **shown).strip()
    return Words(title, body)
