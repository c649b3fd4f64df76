"""The profile's Telegram and SMS section, in-process, with the channels service played by a
scripted server (each call takes the next answer of the script; the last one repeats): the bound
identities, a link with its command and expiry, unbinding with the CSRF token, polling that ends
when the account appears, a polite word when channels is down, Russian, hostile names."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from servicedesk.web.app import create_app
from servicedesk.web.settings import WebSettings
from tests.support.live_web import WEB_URL
from tests.support.scripted_server import Answer, ScriptedServer, Step, scripted_server
from tests.web.browsing import csrf_token_in, sign_in

NOWHERE = "http://127.0.0.1:9"  # nothing listens: a service that is down
TOKEN = "Tk_0123456789-abcdefghijklmnopqrstuvwxyz"
LATER = "2099-01-15T09:05:00Z"  # 12:05 in Moscow
TELEGRAM_ID = uuid.UUID("0e6f2a52-7d1c-4b8e-9a0f-3c5d7e9b1a21")
PHONE_ID = uuid.UUID("5b1c9e7a-2f4d-4c3b-8e6a-1d2f3a4b5c6d")
IDENTITIES = "/api/v1/me/identities"


def _identity(
    identity_id: uuid.UUID = TELEGRAM_ID,
    *,
    channel: str = "telegram",
    address: str = "555000111",
    display: str = "@ivan_petrov",
    reachable: bool = True,
) -> dict[str, Any]:
    return {
        "id": str(identity_id),
        "channel": channel,
        "address": address,
        "display": display,
        "bound_at": "2026-01-10T07:30:00Z",
        "reachable": reachable,
    }


def _link(url: str = f"https://t.me/servicedesk_local_bot?start={TOKEN}") -> dict[str, Any]:
    return {
        "url": url,
        "token": TOKEN,
        "bot_username": "servicedesk_local_bot",
        "expires_at": LATER,
    }


@asynccontextmanager
async def _console(channels_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The console in-process with channels at `channels_url`, agent1 signed in."""
    settings = WebSettings(
        tickets_url=NOWHERE,
        migration_url=NOWHERE,
        channels_url=channels_url,
        notifications_url=NOWHERE,  # never a `./sd up` stack's (the demo data)
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=WEB_URL) as browser:
            await sign_in(browser, "agent1", next_url="/profile")
            yield browser


@asynccontextmanager
async def _with_channels(
    script: Sequence[Step],
) -> AsyncIterator[tuple[httpx.AsyncClient, ScriptedServer]]:
    async with scripted_server(script) as channels, _console(channels.url) as browser:
        yield browser, channels


def _htmx(csrf: str = "") -> dict[str, str]:
    headers = {"HX-Request": "true", "Origin": WEB_URL}
    return headers | ({"X-CSRF-Token": csrf} if csrf else {})


def _calls(channels: ScriptedServer) -> list[str]:
    return [f"{seen.method} {seen.path}" for seen in channels.seen]


def _region(html: str, element_id: str) -> str:
    """The element with this id, up to the next part of the section."""
    found = re.search(rf'<div id="{element_id}".*?(?=<div id="telegram-|\Z)', html, re.S)
    assert found, f"no #{element_id}"
    return found.group(0)


