"""Settings of the legacy service (environment variables SD_LEGACY_*)."""

from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)


class LegacySettings(ServiceSettings):
    model_config = service_config("legacy")

    db: DatabaseSettings = DatabaseSettings.local("legacy")
    keycloak: KeycloakSettings = KeycloakSettings.local("legacy")
