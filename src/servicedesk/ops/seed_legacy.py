"""Moved to `servicedesk.ops.seeding.legacy`: kept for tests/legacy and tests/migration, which
import it by this name, until their imports change; then delete this module."""

from servicedesk.ops.seeding.legacy import (
    LegacySeedReport,
    seed_legacy,
    seed_legacy_demo_if_empty,
)
from servicedesk.ops.seeding.legacy_shapes import raw_phone

__all__ = ["LegacySeedReport", "raw_phone", "seed_legacy", "seed_legacy_demo_if_empty"]