async def test_the_section_lists_the_bound_identities_and_the_phone() -> None:
    sms = _identity(PHONE_ID, channel="sms", address="+79160000001", display="", reachable=False)
    async with _with_channels([Answer(200, [_identity(), sms])]) as (browser, channels):
        page = await browser.get("/profile?lang=en")
    assert page.status_code == 200
    assert _calls(channels) == [f"GET {IDENTITIES}"]
    seen = channels.seen[0]
    assert seen.headers["authorization"].startswith("Bearer "), "called as the user"
    assert seen.headers["accept-language"] == "en"
    section = page.text[page.text.index('id="telegram"') :]
    assert "Telegram and SMS" in section
    assert "Linked accounts" in section
    assert "@ivan_petrov" in section
    assert "555000111" in section
    assert "linked 1/10/26, 10:30\u202fAM" in section, "in the reader's language, Moscow time"
    assert '<span class="tag">SMS</span>' in section
    assert "messages do not get through" in section, "the phone is not reachable"
    assert section.count("<summary") == 2
    assert f'action="/profile/telegram/identities/{TELEGRAM_ID}/unbind"' in section
    assert "Unbind @ivan_petrov? The service desk will no longer" in section
    assert ">Link Telegram</button>" in section
    # the phone of the Keycloak profile, and what it is good for
    assert '<strong class="nowrap">+79160000001</strong>' in section
    assert "SMS from this number are recognised as yours." in section
    assert 'hx-trigger="every 3s"' not in page.text, "no polling without a link"
    assert "<script>" not in page.text, "no inline scripts"
    assert 'style="' not in page.text, "no inline styles"
    assert '<script src="/static/profile.js?v=' in page.text


async def test_link_telegram_shows_the_link_the_command_and_the_expiry() -> None:
    script = [Answer(200, [_identity()]), Answer(200, [_identity()]), Answer(201, _link())]
    async with _with_channels(script) as (browser, channels):
        csrf = csrf_token_in((await browser.get("/profile?lang=en")).text)
        answer = await browser.post("/profile/telegram/links", headers=_htmx(csrf))
    assert answer.status_code == 200
    assert _calls(channels) == [
        f"GET {IDENTITIES}",
        f"GET {IDENTITIES}",
        "POST /api/v1/telegram/links",
    ]
    assert channels.seen[2].body == b"", "no body"
    assert channels.seen[2].headers["authorization"].startswith("Bearer ")
    link = _region(answer.text, "telegram-link")
    assert "hx-swap-oob" not in link, "the link area is the target"
    url = f"https://t.me/servicedesk_local_bot?start={TOKEN}"
    assert (
        f'<a class="telegram-url" href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>'
        in link
    )
    assert (
        f'<code id="telegram-command" class="command" data-token="{TOKEN}">/start {TOKEN}</code>'
        in link
    )
    assert "Or send this command to @servicedesk_local_bot:" in link
    assert "Valid until 1/15/99, 12:05\u202fPM. It works once, within 10 minutes." in link
    assert ">Get a new link</button>" in link
    # the list comes along (out of band) and asks again every 3 s for the new account
    identities = _region(answer.text, "telegram-identities")
    assert 'hx-swap-oob="true"' in identities
    assert 'hx-trigger="every 3s"' in identities
    until = urlencode({"until": "2099-01-15T09:05:00+00:00", "known": str(TELEGRAM_ID)})
    assert f'hx-get="/profile/telegram/identities?{until.replace("&", "&amp;")}"' in identities
    assert "the list refreshes by itself" in identities


async def test_a_plain_form_gets_the_link_on_the_next_page_once() -> None:
    script = [Answer(200, []), Answer(201, _link()), Answer(200, [])]
    async with _with_channels(script) as (browser, channels):
        csrf = csrf_token_in((await browser.get("/profile?lang=en")).text)
        posted = await browser.post(
            "/profile/telegram/links", data={"csrf_token": csrf}, headers={"Origin": WEB_URL}
        )
        assert posted.status_code == 303
        assert posted.headers["location"] == "/profile#telegram"
        shown = await browser.get("/profile")
        again = await browser.get("/profile")
    assert _calls(channels)[1] == "POST /api/v1/telegram/links"
    assert f"/start {TOKEN}" in shown.text
    assert 'hx-trigger="every 3s"' in shown.text
    assert '&amp;known="' in shown.text, "watching for an account, none bound before"
    assert f"/start {TOKEN}" not in again.text, "a reload does not show a used link again"
    assert 'hx-trigger="every 3s"' not in again.text


