"""Settings of the notifications service (environment variables SD_NOTIFICATIONS_*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from servicedesk.kernel.mail import MailSettings
from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)

POLICY_FILE = Path(__file__).parent / "config" / "policy.yaml"


class NotificationsSettings(ServiceSettings):
    model_config = service_config("notifications")

    db: DatabaseSettings = DatabaseSettings.local("notifications").model_copy(
        update={"pool_size": 10}
    )
    keycloak: KeycloakSettings = KeycloakSettings.local("notifications")
    channels_url: str = "http://127.0.0.1:8006"  # Telegram and SMS go out through channels
    tickets_url: str = "http://127.0.0.1:8001"  # escalation notes on incidents
    console_url: str = "http://localhost:8000"  # links in messages
    public_url: str = "http://127.0.0.1:8007"  # unsubscribe links in mail
    mail: MailSettings = MailSettings()
    policy_file: Path = POLICY_FILE
    unsubscribe_secret: SecretStr = SecretStr("local-notifications-unsubscribe")
    default_locale: str = "ru"
    default_timezone: str = "Europe/Moscow"
    # Digests of mail per person and item (Jira's batching): sent after this much quiet...
    digest_idle_s: float = 180.0
    # ...or this long after the first change, whichever comes first.
    digest_max_wait_s: float = 600.0
    # More items than this with mail due for one person at once: one summary mail instead.
    mail_flood_items: int = 5
    # Events older than this when they arrive (a replay of the log) build watchers, not messages.
    stale_after_s: float = 86_400.0
    daily_summary_at: str = "08:00"  # in each person's time zone, for those who asked
    directory_refresh_s: float = 60.0
    dispatch_interval_s: float = 1.0
    dispatch_batch: int = 200
    retry_base_s: float = 5.0
    retry_max_s: float = 300.0
    give_up_after_s: float = 86_400.0  # a channel down for a day: the delivery fails for good
    stream_max_s: float = 300.0  # the browser reconnects with Last-Event-ID
    stream_ping_s: float = 15.0
    replay_on_first_start: bool = True  # catch up from the events log on a fresh install
