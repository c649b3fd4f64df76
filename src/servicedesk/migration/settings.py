"""Settings of the migration service (environment variables SD_MIGRATION_*)."""

from pydantic_settings import SettingsConfigDict

from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)


class MigrationSettings(ServiceSettings):
    model_config: SettingsConfigDict = service_config("migration")

    db: DatabaseSettings = DatabaseSettings.local("migration")
    keycloak: KeycloakSettings = KeycloakSettings.local("migration")
