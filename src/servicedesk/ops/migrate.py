"""Runs each service's Alembic migrations as that service's schema owner."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from servicedesk.ops.catalogue import DATABASE, SCHEMA_SERVICES, ServiceInfo, local_password


def alembic_config(
    service: ServiceInfo, host: str = "127.0.0.1", port: int = 5432, database: str = DATABASE
) -> Config:
    owner = service.owner_role
    config = Config()
    config.set_main_option("script_location", f"servicedesk.{service.name}:migrations")
    url = f"postgresql+asyncpg://{owner}:{local_password(owner)}@{host}:{port}/{database}"
    config.set_main_option("sqlalchemy.url", url)
    return config


def migrate_all(database: str = DATABASE) -> list[str]:
    for service in SCHEMA_SERVICES:
        command.upgrade(alembic_config(service, database=database), "head")
    return [s.name for s in SCHEMA_SERVICES]
