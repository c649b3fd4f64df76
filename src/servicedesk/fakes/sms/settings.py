"""Settings of the SMS fake (environment variables SD_SMS_FAKE_*).

The defaults match the adapters' local defaults (`SmsRuSettings`, `TwilioSettings` in
servicedesk.channels.sms, which the fake does not import) and the channels service's callback
routes on 127.0.0.1:8006.
"""

from pydantic import Field, SecretStr

from servicedesk.kernel.settings import ServiceSettings, service_config

CHANNELS = "http://127.0.0.1:8006/channels/sms"
# The same local values as the adapters' defaults (SmsRuSettings, TwilioSettings).
LOCAL_API_ID = "local-smsru-api-id"
LOCAL_CALLBACK_SECRET = "local-smsru-callback-secret"  # noqa: S105 - local only
LOCAL_ACCOUNT_SID = "AC" + "0" * 31 + "1"
LOCAL_AUTH_TOKEN = "local-twilio-auth-token"  # noqa: S105 - local only
LOCAL_FROM_NUMBER = "+15005550006"


class SmsFakeSettings(ServiceSettings):
    model_config = service_config("sms_fake")

    smsru_api_id: SecretStr = SecretStr(LOCAL_API_ID)
    smsru_callback_url: str | None = Field(
        f"{CHANNELS}/smsru/callback?secret={LOCAL_CALLBACK_SECRET}",
        description="the account's one handler URL: statuses and incoming SMS (None: no calls)",
    )
    smsru_number: str = Field("79990000000", description="the desk's number on SMS.ru (digits)")
    smsru_balance: float = Field(1000.0, description="the account's balance at start, RUB")
    smsru_part_price: float = Field(2.5, description="what one SMS part costs, RUB")
    twilio_account_sid: str = LOCAL_ACCOUNT_SID
    twilio_auth_token: SecretStr = SecretStr(LOCAL_AUTH_TOKEN)
    twilio_number: str = Field(LOCAL_FROM_NUMBER, description="the desk's Twilio number")
    twilio_inbound_url: str | None = Field(
        f"{CHANNELS}/twilio/inbound", description="the number's messaging webhook (None: none)"
    )
    status_step_s: float = Field(0.4, ge=0, description="time between two status changes")
    callback_backoff_start_s: float = Field(0.5, gt=0, description="first wait after a failure")
    callback_backoff_cap_s: float = Field(10, gt=0, description="longest wait between attempts")
    callback_give_up_s: float = Field(600, description="a callback's age when it is given up")
    callback_timeout_s: float = Field(10, gt=0, description="how long one callback POST may take")
    callbacks_kept: int = Field(1000, description="callback attempts kept for GET /control")
