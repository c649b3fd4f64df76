"""The console's face of the notifications service, in-process, with the service played by a
fake of its API (tests/web/notifications_fake.py): the bell's count on every page (and no
number, never a 500, when the service is away), the bell's panel, the list with its filter,
pages and delivery logs, reading one or all, the way through a notification to its item, the
profile's preferences (locked cells, a 422 shown by its field, reset), watching."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import httpx

from tests.support.live_web import WEB_URL
from tests.web.browsing import csrf_token_in
from tests.web.notifications_fake import (
    NOWHERE,
    console_signed_in,
    fake_notifications,
    notification,
)

INCIDENT_ID = "0e6f2a52-7d1c-4b8e-9a0f-3c5d7e9b1a21"


@asynccontextmanager
async def console(notifications_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The console in-process with the notifications service at `notifications_url` (the
    others down), agent1 signed in."""
    async with console_signed_in(notifications_url) as (_, browser):
        yield browser


def htmx(csrf: str = "") -> dict[str, str]:
    headers = {"HX-Request": "true", "Origin": WEB_URL}
    return headers | ({"X-CSRF-Token": csrf} if csrf else {})


def bell_count(html: str) -> str:
    found = re.search(r'<span class="bell-count" id="bell-count"[^>]*>([^<]*)</span>', html)
    assert found, "no bell"
    return found.group(1)


def _items(count: int, unread: int) -> list[dict[str, object]]:
    """`count` notifications, newest first, the newest `unread` of them unread."""
    return [notification(n, read=n <= count - unread) for n in range(count, 0, -1)]


async def test_every_page_has_the_bell_with_the_unread_count() -> None:
    async with fake_notifications(_items(5, 3)) as fake, console(fake.url) as browser:
        page = await browser.get("/profile?lang=en")
        fragment = await browser.get("/notifications/panel", headers=htmx())
    assert page.status_code == 200
    assert bell_count(page.text) == "3"
    assert '<span class="visually-hidden" id="bell-label">Notifications: 3 unread</span>' in (
        page.text
    )
    assert 'href="/notifications"' in page.text, "the bell is a link without JavaScript"
    assert '<script src="/static/notifications.js?v=' in page.text
    assert 'data-username="agent1"' in page.text
    assert "GET /api/v1/notifications/unread" in fake.calls()
    unread_call = next(s for s in fake.seen if s[1] == "/api/v1/notifications/unread")
    assert unread_call[2]["authorization"].startswith("Bearer "), "called as the user"
    assert "bell-count" not in fragment.text, "an htmx fragment has no header"
    assert "<script>" not in page.text
    assert 'style="' not in page.text


async def test_without_the_service_the_bell_has_no_number_and_the_page_renders() -> None:
    async with console(NOWHERE) as browser:
        page = await browser.get("/profile?lang=ru")
        panel = await browser.get("/notifications/panel", headers=htmx())
    assert page.status_code == 200
    assert bell_count(page.text) == ""
    assert 'id="bell-count" aria-hidden="true" data-count="" hidden' in page.text
    assert "Настройки уведомлений сейчас недоступны." in page.text
    assert panel.status_code == 200
    assert "Уведомления сейчас недоступны." in panel.text


async def test_a_slow_service_does_not_hold_the_page() -> None:
    async with fake_notifications(_items(2, 2)) as fake, console(fake.url) as browser:
        fake.down = True
        page = await browser.get("/profile")
    assert page.status_code == 200
    assert bell_count(page.text) == ""


async def test_the_panel_lists_the_latest_and_reads_them_all() -> None:
    async with fake_notifications(_items(12, 4)) as fake, console(fake.url) as browser:
        csrf = csrf_token_in((await browser.get("/profile")).text)
        panel = await browser.get("/notifications/panel", headers=htmx())
        done = await browser.post(
            "/notifications/read-all", data={"view": "panel"}, headers=htmx(csrf)
        )
        plain = await browser.get("/notifications/panel")
    assert panel.status_code == 200
    assert panel.text.count('<li class="inbox-item') == 8, "the latest 8"
    assert 'href="/notifications/12/go?to=/incidents/INC-000123"' in panel.text
    assert panel.headers["hx-trigger"] == '{"sd-unread": {"unread": 4}}'
    assert ">Прочитать все</button>" in panel.text
    assert done.status_code == 200
    assert "POST /api/v1/notifications/read-all" in fake.calls()
    assert done.headers["hx-trigger"] == '{"sd-unread": {"unread": 0}}'
    assert 'id="bell-panel-body"' in done.text, "the panel again"
    assert "inbox-item--unread" not in done.text
    assert plain.status_code == 303, "the panel is a fragment: a browser goes to the list"
    assert plain.headers["location"] == "/notifications"


