"""Settings of the channels service (environment variables SD_CHANNELS_*, nested with '__')."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, SecretStr, model_validator

from servicedesk.channels.sms.smsru import SmsRuSettings
from servicedesk.channels.sms.twilio import TwilioSettings
from servicedesk.kernel.mail import MailSettings
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


class EsbSettings(BaseModel):
    """The ESB channel (SD_CHANNELS_ESB__*): see docs/esb.md."""

    enabled: bool = True
    # Exchanges and queues are named <prefix>.commands, <prefix>.events, … (see topology.py).
    prefix: str = "servicedesk.esb"
    # The calling systems: each publishes with routing keys <caller>.<command> and hears on
    # <caller>.<event>; its RabbitMQ user is limited to those keys (docs/esb.md).
    callers: tuple[str, ...] = ("monitoring",)
    max_message_bytes: int = 1_048_576
    delivery_limit: int = 5  # a command that keeps failing goes to the DLQ after this many
    max_queue_length: int = 1_000_000  # past it, publishes are refused (reject-publish)
    prefetch: int = 32  # commands worked on at once per consumer
    category: str = "other"  # of incidents opened without one


MB = 1024 * 1024
GROUP_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # what tickets accepts as a group


class EmailSettings(BaseModel):
    """The support mailboxes and the limits of mail intake (SD_CHANNELS_EMAIL__*, docs/email.md)."""

    enabled: bool = True
    # Each is an IMAP login (the full address) on mail.imap_host; its mail becomes incidents.
    mailboxes: tuple[str, ...] = ("support@servicedesk.local",)
    # Mailbox → the Keycloak group id (not its path: tickets takes ids) its incidents go to;
    # a mailbox not named here opens incidents without a group.
    groups: dict[str, str] = {}
    # SMTP and IMAP; our mail leaves from mail.from_address (the first mailbox's address).
    mail: MailSettings = MailSettings(from_address="support@servicedesk.local")
    failed_folder: str = "failed"  # mail that cannot be read is moved there, never deleted
    poll_interval_s: float = 30.0  # the fallback when IDLE says nothing (or is not offered)
    idle_renew_s: float = 25 * 60.0  # RFC 2177: IDLE is issued again before 29 minutes
    reconnect_s: float = 5.0
    max_message_bytes: int = 25 * MB  # larger mail is not read: moved to the failed folder
    max_attachment_bytes: int = 10 * MB
    max_attachments: int = 10
    max_unzipped_bytes: int = 100 * MB  # a zip promising more is a bomb, not attached
    max_zip_ratio: int = 100
    auto_replies_per_hour: int = 5  # acknowledgements to one sender; more are not sent

    @model_validator(mode="after")
    def _groups_of_our_mailboxes(self) -> EmailSettings:
        ours = {m.lower() for m in self.mailboxes}
        groups = {m.strip().lower(): g.strip() for m, g in self.groups.items()}
        for mailbox, group in groups.items():
            if mailbox not in ours:
                raise ValueError(f"groups names {mailbox!r}, which is not one of the mailboxes")
            if not GROUP_ID.fullmatch(group):
                raise ValueError(f"the group of {mailbox!r} must be a Keycloak group id")
        self.groups = groups
        return self

    def group_of(self, mailbox: str | None) -> str | None:
        """The group incidents from this mailbox go to, if the settings name one."""
        return self.groups.get(mailbox.lower()) if mailbox else None


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
    esb: EsbSettings = EsbSettings()
    email: EmailSettings = EmailSettings()  # the support mailboxes (docs/email.md)
