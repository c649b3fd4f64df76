"""Settings of the web service (environment variables SD_WEB_*)."""

from pathlib import Path
from urllib.parse import urlsplit

from servicedesk.kernel.settings import KeycloakSettings, ServiceSettings, service_config

# The bootstrap (scripts/lib/web.sh) puts the vendored front-end files here.
_ROOT = Path(__file__).resolve().parents[3]


class WebSettings(ServiceSettings):
    model_config = service_config("web")

    keycloak: KeycloakSettings = KeycloakSettings.local("web")
    public_url: str = "http://localhost:8000"  # where browsers reach the console
    tickets_url: str = "http://127.0.0.1:8001"
    migration_url: str = "http://127.0.0.1:8004"
    channels_url: str = "http://127.0.0.1:8006"  # the user's Telegram/SMS identities, links
    notifications_url: str = "http://127.0.0.1:8007"  # the bell, its stream, preferences, watch
    bell_timeout_s: float = 1.0  # the bell's count on each page: a slow service leaves it blank
    stream_idle_s: float = 45.0  # nothing from the notifications stream (it pings every 15 s)
    backend_timeout_s: float = 5.0
    vendor_dir: Path = _ROOT / "var" / "web" / "static" / "vendor"
    time_zone: str = "Europe/Moscow"
    default_language: str = "ru"
    refresh_margin_s: int = 60  # the access token is refreshed when it has less left than this
    login_timeout_s: int = 600  # how long a started sign-in may take at Keycloak
    session_idle_s: int = 1800  # used when Keycloak gives no refresh token lifetime
    # Forms with attachments: a file of up to 10 MiB (the tickets service's limit) and the rest.
    max_body_bytes: int = 10 * 1024 * 1024 + 256 * 1024

    @property
    def public_origin(self) -> str:
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url.rstrip('/')}/auth/callback"

    @property
    def signed_out_uri(self) -> str:
        return f"{self.public_url.rstrip('/')}/auth/signed-out"
