"""Fitting a notification into at most two SMS segments (GSM-7: 2×153 characters; anything
else, Cyrillic included, is UCS-2: 2×67)."""

from __future__ import annotations

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_PER_PART, UCS2_PER_PART = 153, 67


def fit(text: str, parts: int = 2) -> str:
    """`text` cut (with an ellipsis of its own alphabet) to fit `parts` segments."""
    flat = " ".join(text.split())
    gsm = set(flat) <= GSM7
    limit = (GSM7_PER_PART if gsm else UCS2_PER_PART) * parts
    if len(flat) <= limit:
        return flat
    ellipsis = "..." if gsm else "…"
    return flat[: limit - len(ellipsis)].rstrip() + ellipsis
