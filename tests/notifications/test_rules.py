"""The notification rules as pure functions: recipients and scopes, preferences, quiet hours
(the clock is a parameter), digests, texts in both languages, SMS fitting, unsubscribe tokens."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from servicedesk.notifications.catalogue import Channel, Kind, Scope
from servicedesk.notifications.decide.changes import Change, Item, mentions_in
from servicedesk.notifications.decide.preferences import Preferences
from servicedesk.notifications.decide.recipients import recipients
from servicedesk.notifications.decide.schedule import digest_due, quiet_until, slot
from servicedesk.notifications.deliver import sms
from servicedesk.notifications.deliver.tokens import read_unsubscribe_token, unsubscribe_token
from servicedesk.notifications.people import People, Person
from servicedesk.notifications.policy import PolicyError, load_policy, parse_matrix
from servicedesk.notifications.settings import POLICY_FILE
from servicedesk.notifications.texts import RenderError, text, words

GROUP = "g-first"
AGENT1 = Person(
    "u1",
    "agent1",
    "Agent One",
    "agent1@example.com",
    "en",
    frozenset({"agent"}),
    frozenset({GROUP}),
    ("/first-line",),
)
AGENT2 = Person(
    "u2",
    "agent2",
    "Agent Two",
    "agent2@example.com",
    "ru",
    frozenset({"agent"}),
    frozenset({"g-second"}),
    ("/second-line",),
)
BUDDY = Person(
    "u6",
    "agent3",
    "Agent Three",
    None,
    None,
    frozenset({"agent"}),
    frozenset({GROUP}),
    ("/first-line",),
)
SUPERVISOR = Person(
    "u3",
    "supervisor1",
    "Sue",
    "supervisor1@example.com",
    "en",
    frozenset({"supervisor", "agent"}),
    frozenset({"g-sup"}),
    ("/supervisors",),
)
REPORTER = Person(
    "u5",
    "reporter1",
    "Rita",
    "reporter1@example.com",
    "ru",
    frozenset({"reporter"}),
    frozenset({"g-rep"}),
    ("/reporters",),
)
PEOPLE = People.of(
    [AGENT1, AGENT2, BUDDY, SUPERVISOR, REPORTER],
    {GROUP: "/first-line", "g-second": "/second-line"},
)
POLICY = load_policy(POLICY_FILE)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _item(**fields: object) -> Item:
    base = Item(
        "incident",
        uuid.uuid4(),
        "INC-000042",
        "VPN is down",
        "new",
        "medium",
        assignee=None,
        group_id=GROUP,
        reporter_id=REPORTER.id,
        reporter_username=REPORTER.username,
        version=3,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def _change(kind: Kind, actor: str | None = "agent2", **fields: object) -> Change:
    item = fields.pop("item", None) or _item()
    return Change(uuid.uuid4(), NOW, actor, item, kind, **fields)  # type: ignore[arg-type]


def _defaults(person: Person) -> Preferences:
    return Preferences(POLICY.defaults_for(person.main_role))


def _who(change: Change, watchers: set[str] | None = None) -> dict[str, tuple[Kind, set[str]]]:
    found = recipients(change, PEOPLE, watchers or set(), _defaults, POLICY.escalation)
    return {r.person.username: (r.kind, {c.value for c in r.channels}) for r in found}


def test_assignment_tells_the_assignee_at_once_in_app_and_by_mail_and_not_the_actor() -> None:
    change = _change(
        Kind.INCIDENT_UPDATED,
        actor="agent2",
        item=_item(assignee="agent1"),
        assigned_to="agent1",
        params={"changed": ["assignee_username"]},
    )
    told = _who(change, watchers={AGENT2.id})
    assert told["agent1"] == (Kind.INCIDENT_ASSIGNED, {"in_app", "email"})
    assert "agent2" not in told  # the actor, though watching


def test_unassigned_group_incident_reaches_the_group_members_only() -> None:
    change = _change(Kind.INCIDENT_CREATED, actor="reporter1", to_group=True)
    told = _who(change)
    assert told["agent1"][0] == Kind.INCIDENT_ASSIGNED
    assert told["agent3"][0] == Kind.INCIDENT_ASSIGNED
    assert "agent2" not in told


def test_internal_notes_never_reach_the_reporter_public_comments_do() -> None:
    note = _change(Kind.INCIDENT_COMMENTED, internal=True, params={"visibility": "internal"})
    assert "reporter1" not in _who(note)
    public = _change(Kind.INCIDENT_COMMENTED, params={"visibility": "public"})
    assert _who(public)["reporter1"] == (Kind.INCIDENT_COMMENTED, {"in_app", "email"})


def test_a_mention_wins_over_the_comment_and_is_immediate() -> None:
    change = _change(Kind.INCIDENT_COMMENTED, mentions=mentions_in("ask @supervisor1, please"))
    kind, channels = _who(change)["supervisor1"]
    assert kind == Kind.MENTIONED
    assert channels == {"in_app", "email"}
    prefs = _defaults(SUPERVISOR)
    assert not slot(Kind.MENTIONED, Channel.EMAIL, "low", prefs, NOW, 180).digest


def test_mentions_are_usernames_not_mail_addresses() -> None:
    assert mentions_in("@agent1 and @agent.two; mail agent3@example.com") == {
        "agent1",
        "agent.two",
    }


def test_sla_breach_escalates_to_supervisors_by_the_policy_of_its_priority() -> None:
    change = _change(
        Kind.SLA_BREACHED,
        actor=None,
        sla_breach=True,
        item=_item(assignee="agent1", priority="critical"),
    )
    told = _who(change)
    assert told["supervisor1"] == (Kind.SLA_BREACHED, {"in_app", "email", "telegram"})
    assert told["agent1"] == (Kind.SLA_BREACHED, {"in_app", "email"})


def test_reporters_do_not_hear_of_problems_or_other_peoples_incidents() -> None:
    problem = _change(Kind.PROBLEM_CREATED, item=_item(aggregate_type="problem", key="PRB-000001"))
    assert "reporter1" not in _who(problem)
    other = _change(Kind.INCIDENT_STATUS_CHANGED, item=_item(reporter_id="someone-else"))
    assert "reporter1" not in _who(other)


def test_preferences_without_any_channel_tell_nobody() -> None:
    silent = Preferences(parse_matrix({}, "matrix"))
    change = _change(Kind.INCIDENT_STATUS_CHANGED, item=_item(assignee="agent1"))
    found = recipients(change, PEOPLE, set(), lambda p: silent, POLICY.escalation)
    assert all(not r.channels for r in found)


def test_quiet_hours_hold_until_morning_in_the_persons_zone_and_critical_passes() -> None:
    prefs = Preferences(
        {}, quiet_enabled=True, quiet_start=time(22), quiet_end=time(8), timezone="Europe/Moscow"
    )
    late = datetime(2026, 12, 3, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    until = quiet_until(prefs, late)
    assert until == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)  # 08:00 in Moscow
    held = slot(Kind.INCIDENT_STATUS_CHANGED, Channel.TELEGRAM, "medium", prefs, late, 180)
    assert held.held_until == until
    assert held.due_at == until
    critical = slot(Kind.INCIDENT_STATUS_CHANGED, Channel.TELEGRAM, "critical", prefs, late, 180)
    assert critical.held_until is None
    assert critical.due_at == late
    breach = slot(Kind.SLA_BREACHED, Channel.EMAIL, "low", prefs, late, 180)
    assert breach.held_until is None
    assert quiet_until(prefs, datetime(2026, 12, 3, 9, 0, tzinfo=UTC)) is None  # 12:00 there


def test_quiet_hours_within_one_day_and_after_midnight() -> None:
    prefs = Preferences(
        {}, quiet_enabled=True, quiet_start=time(13), quiet_end=time(14), timezone="UTC"
    )
    assert quiet_until(prefs, NOW.replace(hour=13, minute=30)) == NOW.replace(hour=14)
    overnight = replace(prefs, quiet_start=time(22), quiet_end=time(8))
    assert quiet_until(overnight, NOW.replace(hour=3)) == NOW.replace(hour=8)


def test_digest_waits_for_a_quiet_spell_but_never_longer_than_the_maximum() -> None:
    first = NOW
    assert digest_due(first, NOW, 180, 600) == NOW + timedelta(seconds=180)
    later = NOW + timedelta(seconds=500)
    assert digest_due(first, later, 180, 600) == first + timedelta(seconds=600)


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_renders_in_both_languages(kind: Kind, lang: str) -> None:
    params = {
        "key": "INC-000042",
        "title": "VPN",
        "status": "in_progress",
        "priority": "high",
        "assignee": None,
        "actor": "Agent Two",
        "changed": ["title"],
        "from_status": "new",
        "to_status": "in_progress",
        "resolution": "",
        "excerpt": "text",
        "visibility": "public",
        "targets": ["resolution"],
        "due_at": NOW.isoformat(),
        "closed_incidents": 2,
        "to_group": False,
        "escalated": False,
    }
    said = words(kind, lang, params, "Europe/Moscow")
    assert "INC-000042" in said.title
    assert "{" not in said.title + said.body


def test_a_template_missing_a_parameter_fails_loudly() -> None:
    with pytest.raises(RenderError):
        text("en", "notifications.title.incident_assigned", key="INC-1")


def test_sms_fits_two_segments_of_its_alphabet() -> None:
    latin = sms.fit("x" * 400)
    assert len(latin) == 306
    assert latin.endswith("...")
    cyrillic = sms.fit("я" * 400)
    assert len(cyrillic) == 134
    assert cyrillic.endswith("…")
    assert sms.fit("short") == "short"


def test_unsubscribe_tokens_are_signed() -> None:
    token = unsubscribe_token("secret", "u1", Kind.INCIDENT_COMMENTED)
    assert read_unsubscribe_token("secret", token) == ("u1", Kind.INCIDENT_COMMENTED)
    assert read_unsubscribe_token("other", token) is None
    assert read_unsubscribe_token("secret", token[:-2] + "xx") is None
    assert read_unsubscribe_token("secret", "garbage") is None


def test_the_policy_file_loads_and_bad_names_are_refused() -> None:
    assert Channel.IN_APP in POLICY.defaults_for("reporter")[Kind.MENTIONED][Scope.WATCHED]
    with pytest.raises(PolicyError, match="incident_exploded"):
        parse_matrix({"incident_exploded": {}}, "defaults.agent")
    with pytest.raises(PolicyError, match="pigeon"):
        parse_matrix({"mentioned": {"mine": ["pigeon"]}}, "defaults.agent")
