"""One-click unsubscribe from a kind of mail (RFC 8058): the link in every mail carries a signed
token naming the person and the kind. GET shows a confirmation page; POST (the page's button, or
a mail client's one-click `List-Unsubscribe=One-Click`) turns that kind of mail off. In-app
notifications stay."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from servicedesk.kernel.deps import WriteSessionDep
from servicedesk.kernel.i18n.language import current_language
from servicedesk.notifications.deliver.tokens import read_unsubscribe_token
from servicedesk.notifications.models import preferences
from servicedesk.notifications.state import NotificationsStateDep
from servicedesk.notifications.texts import label, text

router = APIRouter(prefix="/unsubscribe", tags=["unsubscribe"], include_in_schema=True)


def _page(lang: str, body: str) -> HTMLResponse:
    title = escape(text(lang, "notifications.unsubscribe.title"))
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    )
    return HTMLResponse(html)


def _invalid(lang: str) -> HTMLResponse:
    response = _page(lang, f"<p>{escape(text(lang, 'notifications.unsubscribe.invalid'))}</p>")
    response.status_code = 404
    return response


@router.get("/{token}", response_class=HTMLResponse)
async def ask(token: str, state: NotificationsStateDep) -> HTMLResponse:
    lang = current_language()
    found = read_unsubscribe_token(state.settings.unsubscribe_secret.get_secret_value(), token)
    if found is None:
        return _invalid(lang)
    user_id, kind = found
    person = state.directory.people.by_id.get(user_id)
    kind_label = label(lang, f"notifications.kind.{kind.value}", kind.value)
    question = text(
        lang, "notifications.unsubscribe.ask", kind=kind_label, email=person.email if person else ""
    )
    confirm = text(lang, "notifications.unsubscribe.confirm")
    body = (
        f'<p>{escape(question)}</p><form method="post">'
        f'<button type="submit">{escape(confirm)}</button></form>'
    )
    return _page(lang, body)


@router.post("/{token}", response_class=HTMLResponse)
async def confirm(
    token: str, state: NotificationsStateDep, session: WriteSessionDep
) -> HTMLResponse:
    lang = current_language()
    found = read_unsubscribe_token(state.settings.unsubscribe_secret.get_secret_value(), token)
    if found is None:
        return _invalid(lang)
    user_id, kind = found
    existing = await session.scalar(
        select(preferences.c.email_off).where(preferences.c.user_id == user_id).with_for_update()
    )
    off = sorted({*(existing or []), kind.value})
    await session.execute(
        insert(preferences)
        .values(user_id=user_id, email_off=off)
        .on_conflict_do_update(
            index_elements=["user_id"], set_={"email_off": off, "updated_at": func.now()}
        )
    )
    state.store.forget()
    kind_label = label(lang, f"notifications.kind.{kind.value}", kind.value)
    return _page(
        lang, f"<p>{escape(text(lang, 'notifications.unsubscribe.done', kind=kind_label))}</p>"
    )
