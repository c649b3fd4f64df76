"""Settings of the orders service (environment variables SD_ORDERS_*)."""

from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)


class OrdersSettings(ServiceSettings):
    model_config = service_config("orders")

    db: DatabaseSettings = DatabaseSettings.local("orders")
    keycloak: KeycloakSettings = KeycloakSettings.local("orders")
    clients_url: str = "http://localhost:8002"
    client_check_deadline_s: float = 0.5
