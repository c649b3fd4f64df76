"""Settings of the tickets service (environment variables SD_TICKETS_*)."""

from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)


class TicketsSettings(ServiceSettings):
    model_config = service_config("tickets")

    db: DatabaseSettings = DatabaseSettings.local("tickets")
    keycloak: KeycloakSettings = KeycloakSettings.local("tickets")
