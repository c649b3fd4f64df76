"""Settings of the clients service (environment variables SD_CLIENTS_*)."""

from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)


class ClientsSettings(ServiceSettings):
    model_config = service_config("clients")

    db: DatabaseSettings = DatabaseSettings.local("clients")
    keycloak: KeycloakSettings = KeycloakSettings.local("clients")
