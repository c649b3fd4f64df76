"""Settings of the channels service (environment variables SD_CHANNELS_*, nested with '__')."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, SecretStr

from servicedesk.channels.sms.smsru import SmsRuSettings
from servicedesk.channels.sms.twilio import TwilioSettings
from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)

LOCAL_BOT_TOKEN = "7000000001:AAlocal-servicedesk-bot-token-00000"  # noqa: S105 - the fake's


class TelegramMode(StrEnum):
    WEBHOOK = "webhook"  # Telegram posts updates to us (needs a URL Telegram can reach)
    POLLING = "polling"  # we ask with getUpdates (no public HTTPS needed)
    OFF = "off"


class TelegramSettings(BaseModel):
    mode: TelegramMode = TelegramMode.WEBHOOK
    token: SecretStr = SecretStr(LOCAL_BOT_TOKEN)
    # The Bot API's base URL: the local fake by default, https://api.telegram.org in production.
    api_base: str = "http://127.0.0.1:8081"
    # Where Telegram posts updates; registered with setWebhook at start-up.
    webhook_url: str = "http://127.0.0.1:8006/channels/telegram/webhook"
    webhook_secret: SecretStr = SecretStr("local-telegram-webhook-secret")
    bot_username: str = "servicedesk_local_bot"
    messages_per_second: float = 30.0  # all chats together
    chat_interval_s: float = 1.0  # one message per chat per interval
    max_download_bytes: int = 20 * 1024 * 1024  # getFile's limit


class ChannelsSettings(ServiceSettings):
    model_config = service_config("channels")

    # Intake and sender workers each hold a connection while they work (the row lock is the
    # claim), beside the webhook's short inserts: a pool above the worker count.
    db: DatabaseSettings = DatabaseSettings.local("channels").model_copy(update={"pool_size": 20})
    keycloak: KeycloakSettings = KeycloakSettings.local("channels")
    tickets_url: str = "http://127.0.0.1:8001"
    migration_url: str = "http://127.0.0.1:8004"
    console_url: str = "http://localhost:8000"  # incident links in replies
    telegram: TelegramSettings = TelegramSettings()
    # This service as the providers reach it (callbacks, and the URLs their signatures cover).
    public_url: str = "http://127.0.0.1:8006"
    sms_gateways: tuple[str, ...] = ("smsru", "twilio")  # enabled; [] turns SMS off
    sms_default_gateway: str = "smsru"  # for a phone that never wrote to us
    sms_max_parts: int = 3  # longer replies are cut, ending with the incident's link
    smsru: SmsRuSettings = SmsRuSettings()
    twilio: TwilioSettings = TwilioSettings()
    default_category: str = "other"
    new_incidents_per_hour: int = 5  # per contact; more messages become comments
    link_ttl_s: int = 600
    intake_workers: int = 16
    intake_max_attempts: int = 8
    sender_batch: int = 32
    poll_interval_s: float = 0.5
    recent_resolved_days: int = 14  # a resolved incident still offered for a reply