async def test_the_list_pages_filters_and_marks_read() -> None:
    async with fake_notifications(_items(25, 22)) as fake, console(fake.url) as browser:
        first = await browser.get("/notifications?lang=en")
        older = await browser.get("/notifications?before=6")
        unread = await browser.get("/notifications?show=unread")
        csrf = csrf_token_in(first.text)
        read = await browser.post(
            "/notifications/25/read",
            data={"view": "page", "show": "unread", "before": ""},
            headers=htmx(csrf),
        )
        plain = await browser.post(
            "/notifications/24/read",
            data={"csrf_token": csrf, "view": "page", "show": "all", "before": "10"},
            headers={"Origin": WEB_URL},
        )
    assert first.status_code == 200
    assert '<h1 id="inbox-title">Notifications</h1>' in first.text
    assert first.text.count('<li class="inbox-item') == 20
    assert 'href="/notifications?before=6"' in first.text, "the next page starts below id 6"
    assert "Unread: 22" in first.text
    assert older.text.count('<li class="inbox-item') == 5
    assert 'href="/notifications">' in older.text, "back to the newest"
    assert unread.text.count("inbox-item--unread") == 20
    assert 'href="/notifications?show=unread" aria-current="page"' in unread.text
    assert "GET /api/v1/notifications?unread_only=true&limit=20" in fake.calls()
    assert read.status_code == 200
    assert read.text.startswith('<div id="inbox-list"'), "the list alone"
    assert 'id="page-n-25"' not in read.text, "read: no longer among the unread"
    assert read.headers["hx-trigger"] == '{"sd-unread": {"unread": 21}}'
    assert "POST /api/v1/notifications/25/read" in fake.calls()
    assert plain.status_code == 303
    assert plain.headers["location"] == "/notifications?before=10"


async def test_a_notification_leads_to_its_item_and_is_read_on_the_way() -> None:
    async with fake_notifications(_items(3, 3)) as fake, console(fake.url) as browser:
        gone = await browser.get("/notifications/3/go", params={"to": "/incidents/INC-000123"})
        elsewhere = await browser.get("/notifications/2/go", params={"to": "https://evil.test/"})
        twice = await browser.get("/notifications/1/go", params={"to": "//evil.test/x"})
    assert (gone.status_code, gone.headers["location"]) == (303, "/incidents/INC-000123")
    assert elsewhere.headers["location"] == "/", "never another site"
    assert twice.headers["location"] == "/"
    assert fake.unread == 0


async def test_the_delivery_log_on_demand() -> None:
    async with fake_notifications(_items(1, 1)) as fake, console(fake.url) as browser:
        page = await browser.get("/notifications?lang=en")
        part = await browser.get("/notifications/1/deliveries?lang=en", headers=htmx())
        whole = await browser.get("/notifications/1/deliveries?lang=ru")
    assert 'hx-get="/notifications/1/deliveries" hx-trigger="toggle once"' in page.text
    assert '<a href="/notifications/1/deliveries">' in page.text, "without JavaScript: a page"
    assert part.status_code == 200
    assert "<h1" not in part.text
    assert "failed" in part.text
    assert "550 mailbox unavailable" in part.text
    assert ">Email<" in part.text
    assert "<h1" in whole.text
    assert "не доставлено" in whole.text
    assert ">В консоли<" in whole.text


async def test_the_profile_shows_the_matrix_with_locked_cells() -> None:
    async with fake_notifications() as fake, console(fake.url) as browser:
        page = await browser.get("/profile?lang=en")
    section = page.text[page.text.index('id="notifications"') :]
    assert '<h2 id="prefs-title">Notifications</h2>' in section
    assert section.count('type="checkbox" id="pref-') == 3 * 2 * 3
    assert re.search(
        r'id="pref-incident_assigned-watched-in_app" name="cell" '
        r'value="incident_assigned:watched:in_app" checked disabled',
        section,
    ), "locked: checked and disabled, in every scope"
    assert re.search(r'id="pref-incident_assigned-mine-email"[^>]* checked>', section)
    assert re.search(r'id="pref-incident_commented-watched-email"[^>]*value="[^"]*">', section)
    assert "Событие mentioned — Область mine — Канал in_app (cannot be turned off)" in section
    assert '<option value="Europe/Moscow" selected>Europe/Moscow (UTC+03:00)</option>' in section
    assert 'name="quiet_start" value="22:00"' in section
    assert "Reset to defaults (role agent)" in section


def _form(csrf: str, *cells: str, **fields: str) -> list[tuple[str, str]]:
    return [("csrf_token", csrf), *(("cell", c) for c in cells), *fields.items()]


def _encoded(fields: list[tuple[str, str]]) -> bytes:
    """A form with a field given many times (`cell`), as a browser sends it."""
    return urlencode(fields).encode()


