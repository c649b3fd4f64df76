"""Settings of the migration service (environment variables SD_MIGRATION_*)."""

from pydantic import Field, SecretStr

from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)


class MigrationSettings(ServiceSettings):
    model_config = service_config("migration")

    db: DatabaseSettings = DatabaseSettings.local("migration")
    keycloak: KeycloakSettings = KeycloakSettings.local("migration")
    clients_url: str = Field("http://localhost:8002", description="our clients service")
    orders_url: str = Field("http://localhost:8003", description="our orders service")
    breaker_threshold: int = Field(5, ge=1, description="failures in a row that open it")
    breaker_open_s: float = Field(10.0, gt=0, description="how long it stays open")
    cache_ttl_s: float = Field(300.0, gt=0, description="life of a cached legacy record")
    cache_negative_ttl_s: float = Field(30.0, gt=0, description="life of a remembered miss")
    legacy_url: str = Field(
        "http://localhost:8005",
        description="base URL of the legacy Clients/Orders system (the simulator locally)",
    )
    legacy_api_key: SecretStr = Field(
        SecretStr("local-legacy-api-key"),
        description="sent in X-Api-Key; the local default is refused in production",
    )
    legacy_deadline_s: float = Field(
        0.8,
        gt=0,
        le=60,
        description=(
            "overall deadline of one call to the legacy system, from connecting to the last"
            " byte read; default 0.8 s"
        ),
    )
