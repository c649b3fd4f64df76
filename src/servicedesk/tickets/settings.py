"""Settings of the tickets service (environment variables SD_TICKETS_*)."""

from pathlib import Path

from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class TicketsSettings(ServiceSettings):
    model_config = service_config("tickets")

    db: DatabaseSettings = DatabaseSettings.local("tickets")
    keycloak: KeycloakSettings = KeycloakSettings.local("tickets")
    migration_url: str = "http://127.0.0.1:8004"
    reference_deadline_s: float = 2.0
    # The ticket policy and the workflows; the files shipped in the package when unset.
    policy_file: Path | None = None
    workflows_dir: Path | None = None
    attachments_dir: Path = Path("var/attachments")
    attachment_max_bytes: int = ATTACHMENT_MAX_BYTES
    max_body_bytes: int = ATTACHMENT_MAX_BYTES + 64 * 1024  # an attachment and its form
    sla_check_interval_s: float = 5.0
