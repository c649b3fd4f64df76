"""The demo data as the test session found them, to prove at the end that it left them alone."""

from __future__ import annotations

from typing import Any

import pytest

from servicedesk.ops.catalogue import DEMO_DATABASE
from servicedesk.ops.debris import database_exists, fingerprint

DEMO_BEFORE = pytest.StashKey[dict[str, Any] | None]()


async def demo_snapshot() -> dict[str, Any] | None:
    """The demo data's fingerprint (servicedesk/ops/debris.py); None without a demo database.
    (On CI, where only `./sd test` runs, the demo database exists but holds no demo data.)"""
    if not await database_exists(DEMO_DATABASE):
        return None
    return await fingerprint(DEMO_DATABASE)
