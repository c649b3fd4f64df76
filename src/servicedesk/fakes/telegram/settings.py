"""Settings of the Telegram fake (environment variables SD_TELEGRAM_FAKE_*)."""

from pydantic import Field

from servicedesk.kernel.settings import ServiceSettings, service_config

MB = 1_000_000


class TelegramFakeSettings(ServiceSettings):
    model_config = service_config("telegram_fake")

    # Uploads reach 50 MB; the kernel's default body limit (1 MiB) would refuse them.
    max_body_bytes: int = 52 * MB
    bot_username: str = Field("servicedesk_local_bot", description="every bot's username")
    bot_first_name: str = "Servicedesk (local)"
    upload_limit_bytes: int = Field(50 * MB, description="largest file a bot may send")
    download_limit_bytes: int = Field(20 * MB, description="largest file getFile hands out")
    update_retention_s: float = Field(24 * 3600, description="how long an update waits")
    long_poll_cap_s: float = Field(50, description="longest getUpdates wait")
    delivery_backoff_start_s: float = Field(0.5, gt=0, description="first wait after a failure")
    delivery_backoff_cap_s: float = Field(10, gt=0, description="longest wait between attempts")
    delivery_give_up_s: float = Field(3600, description="an update's age when it is given up")
    delivery_timeout_s: float = Field(10, gt=0, description="how long one webhook POST may take")
    deliveries_kept: int = Field(1000, description="webhook attempts kept per bot")