async def test_unbinding_sends_delete_only_with_the_csrf_token() -> None:
    script = [Answer(200, [_identity()]), Answer(204), Answer(200, [])]
    async with _with_channels(script) as (browser, channels):
        page = await browser.get("/profile?lang=en")
        csrf = csrf_token_in(page.text)
        form = re.search(r'<form method="post" action="([^"]+/unbind)".*?</form>', page.text, re.S)
        assert form, "an unbind form"
        assert f'name="csrf_token" value="{csrf}"' in form.group(0)
        assert re.search(r'<details class="unbind">\s*<summary', page.text), "asks first"

        refused = await browser.post(form.group(1), data={}, headers={"Origin": WEB_URL})
        assert refused.status_code == 403
        assert len(channels.seen) == 1, "nothing sent to channels without the token"

        done = await browser.post(form.group(1), data={"csrf_token": csrf}, headers=_htmx())
    assert done.status_code == 200
    assert _calls(channels) == [
        f"GET {IDENTITIES}",
        f"DELETE {IDENTITIES}/{TELEGRAM_ID}",
        f"GET {IDENTITIES}",
    ]
    assert channels.seen[1].headers["authorization"].startswith("Bearer ")
    assert done.text.lstrip().startswith('<div id="telegram-identities"')
    assert "No Telegram account is linked yet." in done.text
    assert '<div id="telegram-notice" hx-swap-oob="innerHTML">' in done.text
    assert "The account is unbound." in done.text


async def test_unbinding_what_is_not_yours_says_so_and_a_plain_form_comes_back() -> None:
    problem = {"type": "https://servicedesk.local/problems/not-found", "status": 404}
    script = [Answer(200, [_identity()]), Answer(404, problem), Answer(200, [_identity()])]
    async with _with_channels(script) as (browser, channels):
        csrf = csrf_token_in((await browser.get("/profile?lang=en")).text)
        path = f"/profile/telegram/identities/{TELEGRAM_ID}/unbind"
        posted = await browser.post(path, data={"csrf_token": csrf}, headers={"Origin": WEB_URL})
        assert posted.status_code == 303
        assert posted.headers["location"] == "/profile#telegram"
        page = await browser.get("/profile")
    assert _calls(channels)[1] == f"DELETE {IDENTITIES}/{TELEGRAM_ID}"
    assert "This account is not linked to you (any more)." in page.text
    assert "@ivan_petrov" in page.text


async def test_polling_stops_when_the_new_account_appears() -> None:
    until = (datetime.now(UTC) + timedelta(minutes=9)).isoformat()
    watching = "/profile/telegram/identities?" + urlencode({"until": until, "known": ""})
    newcomer = _identity(display="@new_account")
    async with _with_channels([Answer(200, []), Answer(200, [newcomer])]) as (browser, _):
        waiting = await browser.get(f"{watching}&lang=en", headers=_htmx())
        bound = await browser.get(watching, headers=_htmx())
        plain = await browser.get(watching)
    assert waiting.status_code == 200
    assert 'hx-trigger="every 3s"' in waiting.text, "nothing yet: asks again"
    assert 'id="telegram-link"' not in waiting.text
    assert "telegram-notice" not in waiting.text
    assert 'hx-trigger="every 3s"' not in bound.text, "the account is there: no more polling"
    assert "Telegram account @new_account is now linked to you." in bound.text
    link = _region(bound.text, "telegram-link")
    assert 'hx-swap-oob="true"' in link, "the used link gives way to the button"
    assert ">Link Telegram</button>" in link
    assert (plain.status_code, plain.headers["location"]) == (303, "/profile#telegram")


async def test_polling_stops_when_the_link_expires() -> None:
    until = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    watching = "/profile/telegram/identities?" + urlencode({"until": until, "known": ""})
    async with _with_channels([Answer(200, [])]) as (browser, _):
        answer = await browser.get(f"{watching}&lang=en", headers=_htmx())
    assert 'hx-trigger="every 3s"' not in answer.text
    assert "The link has expired unused." in answer.text
    assert ">Link Telegram</button>" in _region(answer.text, "telegram-link")


