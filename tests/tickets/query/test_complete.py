"""Completion: what may come at the cursor."""

from __future__ import annotations

from servicedesk.tickets.query import FIELDS, Suggestion, Vocabulary, complete

INCIDENTS = Vocabulary.default("incident")
PROBLEMS = Vocabulary.default("problem")


def at_end(text: str, entity: str = "incident") -> list[Suggestion]:
    vocabulary = INCIDENTS if entity == "incident" else PROBLEMS
    return complete(text, len(text), entity, vocabulary)  # type: ignore[arg-type]


def texts(suggestions: list[Suggestion], kind: str | None = None) -> list[str]:
    return [s.text for s in suggestions if kind is None or s.kind == kind]


def test_fields_at_the_start() -> None:
    found = at_end("")
    assert texts(found, "field") == list(FIELDS["incident"])
    assert texts(found, "keyword") == ["not", "order by", "group by"]
    assert "impact" not in texts(at_end("", "problem"), "field")
    status = next(s for s in found if s.text == "status")
    assert (status.start, status.end, status.label) == (0, 0, "the workflow state")


def test_the_word_being_typed_is_replaced() -> None:
    found = at_end("status = new and pri")
    assert texts(found) == ["priority"]
    assert (found[0].start, found[0].end) == (17, 20)


def test_fields_after_and_or_not_parenthesis() -> None:
    for prefix in ("status = new and ", "status = new or ", "not ", "(", "status = new and ("):
        assert "assignee" in texts(at_end(prefix), "field"), prefix


def test_operators_after_a_field() -> None:
    assert texts(at_end("status ")) == ["=", "!=", "in", "not in"]
    assert texts(at_end("priority ")) == ["=", "!=", "<", "<=", ">", ">=", "in", "not in"]
    assert "is empty" in texts(at_end("assignee "))
    assert texts(at_end("text ")) == ["~"]
    assert texts(at_end("status !")) == ["!="]
    assert texts(at_end("assignee not ")) == ["in"]
    assert texts(at_end("assignee is ")) == ["empty", "not empty"]


def test_enum_values_after_an_operator() -> None:
    found = at_end("status = ")
    assert texts(found) == ["new", "in_progress", "waiting_for_reporter", "resolved", "closed"]
    assert found[1].label == "In progress / В работе"
    assert texts(at_end("priority >= ")) == ["critical", "high", "medium", "low"]
    assert texts(at_end("impact = h")) == ["high"]
    assert texts(at_end("category = ")) == ["access", "hardware", "software", "network",
                                            "billing", "other"]  # fmt: skip
    assert texts(at_end("channel in (web, ")) == ["web", "telegram", "esb", "sms", "email", "api"]
    assert texts(at_end("status = ", "problem"))[:2] == ["open", "investigating"]


def test_values_match_labels_in_either_language() -> None:
    assert texts(at_end('status = "В ра')) == ["in_progress"]
    assert texts(at_end('status = "in pr')) == ["in_progress"]
    assert texts(at_end("category = Обор")) == ["hardware"]


def test_users_groups_and_functions() -> None:
    found = at_end("assignee = iv")
    assert [(s.kind, s.text) for s in found] == [("user", "iv")]
    assert [(s.kind, s.text) for s in at_end("reporter = ")] == [
        ("user", ""),
        ("function", "me()"),
    ]
    assert [(s.kind, s.text) for s in at_end("group in ")] == [
        ("keyword", "("),
        ("group", ""),
        ("function", "my_groups()"),
    ]
    assert texts(at_end("created > "), "function") == ["now()"]
    assert texts(at_end("sla_breached = ")) == ["true", "false"]


def test_keywords_after_a_complete_comparison() -> None:
    assert texts(at_end("status = new ")) == ["and", "or", "order by", "group by"]
    assert texts(at_end("(status = new ")) == ["and", "or", ")"]
    assert texts(at_end("status = new o")) == ["or", "order by"]
    assert texts(at_end("status = new order ")) == ["order by"]
    assert texts(at_end("status = new order b")) == ["order by"]


def test_order_by_and_group_by_offer_their_fields() -> None:
    ordering = texts(at_end("status = new order by "), "field")
    assert "created" in ordering
    assert "text" not in ordering
    assert texts(at_end("order by created ")) == ["asc", "desc", ",", "group by"]
    assert texts(at_end("group by ")) == [
        "status", "priority", "category", "assignee", "client", "impact", "urgency",
        "group", "channel",
    ]  # fmt: skip


def test_cursor_in_the_middle_and_broken_text() -> None:
    text = "status = new and priority = high"
    assert texts(complete(text, 3, "incident", INCIDENTS)) == ["status"]
    assert at_end("status = = ") == []
    assert at_end("(((") != []
    assert complete("x", 99, "incident", INCIDENTS) == []
    assert complete("status = ", -5, "incident", INCIDENTS)[0].text == "key"


def test_suggestions_are_json() -> None:
    assert at_end("prio")[0].model_dump() == {
        "kind": "field",
        "text": "priority",
        "label": "the priority",
        "start": 0,
        "end": 4,
    }
