"""Settings read from the environment, with local defaults that are refused in production."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_SECRET_MARK = "local-"  # noqa: S105 - marks local secrets, is none
DATABASE_ENV = "SD_DATABASE"  # the local database's name, "servicedesk" when unset


class Environment(StrEnum):
    LOCAL = "local"
    TEST = "test"
    PRODUCTION = "production"


class DatabaseSettings(BaseModel):
    """A service's login role on the primary and on the streaming standby."""

    primary_url: SecretStr
    standby_url: SecretStr | None = None
    pool_size: int = 5
    replica_wait_ms: int = 150
    read_your_writes_ttl_s: int = 60

    def primary_dsn(self) -> str:
        """The primary's URL as plain asyncpg takes it (for tools outside SQLAlchemy)."""
        url = self.primary_url.get_secret_value().replace("postgresql+asyncpg://", "postgresql://")
        return url.replace("ssl=", "sslmode=")

    @classmethod
    def local(cls, role: str) -> DatabaseSettings:
        password = f"{LOCAL_SECRET_MARK}{role}"
        base = f"postgresql+asyncpg://{role}:{password}@127.0.0.1"
        # SD_DATABASE names the local database: the tests use their own (servicedesk_test).
        database = os.environ.get(DATABASE_ENV, "servicedesk")
        # Loopback needs no TLS; across hosts, production URLs ask for it (ssl=require).
        return cls(
            primary_url=SecretStr(f"{base}:5432/{database}?ssl=disable"),
            standby_url=SecretStr(f"{base}:5433/{database}?ssl=disable"),
        )


class RedisSettings(BaseModel):
    url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")


class BrokerSettings(BaseModel):
    url: SecretStr = SecretStr("amqp://servicedesk:local-broker@127.0.0.1:5672/servicedesk")
    exchange: str = "servicedesk.events"


class KeycloakSettings(BaseModel):
    """Where tokens come from, and this service's own client (its audience and account)."""

    url: str = "http://localhost:8080"
    realm: str = "servicedesk"
    client_id: str
    client_secret: SecretStr
    jwks_ttl_s: int = 600

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/{self.realm}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    @classmethod
    def local(cls, service: str) -> KeycloakSettings:
        return cls(
            client_id=f"servicedesk-{service}",
            client_secret=SecretStr(f"{LOCAL_SECRET_MARK}{service}-secret"),
        )


def service_config(service: str) -> SettingsConfigDict:
    """Environment variables of a service: SD_<SERVICE>_<FIELD>, nested with '__'."""
    return SettingsConfigDict(
        env_prefix=f"SD_{service.upper()}_", env_nested_delimiter="__", extra="ignore"
    )


class ServiceSettings(BaseSettings):
    """Fields every service has; each service subclasses it with its own prefix and defaults."""

    environment: Environment = Environment.LOCAL
    log_level: str = "INFO"
    max_body_bytes: int = 1_048_576
    cursor_secret: SecretStr = SecretStr(f"{LOCAL_SECRET_MARK}cursor-secret")
    redis: RedisSettings = RedisSettings()
    broker: BrokerSettings = BrokerSettings()

    @model_validator(mode="before")
    @classmethod
    def keep_nested_defaults(cls, data: Any) -> Any:
        """SD_<SERVICE>_KEYCLOAK__REALM changes the realm alone: a nested group given in part
        keeps the other fields of its default (the client id and secret, say)."""
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, field in cls.model_fields.items():
            given, default = data.get(name), field.default
            if isinstance(given, dict) and isinstance(default, BaseModel):
                merged[name] = _deep_merge(default.model_dump(), given)
        return merged

    @model_validator(mode="after")
    def refuse_local_secrets_in_production(self) -> ServiceSettings:
        if self.environment is not Environment.PRODUCTION:
            return self
        leaked = sorted(_local_secret_paths(self.model_dump(), ""))
        if leaked:
            raise ValueError(f"local development secrets refused in production: {leaked}")
        return self


def _deep_merge(base: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in given.items():
        inner = merged.get(key)
        both_dicts = isinstance(inner, dict) and isinstance(value, dict)
        merged[key] = _deep_merge(inner, value) if both_dicts else value  # type: ignore[arg-type]
    return merged


def _local_secret_paths(value: Any, path: str) -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _local_secret_paths(v, f"{path}.{k}")]
    if isinstance(value, SecretStr):
        return [path.lstrip(".")] if LOCAL_SECRET_MARK in value.get_secret_value() else []
    return []
