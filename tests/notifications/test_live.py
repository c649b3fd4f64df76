"""Notifications on the live stack: assignments heard live (SSE), Telegram by preference, mail
digests threaded, mentions at once, SLA breaches escalated, watching, and the API's answers to
bad input and to each role."""

from __future__ import annotations

import asyncio
import email.utils
from typing import Any

import asyncpg
import httpx
import pytest

from servicedesk.ops.provision import admin_dsn
from tests.channels.telegram_person import TelegramPerson
from tests.notifications.conftest import Desk, eventually
from tests.notifications.stream_reader import open_stream
from tests.support.isolation import MAIL_TAG, TEST_DATABASE
from tests.support.live_web import LiveStack
from tests.support.mailbox import Mailbox
from tests.tickets.factories import subject_of, unique

INCIDENTS = "/api/v1/incidents"


async def _incident(desk: Desk, who: str = "agent2", **fields: Any) -> dict[str, Any]:
    body = {"title": unique("Notified"), "description": "It broke.", "category": "software"}
    response = await desk.tickets("POST", INCIDENTS, who, json={**body, **fields})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _assign(
    desk: Desk, incident: dict[str, Any], to: str, by: str = "agent2"
) -> dict[str, Any]:
    assignee = await subject_of(desk.tokens, to)
    response = await desk.tickets(
        "PATCH",
        f"{INCIDENTS}/{incident['id']}",
        by,
        json={"assignee": assignee},
        headers={"If-Match": f'"{incident["version"]}"'},
    )
    assert response.status_code == 200, response.text
    updated: dict[str, Any] = response.json()
    return updated


async def _comment(desk: Desk, incident: dict[str, Any], body: str, by: str = "agent2") -> None:
    response = await desk.tickets(
        "POST", f"{INCIDENTS}/{incident['id']}/comments", by, json={"body": body}
    )
    assert response.status_code == 201, response.text


def _mailbox(username: str) -> Mailbox:
    return Mailbox(f"{username}+{MAIL_TAG}@example.com")


async def _mail_about(
    username: str,
    key: str,
    timeout_s: float,
    predicate: Any = lambda _: True,
    *,
    in_text: bool = False,
) -> Any:
    """The first mail to the person about `key` (its own, or one naming it in its text: a
    summary of many items) that satisfies `predicate`."""
    box = _mailbox(username)
    criteria = ("TEXT", key) if in_text else ("HEADER", "X-Servicedesk-Item", key)
    return await asyncio.to_thread(box.wait_for, predicate, timeout_s, *criteria)


async def test_an_assignment_reaches_the_assignees_open_console_within_two_seconds(
    desk: Desk, live_stack: LiveStack
) -> None:
    incident = await _incident(desk)
    url = f"{live_stack.notifications_url}/api/v1/stream"
    async with open_stream(url, await desk.headers("agent1")) as stream:
        await _assign(desk, incident, "agent1")
        heard = await stream.wait_for(
            "notification", lambda d: d["key"] == incident["key"], timeout_s=2
        )
        changed = await stream.wait_for(
            "changed", lambda d: d["key"] == incident["key"], timeout_s=2
        )
    note = heard.json()
    assert note["kind"] == "incident_assigned"
    assert note["unread"] >= 1
    assert heard.id == str(note["id"])
    assert note["link"] == f"/incidents/{incident['key']}"
    assert changed.json()["actor"] == "agent2"
    assert incident["key"] in note["title"]
    # agent2 made the change: nothing for them about it
    mine = [n for n in await desk.notifications_of("agent2") if n["key"] == incident["key"]]
    assert mine == []


async def test_a_reconnecting_console_gets_what_it_missed_by_last_event_id(
    desk: Desk, live_stack: LiveStack
) -> None:
    before = await desk.notifications_of("agent1")
    last = str(before[0]["id"]) if before else "0"
    incident = await _incident(desk)
    await _assign(desk, incident, "agent1")
    await desk.about("agent1", incident["key"])
    url = f"{live_stack.notifications_url}/api/v1/stream"
    async with open_stream(url, await desk.headers("agent1"), last_event_id=last) as stream:
        replayed = await stream.wait_for(
            "notification", lambda d: d["key"] == incident["key"], timeout_s=2
        )
    assert int(replayed.id or 0) > int(last)


async def test_mark_read_and_read_all_update_the_count(desk: Desk) -> None:
    incident = await _incident(desk)
    await _assign(desk, incident, "agent1")
    [note] = await desk.about("agent1", incident["key"])
    read = await desk.notes("POST", f"/api/v1/notifications/{note['id']}/read", "agent1")
    assert read.status_code == 204
    again = await desk.notifications_of("agent1")
    assert next(n for n in again if n["id"] == note["id"])["read_at"] is not None
    others = await desk.notes("POST", f"/api/v1/notifications/{note['id']}/read", "agent2")
    assert others.status_code == 404  # not theirs
    everything = await desk.notes("POST", "/api/v1/notifications/read-all", "agent1")
    assert everything.json() == {"unread": 0}
    count = await desk.notes("GET", "/api/v1/notifications/unread", "agent1")
    assert count.json() == {"unread": 0}


