"""Moved to `servicedesk.ops.seeding`: kept for tests/migration, which imports `make_inn` by
this name, until its import changes; then delete this module."""

from servicedesk.ops.seeding.inn import make_inn

__all__ = ["make_inn"]
