"""Sending SMS: through the gateway the person last wrote through (else the default one),
counted in segments first and cut to the configured number of parts, ending with the
incident's link."""

from __future__ import annotations

from servicedesk.channels.metrics import UNUSABLE_INPUT
from servicedesk.channels.models import ChannelIdentity, Delivery
from servicedesk.channels.outbound.transport import SendFailed, Sent, Unreachable
from servicedesk.channels.settings import ChannelsSettings
from servicedesk.channels.sms.port import SmsProvider, SmsSendFailed
from servicedesk.channels.sms.segments import count_segments, fit

STATUS_PATH = "/channels/sms/twilio/status"


class SmsTransport:
    channel = "sms"

    def __init__(self, settings: ChannelsSettings, providers: dict[str, SmsProvider]) -> None:
        self.settings = settings
        self.providers = providers

    def rate_key(self, delivery: Delivery) -> str | None:
        return None

    def text_of(self, delivery: Delivery) -> str:
        body = " ".join(delivery.body.split())  # one line reads best on a phone
        if count_segments(body).parts <= self.settings.sms_max_parts:
            return body
        link = ""
        if delivery.incident_key:
            link = f" {self.settings.console_url.rstrip('/')}/incidents/{delivery.incident_key}"
        return fit(body, self.settings.sms_max_parts, suffix=" …" + link)

    async def send(self, delivery: Delivery, identity: ChannelIdentity | None) -> Sent:
        name = (identity.provider if identity else None) or self.settings.sms_default_gateway
        provider = self.providers.get(name) or next(iter(self.providers.values()))
        text = self.text_of(delivery)
        callback = None
        if provider.name == "twilio":
            callback = self.settings.public_url.rstrip("/") + STATUS_PATH
        try:
            sent = await provider.send(delivery.address, text, status_callback=callback)
        except SmsSendFailed as failed:
            if failed.code in {"202", "21211", "21614"}:  # an invalid or unreachable number
                UNUSABLE_INPUT.labels("sms", "bad-number").inc()
                raise Unreachable(failed.reason) from failed
            raise SendFailed(failed.reason, retryable=failed.retryable) from failed
        return Sent(provider.name, [sent.provider_id], sent.parts or count_segments(text).parts)