async def test_when_channels_is_down_the_section_says_so_and_the_page_works() -> None:
    async with _console(NOWHERE) as browser:
        page = await browser.get("/profile?lang=en")
        csrf = csrf_token_in(page.text)
        link = await browser.post("/profile/telegram/links", headers=_htmx(csrf))
        path = f"/profile/telegram/identities/{TELEGRAM_ID}/unbind"
        unbind = await browser.post(path, headers=_htmx(csrf))
    assert page.status_code == 200
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page.text))
    assert facts["Username"] == "agent1", "the rest of the profile is there"
    assert "the messaging service does not answer" in page.text
    assert "The rest of your profile works" in page.text
    assert "unreachable" not in page.text, "no technical detail"
    assert ">Link Telegram</button>" in page.text
    assert link.status_code == 200
    assert "The messaging service does not answer right now." in _region(link.text, "telegram-link")
    assert unbind.status_code == 200
    assert "The messaging service does not answer right now." in unbind.text


async def test_the_section_speaks_russian() -> None:
    script = [Answer(200, [_identity()]), Answer(200, [_identity()]), Answer(201, _link())]
    async with _with_channels(script) as (browser, _):
        page = await browser.get("/profile?lang=ru")
        answer = await browser.post(
            "/profile/telegram/links", headers=_htmx(csrf_token_in(page.text))
        )
    section = page.text[page.text.index('id="telegram"') :]
    for text in (
        "Telegram и SMS",
        "Привязанные аккаунты",
        "привязан 10.01.2026, 10:30",
        ">Отвязать</summary>",
        "Отвязать @ivan_petrov? Служба поддержки больше не будет",
        ">Да, отвязать</button>",
        ">Обновить</a>",
        ">Привязать Telegram</button>",
        "SMS с этого номера узнаются как ваши.",
    ):
        assert text in section, text
    for text in (
        "Откройте ссылку там, где у вас Telegram",
        "Или отправьте эту команду @servicedesk_local_bot:",
        "Действует до 15.01.2099, 12:05. Срабатывает один раз, в течение 10 минут.",
        ">Скопировать</button>",
        "Ждём Telegram: список обновляется сам.",
    ):
        assert text in answer.text, text
    assert not re.search(r">(Unbind|Link Telegram|Refresh)<", page.text + answer.text)


async def test_hostile_names_and_links_are_shown_as_text() -> None:
    hostile = _identity(
        display='<script>alert("x")</script>', address='"><img src=x onerror=alert(1)>'
    )
    bad_link = _link(url="javascript:alert(1)")
    script = [Answer(200, [hostile]), Answer(200, [hostile]), Answer(201, bad_link)]
    async with _with_channels(script) as (browser, _):
        page = await browser.get("/profile?lang=en")
        answer = await browser.post(
            "/profile/telegram/links", headers=_htmx(csrf_token_in(page.text))
        )
    for html in (page.text, answer.text):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Unbind &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;?" in page.text
    assert "javascript:" not in answer.text, "only a t.me link is made clickable"
    assert f"/start {TOKEN}" in answer.text, "the command still works"


async def test_a_malformed_answer_is_no_link() -> None:
    bad_token = _link() | {"token": 'x"><script>'}
    script = [Answer(200, []), Answer(200, []), Answer(201, bad_token)]
    async with _with_channels(script) as (browser, _):
        page = await browser.get("/profile?lang=en")
        answer = await browser.post(
            "/profile/telegram/links", headers=_htmx(csrf_token_in(page.text))
        )
    assert answer.status_code == 200
    assert "<script>" not in answer.text
    assert "The messaging service does not answer right now." in answer.text
    assert json.dumps(bad_token["token"]) not in answer.text