async def test_preferences_are_saved_whole_with_the_locked_cells() -> None:
    async with fake_notifications() as fake, console(fake.url) as browser:
        csrf = csrf_token_in((await browser.get("/profile")).text)
        cells = ("incident_commented:watched:email", "incident_commented:mine:telegram")
        fields = {"quiet_enabled": "on", "quiet_start": "23:00", "quiet_end": "07:30"}
        fields |= {"timezone": "Asia/Yekaterinburg", "daily_summary": "on"}
        saved = await browser.post(
            "/profile/notifications",
            content=_encoded(_form(csrf, *cells, **fields)),
            headers=htmx() | {"content-type": "application/x-www-form-urlencoded"},
        )
    assert saved.status_code == 200, saved.text
    assert "Настройки уведомлений сохранены." in saved.text
    put = next(s for s in fake.seen if s[0] == "PUT")
    body = json.loads(put[3])
    assert body["matrix"] == {
        "incident_assigned": {"mine": ["in_app"], "watched": ["in_app"]},
        "incident_commented": {"mine": ["telegram"], "watched": ["email"]},
        "mentioned": {"mine": ["in_app"], "watched": ["in_app"]},
    }, "every cell, the locked ones on, the others as checked"
    assert body["quiet_hours"] == {"enabled": True, "start": "23:00", "end": "07:30"}
    assert (body["timezone"], body["daily_summary"]) == ("Asia/Yekaterinburg", True)
    assert 'value="Asia/Yekaterinburg" selected' in saved.text


async def test_a_refused_time_is_shown_by_its_field_as_sent() -> None:
    async with fake_notifications() as fake, console(fake.url) as browser:
        csrf = csrf_token_in((await browser.get("/profile")).text)
        form = _form(
            csrf,
            "incident_commented:watched:email",
            quiet_start="25:00",
            quiet_end="07:00",
            timezone="Europe/Moscow",
        )
        refused = await browser.post(
            "/profile/notifications",
            content=_encoded(form),
            headers=htmx() | {"content-type": "application/x-www-form-urlencoded"},
        )
        plain = await browser.post(
            "/profile/notifications",
            content=_encoded(form),
            headers={"Origin": WEB_URL, "content-type": "application/x-www-form-urlencoded"},
        )
    assert refused.status_code == 422
    assert refused.text.startswith('<section class="panel prefs" id="notifications"')
    assert 'id="f-quiet_start" name="quiet_start" value="25:00" aria-invalid="true"' in (
        refused.text
    )
    assert '<p class="field-error" id="f-quiet_start-error">не время (ЧЧ:ММ)</p>' in refused.text
    assert re.search(r'id="pref-incident_commented-watched-email"[^>]* checked>', refused.text)
    assert fake.preferences["quiet_hours"]["start"] == "22:00", "nothing saved"
    assert plain.status_code == 422
    assert "<html" in plain.text, "without JavaScript: a page of its own"
    assert "не время (ЧЧ:ММ)" in plain.text


async def test_a_refused_cell_is_named_in_words_and_reset_restores_defaults() -> None:
    async with fake_notifications() as fake, console(fake.url) as browser:
        csrf = csrf_token_in((await browser.get("/profile")).text)
        fake.preferences["locked"] = {}  # the page offers it; the service refuses it
        refused = await browser.post(
            "/profile/notifications",
            content=_encoded(
                _form(csrf, quiet_start="22:00", quiet_end="08:00", timezone="Europe/Moscow")
            ),
            headers=htmx() | {"content-type": "application/x-www-form-urlencoded"},
        )
        fake.preferences["daily_summary"] = True
        reset = await browser.post("/profile/notifications/reset", headers=htmx(csrf))
    assert refused.status_code == 422
    assert "<li>Событие incident_assigned — Область mine: нельзя отключить</li>" in refused.text
    assert reset.status_code == 200
    assert "DELETE /api/v1/preferences" in fake.calls()
    assert "Восстановлены настройки по умолчанию." in reset.text
    assert 'id="f-daily_summary" name="daily_summary" value="on">' in reset.text


async def test_watching_an_incident_and_stopping() -> None:
    async with fake_notifications() as fake, console(fake.url) as browser:
        csrf = csrf_token_in((await browser.get("/profile")).text)
        path = f"/watching/incident/{INCIDENT_ID}"
        started = await browser.post(
            path, data={"key": "INC-000123", "action": "watch"}, headers=htmx(csrf)
        )
        stopped = await browser.post(
            path,
            data={"key": "INC-000123", "action": "unwatch", "csrf_token": csrf},
            headers={"Origin": WEB_URL},
        )
        odd = await browser.post(path, data={"key": "x/../y"}, headers=htmx(csrf))
    assert started.status_code == 200
    assert '<div class="watch" id="watch">' in started.text
    assert 'aria-pressed="true">Не следить</button>' in started.text
    assert "Следят: 1" in started.text
    assert 'title="agent1"' in started.text
    assert f"PUT /api/v1/watch/incident/{INCIDENT_ID}" in fake.calls()
    assert (stopped.status_code, stopped.headers["location"]) == (303, "/incidents/INC-000123")
    assert f"DELETE /api/v1/watch/incident/{INCIDENT_ID}" in fake.calls()
    assert fake.watchers[f"incident/{INCIDENT_ID}"] == {}
    assert odd.status_code == 404
