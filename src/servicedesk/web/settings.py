"""Settings of the web service (environment variables SD_WEB_*)."""

from servicedesk.kernel.settings import KeycloakSettings, ServiceSettings, service_config


class WebSettings(ServiceSettings):
    model_config = service_config("web")

    keycloak: KeycloakSettings = KeycloakSettings.local("web")
    public_url: str = "http://localhost:8000"