async def test_telegram_for_assignments_reaches_the_persons_chat(
    desk: Desk, live_stack: LiveStack
) -> None:
    async with httpx.AsyncClient(base_url=live_stack.telegram_fake_url, timeout=10) as fake:
        person = TelegramPerson(fake, live_stack.telegram_bot_id, "Agent One")
        link = await desk.http.post(
            f"{live_stack.channels_url}/api/v1/telegram/links",
            headers=await desk.headers("agent1"),
        )
        assert link.status_code == 201, link.text
        await person.write(f"/start {link.json()['token']}")
        await person.bot_says(".")
        matrix = {"incident_assigned": {"mine": ["in_app", "telegram"]}}
        saved = await desk.notes("PUT", "/api/v1/preferences", "agent1", json={"matrix": matrix})
        assert saved.status_code == 200, saved.text
        incident = await _incident(desk)
        await _assign(desk, incident, "agent1")
        said = await person.bot_says(incident["key"], timeout_s=15)
    assert f"/incidents/{incident['key']}" in said["text"]
    [note] = await desk.about("agent1", incident["key"])

    async def delivered() -> list[tuple[str, str]] | None:
        path = f"/api/v1/notifications/{note['id']}/deliveries"
        log = (await desk.notes("GET", path, "agent1")).json()
        found = [(d["channel"], d["status"]) for d in log]
        return found if ("telegram", "sent") in found else None

    assert await eventually(delivered, 10, "the delivery log says sent") == [("telegram", "sent")]


