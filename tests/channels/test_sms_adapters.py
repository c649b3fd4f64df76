"""The SMS port's pure parts: phone normalisation, segment counting and cutting, and each
adapter's verify/parse against callbacks in the providers' real formats (forged, malformed and
foreign items included), plus sending over real HTTP to the fake and to scripted failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import httpx
import pytest

from servicedesk.channels.sms.phones import InvalidPhone, normalize_phone
from servicedesk.channels.sms.port import CallbackRequest, SmsSendFailed
from servicedesk.channels.sms.segments import count_segments, encoding, fit
from servicedesk.channels.sms.smsru import SmsRuProvider, SmsRuSettings
from servicedesk.channels.sms.twilio import TwilioProvider, TwilioSettings, twilio_signature
from servicedesk.fakes.sms.app import create_app
from servicedesk.fakes.sms.numbers import split
from tests.fakes.test_sms_fake import fake_settings, uvicorn_on
from tests.support.scripted_server import HANG, Answer, Step, scripted_server

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SMSRU_HOOK = "https://desk.example/channels/sms/smsru/callback?secret=s3cret"
TWILIO_HOOK = "https://desk.example/channels/sms/twilio/status"
NO_HTTP = httpx.AsyncClient(base_url="http://127.0.0.1:9")  # parsing never calls out
# A status callback and an inbound message, as Twilio's form bodies.
TWILIO_STATUS = (
    "SmsSid=SM9&SmsStatus=undelivered&MessageStatus=undelivered&To=%2B79123456789"
    "&MessageSid=SM9&AccountSid=AC1&From=%2B15005550006&ApiVersion=2010-04-01&ErrorCode=30003"
)
TWILIO_INBOUND = (
    "ToCountry=US&SmsMessageSid=SMa&NumMedia=0&SmsSid=SMa&SmsStatus=received"
    "&Body=Printer+%F0%9F%99%81&To=%2B15005550006&NumSegments=1&MessageSid=SMa&AccountSid=AC1"
    "&From=%2B79123456789&ApiVersion=2010-04-01"
)


def smsru(**settings: object) -> SmsRuProvider:
    values = {"callback_secret": "s3cret", **settings}
    return SmsRuProvider(SmsRuSettings.model_validate(values), NO_HTTP, clock=lambda: NOW)


def twilio(**settings: object) -> TwilioProvider:
    values = {"auth_token": "12345", **settings}
    return TwilioProvider(TwilioSettings.model_validate(values), NO_HTTP, clock=lambda: NOW)


def data(*items: str) -> CallbackRequest:
    """An SMS.ru callback carrying `items` as data[0], data[1], …"""
    return CallbackRequest.of(SMSRU_HOOK, [(f"data[{i}]", item) for i, item in enumerate(items)])


def signed(url: str, form: dict[str, str] | str, token: str = "12345") -> CallbackRequest:
    pairs = parse_qsl(form) if isinstance(form, str) else list(form.items())
    signature = twilio_signature(token, url, pairs)
    return CallbackRequest.of(url, pairs, headers={"X-Twilio-Signature": signature})


# Phones


@pytest.mark.parametrize(
    "written", ["8 (912) 345-67-89", "89123456789", "9123456789", "79123456789", "+7 912 3456789"]
)
def test_russian_numbers_in_any_common_form_become_e164(written: str) -> None:
    assert normalize_phone(written) == "+79123456789"


def test_foreign_numbers_keep_their_country() -> None:
    assert normalize_phone("+44 20 7946 0018") == "+442079460018"
    assert normalize_phone("(415) 555-2671", region="US") == "+14155552671"


@pytest.mark.parametrize(
    ("written", "reason"),
    [("", "empty"), ("call me", "only digits"), ("1-800-FLOWERS", "only digits"),
     ("+", "only digits"), ("12345", "too short"), ("+79003", "too short"),
     ("+7912345678901234", "too long"), ("+447700900123", "no such number")],
)  # fmt: skip
def test_garbage_short_and_impossible_numbers_are_refused_with_a_reason(
    written: str, reason: str
) -> None:
    with pytest.raises(InvalidPhone) as refused:
        normalize_phone(written)
    assert reason in refused.value.reason
    assert isinstance(refused.value, ValueError)


# Segments


SEGMENTS = [  # text, encoding, units, parts
    ("я" * 70, "ucs2", 70, 1), ("я" * 72, "ucs2", 72, 2), ("я" * 134, "ucs2", 134, 2),
    ("я" * 138, "ucs2", 138, 3), ("a" * 160, "gsm7", 160, 1), ("a" * 161, "gsm7", 161, 2),
    ("a" * 306, "gsm7", 306, 2), ("a" * 307, "gsm7", 307, 3), ("", "gsm7", 0, 1),
    ("€" * 80, "gsm7", 160, 1), ("{" * 81, "gsm7", 162, 2), ("5€ {ok} [x]", "gsm7", 16, 1),
    ("Hello @ £5 Ä ñ", "gsm7", 14, 1), ("ç", "ucs2", 1, 1),  # only the capital Ç is GSM
    ("😀" * 35, "ucs2", 70, 1), ("😀" * 36, "ucs2", 72, 2),
    # An escape sequence or a surrogate pair never straddles two parts.
    ("a" * 152 + "€" + "a" * 152, "gsm7", 306, 3), ("a" * 151 + "€" + "a" * 153, "gsm7", 306, 2),
    ("x" * 66 + "😀" + "x" * 66, "ucs2", 134, 3),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind", "units", "parts"), SEGMENTS)
def test_segments_by_encoding_and_part_size(text: str, kind: str, units: int, parts: int) -> None:
    counted = count_segments(text)
    per_part = {"gsm7": 160, "ucs2": 70} if parts == 1 else {"gsm7": 153, "ucs2": 67}
    assert encoding(text) == kind
    assert (counted.encoding, counted.units, counted.parts) == (kind, units, parts)
    assert counted.per_part == per_part[kind]
    fake = split(text)  # the fake counts on its own, and must agree
    assert (fake.encoding, fake.units, fake.parts) == (kind, units, parts)
    assert fake.per_part == per_part[kind]


# Fit


def test_fit_leaves_a_text_that_fits_alone() -> None:
    assert fit("Заявка принята", 1, " …") == "Заявка принята"


def test_fit_cuts_to_the_budget_and_ends_with_the_suffix() -> None:
    suffix = " … https://desk.example/i/INC-000123"
    text = "Принтер в кабинете 301 не печатает, горит красная лампа. " * 10
    cut = fit(text, 3, suffix)
    assert count_segments(cut).parts == 3
    head = cut.removesuffix(suffix)
    assert text.startswith(head)
    assert head == head.rstrip()
    # The longest cut that fits: one more word character and it would not.
    rest = text[len(head) :]
    longer = text[: len(head) + len(rest) - len(rest.lstrip()) + 1]
    assert count_segments(longer + suffix).parts == 4


def test_fit_in_gsm_counts_escape_sequences() -> None:
    cut = fit("{}" * 200, 2, "...")
    assert (count_segments(cut).encoding, count_segments(cut).parts) == ("gsm7", 2)
    assert cut.endswith("...")
    assert len(cut) == 151 + 3  # 76 + 75 escaped characters: one septet of part 1 unused


def test_fit_never_splits_an_emoji_sequence_or_an_accent() -> None:
    family = "👨\u200d👩\u200d👧"  # 5 code points, 8 UTF-16 units
    cut = fit("Help " + family * 40, 1, "")
    assert cut == "Help " + family * 8
    cut = fit("e\u0301" * 100, 1, "")  # é written as e + a combining acute
    assert cut == "e\u0301" * 35


def test_fit_refuses_an_impossible_budget() -> None:
    with pytest.raises(ValueError, match="suffix"):
        fit("я" * 500, 1, "я" * 71)
    with pytest.raises(ValueError, match="max_parts"):
        fit("text", 0)


# SMS.ru callbacks


def test_smsru_verify_wants_the_secret_in_the_url() -> None:
    adapter = smsru()
    assert adapter.verify(data("sms_status\n1-1\n103"))
    assert not adapter.verify(CallbackRequest.of(SMSRU_HOOK.replace("s3cret", "guess")))
    assert not adapter.verify(CallbackRequest.of(SMSRU_HOOK.split("?")[0]))
    assert not adapter.verify(CallbackRequest.of(SMSRU_HOOK + "&secret=s3cret"))
    assert not adapter.verify(CallbackRequest.of(SMSRU_HOOK, method="GET"))
    assert not smsru(callback_secret="").verify(CallbackRequest.of(SMSRU_HOOK))


def test_smsru_statuses_are_read_and_other_items_rejected() -> None:
    request = CallbackRequest.of(
        SMSRU_HOOK,
        [
            ("data[1]", "sms_status\n201737-1000002\n106"),
            ("data[0]", "sms_status\r\n201737-1000001\r\n103"),
            ("data[2]", "callcheck_status\n201737-542\n401"),
            ("data[3]", "sms_status\n201737-1000003\n999"),
            ("data[4]", "sms_status\n\n103"),
            ("data[5]", "sms_status\n201737-1000004"),
            ("data[6]", "sms_incoming\n201737-7\n79123456789\n79990000000\n1740830400\nhi"),
            ("unrelated", "x"),
        ],
    )
    parsed = smsru().parse_statuses(request)
    assert [(r.provider_id, r.status, r.raw_code, r.at) for r in parsed] == [
        ("201737-1000001", "delivered", "103", NOW),
        ("201737-1000002", "undelivered", "106", NOW),
    ]
    reasons = [rejected.reason for rejected in parsed.rejected]
    assert reasons[:2] == ["unknown item kind 'callcheck_status'", "unknown status code '999'"]
    assert all(reason.startswith("an sms_status item needs") for reason in reasons[2:])
    assert len(reasons) == 4


def test_smsru_codes_map_to_the_port_statuses() -> None:
    expected = {"100": "queued", "101": "queued", "102": "sent", "103": "delivered",
                "104": "expired", "105": "undelivered", "107": "undelivered", "108": "failed",
                "150": "failed"}  # fmt: skip
    request = data(*(f"sms_status\n1-{code}\n{code}" for code in expected))
    assert {
        report.raw_code: report.status for report in smsru().parse_statuses(request)
    } == expected


def test_smsru_callback_without_data_is_reported() -> None:
    parsed = smsru().parse_statuses(CallbackRequest.of(SMSRU_HOOK, [("foo", "bar")]))
    assert not parsed.items
    assert parsed.rejected[0].reason == "no data[] items in the callback"


def test_smsru_inbound_is_read_and_malformed_ones_rejected() -> None:
    parsed = smsru().parse_inbound(
        data(
            "sms_incoming\n201737-7\n79123456789\n79990000000\n1740830400\nПринтер\nне печатает",
            "sms_incoming\n201737-8\nnot-a-phone\n79990000000\n1740830400\nhi",
            "sms_incoming\n201737-9\n79123456789\n79990000000\nyesterday\nhi",
            "sms_incoming\n201737-10\n79123456789",
            "sms_incoming\n201737-11\n79123456789\n79990000000\n1740830400\n  ",
            "sms_status\n201737-1000001\n103",
        )
    )
    [sms] = parsed
    assert tuple(sms) == (
        "smsru", "201737-7", "+79123456789", "79990000000", "Принтер\nне печатает", NOW
    )  # fmt: skip
    reasons = [rejected.reason for rejected in parsed.rejected]
    assert reasons[0].startswith("bad sender")
    assert reasons[1:] == [
        "bad time 'yesterday'",
        "an sms_incoming item needs sms_id, from, to, time and text",
        "empty text",
    ]


def test_smsru_acknowledges_with_100() -> None:
    assert tuple(smsru().acknowledge()) == (200, "text/plain", "100")


# Twilio callbacks


def test_twilio_signature_matches_the_documented_example() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    form = "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030"
    request = signed(url, form + "&To=%2B18005551212")
    assert request.headers["x-twilio-signature"] == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert twilio().verify(request)


def test_twilio_forged_callbacks_are_refused() -> None:
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    good = signed(TWILIO_HOOK, form)
    adapter = twilio()
    assert adapter.verify(good)
    tampered = {**form, "MessageStatus": "failed"}
    assert not adapter.verify(CallbackRequest.of(TWILIO_HOOK, tampered, headers=good.headers))
    assert not adapter.verify(CallbackRequest.of(TWILIO_HOOK + "?x=1", form, headers=good.headers))
    assert not adapter.verify(CallbackRequest.of(TWILIO_HOOK, form))
    assert not adapter.verify(signed(TWILIO_HOOK, form, token="another"))
    assert not twilio(auth_token="other").verify(good)


def test_twilio_signature_survives_a_default_port_written_or_dropped() -> None:
    form = {"MessageSid": "SM1", "MessageStatus": "sent"}
    with_port = signed("https://desk.example:443/channels/sms/twilio/status", form)
    assert twilio().verify(CallbackRequest.of(TWILIO_HOOK, form, headers=with_port.headers))
    other_port = signed("https://desk.example:8443/channels/sms/twilio/status", form)
    assert not twilio().verify(CallbackRequest.of(TWILIO_HOOK, form, headers=other_port.headers))


def test_twilio_statuses_are_read() -> None:
    [report] = twilio().parse_statuses(signed(TWILIO_HOOK, TWILIO_STATUS))
    assert tuple(report) == ("twilio", "SM9", "undelivered", "undelivered", NOW, "30003")
    accepted = {"MessageSid": "SM1", "MessageStatus": "accepted"}
    [queued] = twilio().parse_statuses(CallbackRequest.of(TWILIO_HOOK, accepted))
    assert (queued.status, queued.error_code) == ("queued", None)


@pytest.mark.parametrize(
    ("form", "reason"),
    [({"MessageSid": "SM1", "MessageStatus": "exploded"}, "unknown status 'exploded'"),
     ({"MessageSid": "SM1", "MessageStatus": "received"}, "unknown status 'received'"),
     ({"MessageStatus": "sent"}, "needs MessageSid"), ({"MessageSid": "SM1"}, "needs MessageSid")],
)  # fmt: skip
def test_twilio_malformed_statuses_are_rejected(form: dict[str, str], reason: str) -> None:
    parsed = twilio().parse_statuses(CallbackRequest.of(TWILIO_HOOK, form))
    assert not parsed.items
    assert reason in parsed.rejected[0].reason


def test_twilio_inbound_is_read_and_malformed_ones_rejected() -> None:
    [sms] = twilio().parse_inbound(signed(TWILIO_HOOK, TWILIO_INBOUND))
    assert tuple(sms) == ("twilio", "SMa", "+79123456789", "+15005550006", "Printer 🙁", NOW)
    form = dict(parse_qsl(TWILIO_INBOUND))
    for broken, reason in [
        ({**form, "From": "+7912"}, "bad sender"),
        ({key: value for key, value in form.items() if key != "Body"}, "needs MessageSid"),
        ({**form, "Body": "", "NumMedia": "1"}, "empty text"),
    ]:
        parsed = twilio().parse_inbound(CallbackRequest.of(TWILIO_HOOK, broken))
        assert not parsed.items
        assert reason in parsed.rejected[0].reason


def test_twilio_acknowledges_with_empty_twiml() -> None:
    status, content_type, body = twilio().acknowledge()
    assert (status, content_type) == (200, "text/xml")
    assert body.endswith("<Response/>")


# Sending over real HTTP


@pytest.fixture(scope="module")
async def fake_url() -> AsyncIterator[str]:
    async with uvicorn_on(create_app(fake_settings(None))) as url:
        yield url


async def test_both_adapters_send_through_the_fake(fake_url: str) -> None:
    async with httpx.AsyncClient() as http:
        sent = await SmsRuProvider(SmsRuSettings(base_url=fake_url, sender="Desk"), http).send(
            "+79123456789", "Заявка принята"
        )
        assert (sent.provider, sent.status, sent.raw_status) == ("smsru", "queued", "100")
        assert "-" in sent.provider_id
        sent = await TwilioProvider(TwilioSettings(base_url=fake_url), http).send(
            "89123456789", "a" * 161, status_callback="http://127.0.0.1:9/nowhere"
        )
        assert (sent.provider, sent.status, sent.parts) == ("twilio", "queued", 2)
        conversation = (await http.get(f"{fake_url}/control/phones/+79123456789/messages")).json()
        assert [(m["provider"], m["desk"]) for m in conversation["messages"]] == [
            ("smsru", "Desk"),
            ("twilio", "+15005550006"),
        ]


async def test_bad_numbers_and_empty_texts_fail_before_any_call() -> None:
    with pytest.raises(SmsSendFailed, match="not a phone number") as refused:
        await smsru(base_url="http://127.0.0.1:9").send("12", "hello")
    assert not refused.value.retryable
    with pytest.raises(SmsSendFailed, match="empty text"):
        await twilio(base_url="http://127.0.0.1:9").send("+79123456789", "")


def smsru_answer(code: int, **number: object) -> Answer:
    if not number:
        return Answer(200, {"status": "ERROR", "status_code": code, "status_text": "refused"})
    return Answer(200, {"status": "OK", "status_code": 100, "sms": {"79123456789": number}})


@pytest.mark.parametrize(
    ("step", "retryable", "words"),
    [(503, True, "HTTP 503"), (HANG, True, "in time"), (Answer(200, "<html>"), False, "object"),
     (smsru_answer(220), True, "220"), (smsru_answer(201), False, "201 refused"),
     (smsru_answer(100, status="ERROR", status_code=207), False, "207"),
     (Answer(200, {"status": "OK", "status_code": 100, "sms": {}}), False, "no result")],
)  # fmt: skip
async def test_smsru_send_failures_say_whether_to_retry(
    step: Step, retryable: bool, words: str
) -> None:
    async with scripted_server([step]) as server, httpx.AsyncClient() as http:
        adapter = SmsRuProvider(SmsRuSettings(base_url=server.url, timeout_s=0.3), http)
        with pytest.raises(SmsSendFailed) as failed:
            await adapter.send("+79123456789", "hello")
    assert failed.value.retryable is retryable
    assert words in failed.value.reason


def twilio_answer(status: int, code: int) -> Answer:
    return Answer(status, {"code": code, "message": "refused", "status": status})


@pytest.mark.parametrize(
    ("answer", "retryable", "code"),
    [(twilio_answer(429, 20429), True, "20429"), (twilio_answer(503, 20503), True, "20503"),
     (twilio_answer(400, 21211), False, "21211"), (Answer(502), True, None)],
)  # fmt: skip
async def test_twilio_send_failures_say_whether_to_retry(
    answer: Answer, retryable: bool, code: str | None
) -> None:
    async with scripted_server([answer]) as server, httpx.AsyncClient() as http:
        adapter = TwilioProvider(TwilioSettings(base_url=server.url), http)
        with pytest.raises(SmsSendFailed) as failed:
            await adapter.send("+79123456789", "hello", status_callback=TWILIO_HOOK)
        [request] = server.seen
    assert (failed.value.retryable, failed.value.code) == (retryable, code)
    assert request.path == f"/2010-04-01/Accounts/{TwilioSettings().account_sid}/Messages.json"
    assert request.headers["authorization"].startswith("Basic ")
    assert b"StatusCallback=https%3A%2F%2Fdesk.example" in request.body
