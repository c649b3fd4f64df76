"""Mail that must not be answered automatically (RFC 3834 and common practice), and delivery
status notifications (RFC 3464): which addresses bounced, and why."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

NOT_ANSWERED_PRECEDENCE = frozenset({"bulk", "list", "junk"})


@dataclass(frozen=True, slots=True)
class Bounce:
    address: str
    status: str  # e.g. 5.1.1
    reason: str


def machine_made(reason: str | None) -> bool:
    """An auto-responder's or a robot's mail (not only a list's): it opens no incident."""
    return reason is not None and reason.startswith(("auto", "null"))


def automatic_reason(message: Message, return_path: str | None) -> str | None:
    """Why this mail gets no automatic answer; None when it may have one."""
    submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if submitted and submitted.split(";")[0].strip() != "no":
        return f"auto-submitted: {submitted[:40]}"
    if return_path == "":
        return "null sender"
    if message.get("List-Id") is not None:
        return "mailing list"
    if str(message.get("Precedence", "")).strip().lower() in NOT_ANSWERED_PRECEDENCE:
        return f"precedence: {str(message['Precedence']).strip().lower()}"
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return "auto-reply header"
    return None


def is_report(message: Message) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


def bounced_message_id(message: Message) -> str | None:
    """The Message-ID of the mail that bounced, from the report's copy of its headers."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            for line in bytes(text).decode("utf-8", "replace").splitlines():
                if line.lower().startswith("message-id:"):
                    return line.split(":", 1)[1].strip() or None
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return str(inner[0].get("Message-ID", "")).strip() or None
    return None


def bounces(message: Message) -> list[Bounce]:
    """The recipients a delivery-status report says failed (Action: failed)."""
    found: list[Bounce] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        groups = payload if isinstance(payload, list) else []
        for fields in groups[1:]:  # the first group is about the message, then each recipient
            if not isinstance(fields, Message):
                continue
            if str(fields.get("Action", "")).strip().lower() != "failed":
                continue
            recipient = str(fields.get("Final-Recipient") or fields.get("Original-Recipient") or "")
            address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
            if address:
                reason = str(fields.get("Diagnostic-Code", "")).split(";", 1)[-1].strip()
                found.append(Bounce(address, str(fields.get("Status", "")).strip(), reason))
    return found
