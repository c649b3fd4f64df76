"""Settings of the migration service (environment variables SD_MIGRATION_*)."""

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
