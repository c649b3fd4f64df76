"""Boards, clients and orders pages: the console in-process, the real services behind it.

Boards: the list, a kanban's columns and cards, moves by the card's form (a transition, a
refusal with its reason, the fields a transition needs), the create form and who may share
with which group. Clients: the union list, search, create, edit with If-Match (a stale edit,
a legacy-only client moved in). Orders: list, search, create for a client. A reporter reaches
none of them; names and titles are escaped.
"""

from __future__ import annotations

import html
import random
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.legacy.conftest import wait_for_standby
from tests.support.infra import admin_connection
from tests.support.live_web import LiveStack
from tests.support.tokens import TokenShop, bearer
from tests.web.browsing import csrf_token_in, sign_in

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
WORKFLOW = ["new", "in_progress", "waiting_for_reporter", "resolved", "closed"]


# --- helpers --------------------------------------------------------------------------------


async def _tickets(live_stack: LiveStack, tokens: TokenShop, username: str = "agent1") -> Any:
    client = httpx.AsyncClient(base_url=live_stack.tickets_url, timeout=30)
    client.headers.update(bearer(await tokens.access(username)))
    return client


async def _incident_of_agent1(live_stack: LiveStack, tokens: TokenShop, title: str) -> str:
    async with await _tickets(live_stack, tokens) as tickets:
        users = await tickets.get("/api/v1/directory/users", params={"q": "agent1"})
        agent1 = next(u for u in users.json() if u["username"] == "agent1")
        created = await tickets.post(
            "/api/v1/incidents",
            json={
                "title": title,
                "description": "Made by the record pages' tests.",
                "category": "software",
                "impact": "high",
                "urgency": "high",
                "assignee": agent1["id"],
            },
        )
    assert created.status_code == 201, created.text
    return str(created.json()["key"])


async def _incident(live_stack: LiveStack, tokens: TokenShop, key: str) -> dict[str, Any]:
    async with await _tickets(live_stack, tokens) as tickets:
        found = await tickets.get(f"/api/v1/incidents/{key}")
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


async def _my_work(browser: httpx.AsyncClient) -> tuple[str, str]:
    """The id of the user's "My work" board and the boards page."""
    listing = await browser.get("/boards?lang=ru")
    assert listing.status_code == 200, listing.text
    found = re.search(rf'<a href="/boards/({UUID})">Моя работа</a>', listing.text)
    assert found, "no My work board"
    return found.group(1), listing.text


def _text(page: httpx.Response) -> str:
    return html.unescape(page.text)


def _unique(prefix: str) -> str:
    return prefix + "".join(random.choices("абвгдежзиклмнопрст", k=8))


# --- boards ---------------------------------------------------------------------------------


