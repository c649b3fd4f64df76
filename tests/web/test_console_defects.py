"""Small console defects of issue 17: the "created" banner once, money in the reader's format,
"move to" defaulting to the next column, no menu entry that leads to a 403 and the 403 page in
the user's language, and htmx not copying style attributes (the CSP)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from servicedesk.web.i18n import Formats
from servicedesk.web.templating import STATIC_DIR, StaticUrls, build_environment
from tests.web.browsing import csrf_token_in, sign_in


async def _new_incident(browser: httpx.AsyncClient, title: str) -> httpx.Response:
    form = await browser.get("/incidents/new")
    assert form.status_code == 200, form.text
    key = re.search(r'name="idempotency_key" value="([^"]*)"', form.text)
    assert key
    return await browser.post(
        "/incidents/new",
        data={
            "csrf_token": csrf_token_in(form.text),
            "idempotency_key": key.group(1),
            "title": title,
            "description": "The banner must show once.",
            "category": "software",
            "impact": "low",
            "urgency": "low",
            "action": "create",
        },
    )


async def test_the_created_banner_shows_once_not_on_reload(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "agent1")
    created = await _new_incident(browser, "A banner shown once")
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    assert re.fullmatch(r"/incidents/INC-\d+", location), "no flag in the URL to come back"
    first = await browser.get(location)
    assert first.status_code == 200
    assert "Инцидент зарегистрирован." in first.text, "the banner after creating"
    reloaded = await browser.get(location)
    assert reloaded.status_code == 200
    assert "Инцидент зарегистрирован." not in reloaded.text, "a reload shows the banner again"
    assert 'class="alert alert--ok"' not in reloaded.text


@pytest.mark.parametrize(
    ("lang", "amount", "currency", "shown"),
    [
        ("ru", "99.9", "EUR", "99,90\xa0€"),
        ("en", "99.9", "EUR", "€99.90"),
        ("ru", "1234.5", "RUB", "1\xa0234,50\xa0₽"),
        ("en", "1000", "JPY", "¥1,000"),  # no decimals in yen
        ("ru", "7", "", "7"),  # no currency: a plain number
    ],
)
def test_money_has_the_currency_decimals_and_format(
    lang: str, amount: str, currency: str, shown: str
) -> None:
    assert Formats("Europe/Moscow").money(Decimal(amount), currency, lang) == shown


def test_the_money_filter_in_templates() -> None:
    env = build_environment(Formats("Europe/Moscow"), StaticUrls(STATIC_DIR, STATIC_DIR))
    template = env.from_string("{{ amount | money(currency) }}")
    assert template.render(lang="ru", amount="99.9", currency="EUR") == "99,90\xa0€"
    assert template.render(lang="en", amount="99.9", currency="eur") == "€99.90"


def _card_select(column: str) -> str:
    env = build_environment(Formats("Europe/Moscow"), StaticUrls(STATIC_DIR, STATIC_DIR))
    options = [
        {"value": value, "label": value}
        for value in ("new", "in_progress", "waiting_for_reporter", "resolved", "closed")
    ]
    html = env.get_template("boards/_card.html").render(
        lang="ru",
        t=lambda key, default=None, **_: default or key,
        csrf_token="x",
        board={"id": "b1"},
        card={
            "key": "INC-1",
            "priority": "high",
            "title": "T",
            "status": column,
            "assignee_username": "agent1",
        },
        column=column,
        options=options,
    )
    found = re.search(r"<select[^>]*>(.*?)</select>", html, re.S)
    assert found, html
    return found.group(1)


@pytest.mark.parametrize(
    ("column", "chosen"),
    [("new", "in_progress"), ("in_progress", "waiting_for_reporter"), ("resolved", "closed")],
)
def test_move_to_defaults_to_the_next_column(column: str, chosen: str) -> None:
    select = _card_select(column)
    assert re.findall(r'<option value="([^"]+)" selected>', select) == [chosen]
    assert f'value="{column}"' not in select


def test_move_to_from_the_last_column_selects_nothing_special() -> None:
    select = _card_select("closed")
    assert " selected" not in select  # the browser shows the first: there is no next one


async def test_a_reporter_has_no_problems_menu_and_gets_a_403_page(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, "reporter1")
    incidents = await browser.get("/incidents")
    assert incidents.status_code == 200
    menu = re.search(r'<nav class="main-nav".*?</nav>', incidents.text, re.S)
    assert menu
    for href in ("/problems", "/boards", "/clients", "/orders"):
        assert f'href="{href}"' not in menu.group(0), href
    for path in ("/problems", "/boards", "/clients", "/orders"):
        refused = await browser.get(path, headers={"Accept": "text/html"})
        assert refused.status_code == 403, path
        assert refused.headers["content-type"].startswith("text/html"), path
        assert "<h1>Нет доступа</h1>" in refused.text, path
    english = await browser.get("/problems", params={"lang": "en"})
    assert english.status_code == 403
    assert "<h1>Not allowed</h1>" in english.text
    assert "Problems are for agents only." in english.text
    russian = await browser.get("/problems", params={"lang": "ru"})
    assert "Проблемы доступны только агентам." in russian.text


async def test_an_agent_keeps_every_menu_entry(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "agent1")
    page = await browser.get("/incidents")
    for href in ("/problems", "/boards", "/clients", "/orders"):
        assert f'href="{href}"' in page.text, href


def test_htmx_does_not_settle_style_attributes() -> None:
    """htmx would copy an old `style` attribute onto the swapped-in element with setAttribute,
    which the CSP refuses (the resized comment box); the browser test proves it end to end."""
    settings = Path(STATIC_DIR / "app.js").read_text()
    found = re.search(r"attributesToSettle:\s*\[([^\]]*)\]", settings)
    assert found, "app.js sets htmx.config.attributesToSettle"
    assert "style" not in found.group(1)
