"""The SMS gateways this installation uses, and what SMS brings to the service."""

from __future__ import annotations

import httpx

from servicedesk.channels.intake.desk import IntakeDesk
from servicedesk.channels.intake.queue import Handler
from servicedesk.channels.people import RealmDirectory
from servicedesk.channels.settings import ChannelsSettings
from servicedesk.channels.sms.port import SmsProvider
from servicedesk.channels.sms.smsru import SmsRuProvider
from servicedesk.channels.sms.twilio import TwilioProvider
from servicedesk.channels.sms_channel.intake import SmsIntake
from servicedesk.channels.sms_channel.transport import SmsTransport


def sms_providers(settings: ChannelsSettings, http: httpx.AsyncClient) -> dict[str, SmsProvider]:
    found: dict[str, SmsProvider] = {}
    if "smsru" in settings.sms_gateways:
        found["smsru"] = SmsRuProvider(settings.smsru, http)
    if "twilio" in settings.sms_gateways:
        found["twilio"] = TwilioProvider(settings.twilio, http)
    return found


def sms_handlers(
    desk: IntakeDesk,
    directory: RealmDirectory,
    settings: ChannelsSettings,
    providers: dict[str, SmsProvider],
) -> dict[str, Handler]:
    if not providers:
        return {}
    return {"sms": SmsIntake(desk, directory, settings).handle}


def sms_transport(settings: ChannelsSettings, providers: dict[str, SmsProvider]) -> SmsTransport:
    return SmsTransport(settings, providers)