async def test_the_boards_page_lists_my_work_and_a_board_shows_its_columns(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, "agent1")
    board_id, listing = await _my_work(browser)
    assert 'aria-current="page">Доски<' in listing  # the navigation knows where we are
    assert 'id="new-board"' in listing

    page = await browser.get(f"/boards/{board_id}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    columns = re.findall(r'<ol class="board-cards" data-column="([a-z_]+)"', page.text)
    assert columns == WORKFLOW
    assert re.search(r"<h2 [^>]*>\s*<span>В работе</span>", page.text)
    assert '<script src="/static/vendor/Sortable.min.js?v=' in page.text
    assert '<script src="/static/boards.js?v=' in page.text
    assert '<link rel="stylesheet" href="/static/boards.css?v=' in page.text
    assert "<script>" not in page.text, "no inline scripts"
    assert 'role="status" aria-live="polite"' in page.text
    cards = re.findall(r'<li class="board-card [^"]*" id="card-([A-Z]+-\d+)"', page.text)
    forms = re.findall(
        rf'<form class="card-move" method="post" action="/boards/{board_id}/moves"', page.text
    )
    assert len(cards) == len(forms) > 0, "every card has its keyboard form"

    for path in ("/static/boards.js", "/static/boards.css"):
        assert (await browser.get(path)).status_code == 200


async def test_a_card_moves_by_its_form_and_a_refused_move_shows_why(
    browser: httpx.AsyncClient, live_stack: LiveStack, tokens: TokenShop
) -> None:
    key = await _incident_of_agent1(live_stack, tokens, f"Перемещение {uuid.uuid4().hex[:8]}")
    await sign_in(browser, "agent1")
    board_id, listing = await _my_work(browser)
    moves = f"/boards/{board_id}/moves"
    token = csrf_token_in(listing)

    def move(to: str, **fields: str) -> dict[str, str]:
        return {"csrf_token": token, "card": key, "to_column": to, **fields}

    before = await browser.get(f"/boards/{board_id}")
    assert f'data-card="{key}" data-column="new"' in before.text

    # A plain form post: the transition is made, the board says so.
    moved = await browser.post(moves, data=move("in_progress", from_column="new"))
    assert moved.status_code == 303, moved.text
    assert moved.headers["location"] == f"/boards/{board_id}?moved={key}&to=in_progress"
    after = await browser.get(moved.headers["location"])
    assert f"Карточка {key} перемещена в «В работе»." in _text(after)
    assert f'data-card="{key}" data-column="in_progress"' in after.text
    assert (await _incident(live_stack, tokens, key))["status"] == "in_progress"

    # No transition from in_progress to closed: 409, the reason, the card where it was.
    refused = await browser.post(moves, data=move("closed"))
    assert refused.status_code == 409
    assert "board-message--error" in refused.text
    text = _text(refused)
    assert f"Карточку {key} нельзя переместить туда" in text
    assert "в процессе нет перехода из «В работе» в «Закрыт»" in text
    assert f'data-card="{key}" data-column="in_progress"' in refused.text
    assert (await _incident(live_stack, tokens, key))["status"] == "in_progress"

    # boards.js (HX-Request) gets fragments: the refusal alone …
    part = await browser.post(moves, data=move("closed"), headers={"HX-Request": "true"})
    assert part.status_code == 409
    assert part.text.lstrip().startswith('<div class="move-result" data-outcome="refused">')
    assert "<html" not in part.text
    english = await browser.post(
        f"{moves}?lang=en", data=move("closed"), headers={"HX-Request": "true"}
    )
    assert 'the workflow has no transition from "In progress" to "Closed"' in _text(english)
    await browser.get("/boards?lang=ru")  # back to Russian (the choice is kept in a cookie)

    # … and a transition that needs a field (resolve: a resolution) asks for it.
    asked = await browser.post(moves, data=move("resolved"), headers={"HX-Request": "true"})
    assert asked.status_code == 422
    assert '<form class="move-fields"' in asked.text
    assert 'name="field_resolution"' in asked.text
    assert f"Чтобы переместить {key} в «Решён», заполните:" in _text(asked)
    plain = await browser.post(moves, data=move("resolved"))  # without JavaScript: a page
    assert plain.status_code == 422
    assert "<h1>" in plain.text
    assert 'name="field_resolution"' in plain.text

    done = await browser.post(
        moves,
        data=move("resolved", field_resolution="Перезапустили службу."),
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200, done.text
    assert 'data-outcome="moved"' in done.text
    assert f'data-card="{key}" data-column="resolved"' in done.text
    assert '<span class="status status--resolved">Решён</span>' in done.text
    incident = await _incident(live_stack, tokens, key)
    assert (incident["status"], incident["resolution"]) == ("resolved", "Перезапустили службу.")


async def test_a_board_is_created_from_the_form_with_its_errors_shown(
    browser: httpx.AsyncClient, live_stack: LiveStack, tokens: TokenShop
) -> None:
    await sign_in(browser, "agent1")
    _, listing = await _my_work(browser)
    token = csrf_token_in(listing)
    # agent1 shares only with their own group (first-line); admins see them all.
    select = re.search(r'<select id="f-scope_group".*?</select>', listing, re.S)
    assert select
    assert re.findall(r'<option value="([^"]*)"', select.group(0)) == ["", "first-line"]
    name = f"Доска <b>{uuid.uuid4().hex[:8]}</b>"
    form = {
        "csrf_token": token,
        "name": name,
        "kind": "kanban",
        "entity": "incident",
        "query": "status = (",
        "column_field": "status",
        "scope": "private",
    }

    bad = await browser.post("/boards", data=form)
    assert bad.status_code == 422
    assert 'id="f-query"' in bad.text
    assert re.search(r'<textarea id="f-query" name="query" rows="5" aria-invalid="true"', bad.text)

    not_mine = await browser.post(
        "/boards",
        data={**form, "query": "", "scope": "group", "scope_group": "second-line"},
    )
    assert not_mine.status_code == 422
    assert 'id="f-scope_group-error"' in not_mine.text

    made = await browser.post(
        "/boards", data={**form, "kind": "list", "query": "assignee = me() and status = new"}
    )
    assert made.status_code == 303, made.text
    location = made.headers["location"]
    assert re.fullmatch(rf"/boards/{UUID}", location)
    board = await browser.get(location)
    assert board.status_code == 200
    assert "&lt;b&gt;" in board.text
    assert "<b>" not in board.text
    assert '<table class="table">' in board.text or 'class="empty"' in board.text
    async with await _tickets(live_stack, tokens) as tickets:
        assert (await tickets.delete(f"/api/v1{location}")).status_code == 204


async def test_an_admin_may_share_a_board_with_any_group(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "admin1")
    page = await browser.get("/boards")
    select = re.search(r'<select id="f-scope_group".*?</select>', page.text, re.S)
    assert select
    offered = set(re.findall(r'<option value="([^"]+)"', select.group(0)))
    assert {"administrators", "first-line", "second-line", "supervisors"} <= offered


# --- clients --------------------------------------------------------------------------------


async def test_the_clients_list_pages_and_marks_its_records(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "agent1")
    first = await browser.get("/clients?lang=en")
    assert first.status_code == 200
    assert "<h1>Clients</h1>" in first.text
    marks = re.findall(r'class="badge badge--(ours|migrated|legacy)"', first.text)
    assert len(marks) == 25
    names = re.findall(r'<td><a href="/clients/[^"]+">([^<]+)</a></td>', first.text)
    assert len(names) == 25
    cursor = re.search(r'href="/clients\?cursor=([^"]+)" rel="next"', first.text)
    assert cursor
    second = await browser.get(f"/clients?cursor={cursor.group(1)}")
    assert second.status_code == 200
    more = re.findall(r'<td><a href="/clients/[^"]+">([^<]+)</a></td>', second.text)
    assert more
    assert not set(more) & set(names), "the next page goes on"
    assert 'href="/clients">First page</a>' in second.text


async def test_a_client_is_created_found_and_edited_with_if_match(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, "agent1")
    new = await browser.get("/clients/new")
    token = csrf_token_in(new.text)
    surname = _unique("Созданов")
    form = {"csrf_token": token, "display_name": "", "kind": "person", "email": "not-an-email"}

    # Field errors next to their fields, as a fragment for htmx and as a page without it.
    bad = await browser.post("/clients", data=form, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<form id="new-client"')
    assert 'id="f-display_name-error"' in bad.text
    assert 'id="f-email-error"' in bad.text
    assert (await browser.post("/clients", data=form)).status_code == 422

    made = await browser.post(
        "/clients", data={**form, "display_name": f"{surname} Пётр", "email": "petr@example.com"}
    )
    assert made.status_code == 303, made.text
    found = re.fullmatch(rf"/clients/({UUID})", made.headers["location"])
    assert found
    client_id = found.group(1)
    page = await browser.get(made.headers["location"])
    assert "Клиент создан." in page.text
    assert 'class="badge badge--ours"' in page.text
    assert "Клиент создан." not in (await browser.get(made.headers["location"])).text

    # The live search (htmx) finds it.
    results = await browser.get("/clients", params={"q": surname}, headers={"HX-Request": "true"})
    assert results.status_code == 200
    assert results.text.lstrip().startswith('<div id="client-results"')
    assert f'<a href="/clients/{client_id}">{surname} Пётр</a>' in results.text

    # An edit carries the version the form showed (If-Match).
    etag = re.search(r'name="etag" value="([^"]*)"', page.text)
    assert etag
    assert html.unescape(etag.group(1)) == '"1"'
    edit = {
        "csrf_token": token,
        "etag": html.unescape(etag.group(1)),
        "source": "ours",
        "display_name": f"{surname} Пётр",
        "kind": "person",
        "email": "petr@example.com",
        "phone": "+79161234567",
        "tax_id": "",
    }
    saved = await browser.post(f"/clients/{client_id}", data=edit)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/clients/{client_id}?saved=1"
    shown = await browser.get(saved.headers["location"])
    assert "Сохранено." in shown.text
    assert "+79161234567" in shown.text
    assert html.unescape(re.findall(r'name="etag" value="([^"]*)"', shown.text)[0]) == '"2"'

    # Sent again with the old version: 412, said plainly, and the current version shown.
    stale = await browser.post(f"/clients/{client_id}", data={**edit, "phone": "+79160000000"})
    assert stale.status_code == 412
    assert "изменил кто-то другой" in stale.text
    assert 'value="+79161234567"' in stale.text
    assert html.unescape(re.findall(r'name="etag" value="([^"]*)"', stale.text)[0]) == '"2"'

    # A value the clients service refuses is shown next to its field.
    wrong = await browser.post(
        f"/clients/{client_id}", data={**edit, "etag": '"2"', "tax_id": "1234567890"}
    )
    assert wrong.status_code == 422
    assert 'id="f-tax_id-error"' in wrong.text


@pytest.fixture
async def legacy_customer() -> AsyncIterator[tuple[int, str]]:
    """A customer only the legacy system has (as tests/migration/test_proxy_http.py makes)."""
    customer_id = 2_300_000_000 + random.randrange(10_000_000) * 10
    name = _unique("Легасов") + " Олег Олегович"
    created = datetime(2022, 5, 6, 9, 30)
    admin = await admin_connection()
    try:
        await admin.execute(
            "insert into legacy.customers values ($1, $2, 'P', '', '', '', $3, $3)",
            customer_id,
            name,
            created,
        )
    finally:
        await admin.close()
    await wait_for_standby()
    yield customer_id, name
    admin = await admin_connection()
    try:
        await admin.execute("delete from legacy.customers where customer_id = $1", customer_id)
    finally:
        await admin.close()


async def test_editing_a_legacy_only_client_moves_it_in(
    browser: httpx.AsyncClient, legacy_customer: tuple[int, str]
) -> None:
    customer_id, name = legacy_customer
    reference = f"LC-{customer_id}"
    await sign_in(browser, "agent1")
    found = await browser.get("/clients", params={"q": name.split()[0]})
    row = re.search(rf'<a href="/clients/{reference}">{name}</a>.*?</tr>', found.text, re.S)
    assert row, found.text
    assert 'class="badge badge--legacy"' in row.group(0)

    page = await browser.get(f"/clients/{reference}")
    assert page.status_code == 200
    assert 'class="badge badge--legacy"' in page.text
    assert "при сохранении он будет перенесён" in page.text
    assert 'name="etag" value=""' in page.text

    saved = await browser.post(
        f"/clients/{reference}",
        data={
            "csrf_token": csrf_token_in(page.text),
            "etag": "",
            "source": "legacy",
            "display_name": name,
            "kind": "person",
            "email": "oleg@example.com",
        },
    )
    assert saved.status_code == 303, saved.text
    moved_in = re.fullmatch(rf"/clients/({UUID})\?moved=1", saved.headers["location"])
    assert moved_in
    ours = await browser.get(saved.headers["location"])
    assert 'class="badge badge--migrated"' in ours.text
    assert "Клиент перенесён из старой системы." in ours.text
    assert reference in ours.text
    assert "oleg@example.com" in ours.text

    again = await browser.get("/clients", params={"q": name.split()[0]})
    row = re.search(rf'<a href="/clients/{moved_in.group(1)}">{name}</a>.*?</tr>', again.text, re.S)
    assert row
    assert 'class="badge badge--migrated"' in row.group(0)
    assert f'href="/clients/{reference}"' not in again.text


# --- orders ---------------------------------------------------------------------------------


async def test_an_order_is_created_for_a_client_found_by_typing_and_listed(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, "agent1")
    new = await browser.get("/clients/new")
    token = csrf_token_in(new.text)
    surname = _unique("Заказов")
    made = await browser.post(
        "/clients", data={"csrf_token": token, "display_name": f"{surname} Иван", "kind": "person"}
    )
    client_id = made.headers["location"].split("/")[-1].split("?")[0]

    # The typeahead: the clients matching what was typed, as the order's client.
    choices = await browser.get(
        "/orders/client-choices", params={"client_q": surname}, headers={"HX-Request": "true"}
    )
    assert choices.status_code == 200
    assert choices.text.lstrip().startswith('<div id="client-choices"')
    assert f'<option value="{client_id}">{surname} Иван (наш)</option>' in choices.text

    form = await browser.get(f"/orders/new?client={client_id}")
    assert form.status_code == 200
    assert f'<option value="{client_id}" selected>{surname} Иван (наш)</option>' in form.text
    order = {
        "csrf_token": token,
        "client_id": client_id,
        "client_q": "",
        "currency": "RUB",
        "item_sku": ["A-1", "", ""],
        "item_title": ["Кабель", "", ""],
        "item_quantity": ["два", "", ""],
        "item_unit_price": ["10,50", "", ""],
        "total_amount": "",
    }
    more = await browser.post("/orders", data={**order, "add_row": "1"})
    assert more.status_code == 200
    assert len(re.findall(r'name="item_sku"', more.text)) == 4
    assert 'value="Кабель"' in more.text

    bad = await browser.post("/orders", data=order)
    assert bad.status_code == 422
    assert re.search(r'id="item-0-quantity"[^>]*aria-invalid="true"', bad.text, re.S)

    created = await browser.post("/orders", data={**order, "item_quantity": ["2", "", ""]})
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    assert re.fullmatch(rf"/orders/{UUID}", location)
    page = await browser.get(location)
    assert "Заказ создан." in page.text
    assert "Заказ создан." not in (await browser.get(location)).text  # once, not on reload
    assert "Кабель" in page.text
    assert "21,00\xa0₽" in page.text  # 2 × 10,50, with the rouble's two decimals
    assert "10,50\xa0₽" in page.text
    assert f'href="/clients/{client_id}"' in page.text
    number = re.search(r"<h1>Заказ ([^<]+)</h1>", page.text)
    assert number

    client_page = await browser.get(f"/clients/{client_id}")
    assert number.group(1) in client_page.text
    search = await browser.get("/orders", params={"q": number.group(1)})
    assert search.status_code == 200
    assert f">{number.group(1)}</a>" in search.text
    assert 'class="badge badge--ours"' in search.text
    listing = await browser.get("/orders", headers={"HX-Request": "true"})
    assert listing.text.lstrip().startswith('<div id="order-results"')
    assert len(re.findall(r'class="badge badge--(?:ours|migrated|legacy)"', listing.text)) == 25


# --- who may, and escaping ------------------------------------------------------------------


async def test_a_reporter_has_no_boards_clients_or_orders(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, "reporter1", next_url="/profile")
    profile = await browser.get("/profile")
    assert profile.status_code == 200
    for href in ("/boards", "/clients", "/orders"):
        assert f'href="{href}"' not in profile.text
    for path in ("/boards", f"/boards/{uuid.uuid4()}", "/clients", "/clients/new", "/orders"):
        refused = await browser.get(path)
        assert refused.status_code == 403, path
        assert "только агентам" in refused.text
    move = await browser.post(
        f"/boards/{uuid.uuid4()}/moves",
        data={"csrf_token": csrf_token_in(profile.text), "card": "INC-1", "to_column": "new"},
    )
    assert move.status_code == 403


async def test_names_and_titles_are_escaped(
    browser: httpx.AsyncClient, live_stack: LiveStack, tokens: TokenShop
) -> None:
    title = f'<img src=x onerror="alert(1)"> {uuid.uuid4().hex[:8]}'
    key = await _incident_of_agent1(live_stack, tokens, title)
    await sign_in(browser, "agent1")
    board_id, listing = await _my_work(browser)
    board = await browser.get(f"/boards/{board_id}")
    assert f'id="card-{key}"' in board.text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in board.text
    assert "<img src=x" not in board.text

    name = f"<script>alert('x')</script> {_unique('Скриптов')}"
    made = await browser.post(
        "/clients",
        data={"csrf_token": csrf_token_in(listing), "display_name": name, "kind": "person"},
    )
    assert made.status_code == 303, made.text
    page = await browser.get(made.headers["location"])
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