async def test_five_quick_updates_make_one_threaded_digest_mail(desk: Desk) -> None:
    # mail of agent1's own incidents only: other tests' breaches and watched incidents would
    # make agent1 "flooded", and a flooded person's mail is folded into one summary
    matrix = {
        "incident_assigned": {"mine": ["in_app", "email"]},
        "incident_commented": {"mine": ["in_app", "email"]},
    }
    saved = await desk.notes("PUT", "/api/v1/preferences", "agent1", json={"matrix": matrix})
    assert saved.status_code == 200, saved.text
    incident = await _incident(desk)
    key = incident["key"]
    await _assign(desk, incident, "agent1")
    first = await _mail_about("agent1", key, 20)
    for n in range(5):
        await _comment(desk, incident, f"Update number {n + 1}")
    mail = await _mail_about("agent1", key, 40, lambda m: m["Message-ID"] != first["Message-ID"])
    await asyncio.sleep(4)  # a second digest would have come by now
    about = _mailbox("agent1").messages("HEADER", "X-Servicedesk-Item", key)
    assert len(about) == 2, [m["Subject"] for m in about]
    assert "5" in mail["Subject"]
    assert mail["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in mail["References"]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    for n in range(5):
        assert f"Update number {n + 1}" in text
        assert f"Update number {n + 1}" in html
    assert email.utils.parseaddr(mail["To"])[1] == f"agent1+{MAIL_TAG}@example.com"


async def test_a_mention_tells_the_mentioned_at_once(desk: Desk) -> None:
    incident = await _incident(desk)
    await _comment(desk, incident, "@supervisor1 could you look at this?")
    [note] = await desk.about("supervisor1", incident["key"])
    assert note["kind"] == "mentioned"
    mail = await _mail_about("supervisor1", incident["key"], 15)
    assert "could you look" in mail.get_body(preferencelist=("plain",)).get_content()


async def _make_overdue(incident_id: str) -> None:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        await connection.execute(
            "update tickets.incidents set response_due_at = now() - interval '1 minute'"
            " where id = $1",
            incident_id,
        )
    finally:
        await connection.close()


async def test_an_sla_breach_escalates_to_the_supervisor_in_app_by_mail_and_on_the_incident(
    desk: Desk,
) -> None:
    incident = await _incident(desk, impact="high", urgency="high")
    assert incident["priority"] == "critical"
    incident = await _assign(desk, incident, "agent1")
    await _make_overdue(incident["id"])
    notes = await desk.about("supervisor1", incident["key"], timeout_s=30)
    breach = next(n for n in notes if n["kind"] == "sla_breached")
    assert "escalated" in breach["title"] or "эскалация" in breach["title"]
    mail = await _mail_about("supervisor1", incident["key"], 20, in_text=True)
    assert "SLA" in mail.get_body(preferencelist=("plain",)).get_content()

    async def escalation_note() -> list[dict[str, Any]] | None:
        response = await desk.tickets("GET", f"{INCIDENTS}/{incident['id']}/comments", "agent1")
        found = [c for c in response.json() if "supervisor1" in c["body"]]
        return found or None

    [note] = await eventually(escalation_note, 20, "the escalation note on the incident")
    assert note["visibility"] == "internal"
    await asyncio.sleep(2)  # time for the note's own event to be decided
    assignee = await desk.about("agent1", incident["key"])
    kinds = [n["kind"] for n in assignee]
    assert "sla_breached" in kinds
    assert "incident_commented" not in kinds, "the escalation note is no second notification"


async def test_watching_brings_news_and_unwatching_stops_it(desk: Desk) -> None:
    incident = await _incident(desk, who="agent1")
    path = f"/api/v1/watch/incident/{incident['id']}"
    watched = await desk.notes("PUT", path, "supervisor1")
    assert watched.status_code == 200
    assert watched.json()["watching"] is True

    async def both() -> set[str] | None:
        answer = await desk.notes("GET", path, "supervisor1")
        names = {w["username"] for w in answer.json()["watchers"]}
        return names if {"agent1", "supervisor1"} <= names else None

    await eventually(both, 10, "the creator watches too (once the event is decided)")
    await _comment(desk, incident, "first news", by="agent2")
    notes = await desk.about("supervisor1", incident["key"])
    assert notes[0]["kind"] == "incident_commented"
    assert (await desk.notes("DELETE", path, "supervisor1")).json()["watching"] is False
    await _comment(desk, incident, "second news", by="agent2")
    await desk.about("agent1", incident["key"])  # the creator watches and hears it
    await asyncio.sleep(1)
    after = [n for n in await desk.notifications_of("supervisor1") if n["key"] == incident["key"]]
    assert len(after) == 1


async def test_nobody_watches_what_they_may_not_see(desk: Desk) -> None:
    incident = await _incident(desk)
    response = await desk.notes("PUT", f"/api/v1/watch/incident/{incident['id']}", "reporter1")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"matrix": {"incident_exploded": {"mine": ["in_app"]}}}, "matrix.incident_exploded"),
        ({"matrix": {"mentioned": {"mine": ["pigeon"]}}}, "matrix.mentioned.mine.pigeon"),
        ({"matrix": {"mentioned": {"everywhere": []}}}, "matrix.mentioned.everywhere"),
        ({"matrix": {"mentioned": {"mine": ["email"]}}}, "matrix.mentioned.mine.in_app"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"quiet_hours": {"enabled": True, "start": "25:00", "end": "08:00"}}, "start"),
        ({"email_off": ["nonsense"]}, "email_off"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_preferences_get_a_422_naming_the_field(
    desk: Desk, body: dict[str, Any], field: str
) -> None:
    response = await desk.notes("PUT", "/api/v1/preferences", "agent1", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


async def test_preferences_round_trip_and_reset_to_the_roles_defaults(desk: Desk) -> None:
    defaults = (await desk.notes("GET", "/api/v1/preferences", "agent1")).json()
    assert defaults["role"] == "agent"
    assert defaults["custom"] is False
    assert defaults["locked"] == {"incident_assigned": ["in_app"], "mentioned": ["in_app"]}
    body = {
        "matrix": {"incident_commented": {"watched": ["sms"]}},
        "quiet_hours": {"enabled": True, "start": "21:30", "end": "07:15"},
        "timezone": "Asia/Yekaterinburg",
        "daily_summary": True,
    }
    saved = (await desk.notes("PUT", "/api/v1/preferences", "agent1", json=body)).json()
    assert saved["matrix"]["incident_commented"] == {"watched": ["sms"]}
    assert saved["matrix"]["mentioned"]["mine"] == ["in_app"]  # locked cells stay on
    assert saved["quiet_hours"] == body["quiet_hours"]
    assert saved["custom"] is True
    assert saved["timezone"] == "Asia/Yekaterinburg"
    assert saved["daily_summary"] is True
    reset = (await desk.notes("DELETE", "/api/v1/preferences", "agent1")).json()
    assert reset == defaults


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("service:tickets", 403), ("reporter1", 200)]
)
async def test_who_may_read_notifications(desk: Desk, who: str | None, status: int) -> None:
    from tests.tickets.factories import headers_of

    headers = await headers_of(desk.tokens, who)
    response = await desk.http.get(
        f"{desk.stack.notifications_url}/api/v1/notifications", headers=headers
    )
    assert response.status_code == status, response.text


async def test_a_reporters_stream_hears_of_their_own_incidents_only(
    desk: Desk, live_stack: LiveStack
) -> None:
    url = f"{live_stack.notifications_url}/api/v1/stream"
    async with open_stream(url, await desk.headers("reporter1")) as stream:
        others = await _incident(desk)
        await _comment(desk, others, "not for reporters' eyes")
        own = await _incident(desk, who="reporter1")
        await _comment(desk, own, "we are on it")
        await stream.wait_for("changed", lambda d: d["key"] == own["key"], timeout_s=5)
        heard = await stream.wait_for("notification", lambda d: d["key"] == own["key"], timeout_s=5)
    assert heard.json()["kind"] == "incident_commented"
    assert not [e for e in stream.events if others["key"] in e.data]
    assert all("reporter_id" not in e.data for e in stream.events)
