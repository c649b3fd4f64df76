"""Sign-in and sign-out through Keycloak (OpenID Connect, authorization code flow with PKCE).

The console never shows a password form of its own: /auth/login sends the browser to Keycloak,
/auth/callback takes the code back. Sign-out ends our session and Keycloak's (RP-initiated
logout); Keycloak tells us of sessions it ends itself through /auth/backchannel-logout.
"""

from __future__ import annotations

import logging
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from servicedesk.web.errors import error_page
from servicedesk.web.i18n import choose_language
from servicedesk.web.oidc import OidcError, Pkce
from servicedesk.web.page import render
from servicedesk.web.runtime import connections, presentation
from servicedesk.web.sessions import LOGIN_COOKIE, SESSION_COOKIE, LoginAttempt, WebSession, digest
from servicedesk.web.signin import safe_next, session_fields

log = logging.getLogger(__name__)
router = APIRouter(prefix="/auth", tags=["auth"])
_NO_STORE = {"cache-control": "no-store"}


@router.get("/login", response_class=RedirectResponse, status_code=303)
async def login(
    request: Request, next_url: Annotated[str, Query(alias="next", max_length=2000)] = "/"
) -> Response:
    """Starts a sign-in at Keycloak: PKCE (S256), state and nonce, then back to `next`."""
    settings = presentation(request).settings
    conn = connections(request)
    target = safe_next(next_url)
    if await conn.sessions.load(request.cookies.get(SESSION_COOKIE)):
        return RedirectResponse(target, status_code=303, headers=_NO_STORE)
    binding = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    state, nonce, pkce = secrets.token_urlsafe(32), secrets.token_urlsafe(32), Pkce.new()
    attempt = LoginAttempt(
        verifier=pkce.verifier, nonce=nonce, next=target, binding=digest(binding)
    )
    await conn.sessions.start_login(state, attempt, settings.login_timeout_s)
    lang = choose_language(request)
    response = RedirectResponse(
        conn.oidc.authorization_url(state, nonce, pkce, lang), status_code=303, headers=_NO_STORE
    )
    response.set_cookie(
        LOGIN_COOKIE,
        binding,
        max_age=settings.login_timeout_s,
        path="/auth",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


@router.get("/callback", response_class=RedirectResponse, status_code=303)
async def callback(
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    iss: str | None = None,
) -> Response:
    """Keycloak's answer: the code is exchanged (with the PKCE verifier), the ID token checked."""
    settings = presentation(request).settings
    conn = connections(request)
    attempt = await conn.sessions.take_login(state or "")
    if error:
        log.info("sign-in refused by Keycloak", extra={"error": error[:100]})
        return await error_page(request, 400, "auth.failed", error[:100])
    if attempt is None or not code:
        return await error_page(request, 400, "auth.expired")
    if iss is not None and iss != conn.oidc.keycloak.issuer:  # RFC 9207: no mix-up
        log.warning("authorization response from another issuer", extra={"iss": iss[:200]})
        return await error_page(request, 400, "auth.failed")
    binding = request.cookies.get(LOGIN_COOKIE, "")
    if not secrets.compare_digest(digest(binding), attempt.binding):
        log.warning("sign-in finished in another browser than it started in")
        return await error_page(request, 400, "auth.expired")
    try:
        tokens = await conn.oidc.exchange_code(code, attempt.verifier)
        if tokens.id_token is None:
            raise OidcError("Keycloak returned no ID token")
        claims = await conn.oidc.id_token_claims(tokens.id_token, nonce=attempt.nonce)
        fields = await session_fields(tokens, claims, conn, settings.session_idle_s)
    except OidcError as exc:
        log.warning("sign-in refused", extra={"reason": str(exc)})
        return await error_page(request, 400, "auth.failed")
    previous = await conn.sessions.load(request.cookies.get(SESSION_COOKIE))
    if previous is not None:  # a new id for every sign-in (no session fixation)
        await conn.sessions.delete(previous)
    cookie, session = await conn.sessions.create(nonce=attempt.nonce, **fields)
    log.info("signed in", extra={"username": session.user.username})
    response = RedirectResponse(attempt.next, status_code=303, headers=_NO_STORE)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/auth")
    return response


@router.post("/logout", response_class=RedirectResponse, status_code=303)
async def logout(request: Request) -> Response:
    """Ends the session here (the CSRF check already passed) and at Keycloak."""
    settings = presentation(request).settings
    conn = connections(request)
    session: WebSession | None = getattr(request.state, "web_session", None)
    id_token = None
    lang = choose_language(request)
    if session is not None:
        await conn.sessions.delete(session)
        id_token = session.id_token
        lang = choose_language(request, session.user.locale)
        log.info("signed out", extra={"username": session.user.username})
    target = conn.oidc.end_session_url(id_token, settings.signed_out_uri, lang)
    response = RedirectResponse(target, status_code=303, headers=_NO_STORE)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/signed-out", response_class=HTMLResponse)
async def signed_out(request: Request) -> Response:
    return render(request, "signed_out.html", lang=choose_language(request), session=None)


@router.post("/backchannel-logout")
async def backchannel_logout(
    request: Request, logout_token: Annotated[str | None, Form(max_length=16384)] = None
) -> JSONResponse:
    """Keycloak ended a session: ours of that Keycloak session (sid), or all of the user (sub)."""
    conn = connections(request)
    try:
        if not logout_token:
            raise OidcError("no logout_token")
        claims = await conn.oidc.logout_token_claims(logout_token)
    except OidcError as exc:
        log.warning("logout token refused", extra={"reason": str(exc)})
        body = {"error": "invalid_request", "error_description": str(exc)}
        return JSONResponse(body, status_code=400, headers=_NO_STORE)
    jti = claims.get("jti")
    if jti and not await conn.sessions.first_use_of_logout_token(str(jti)):
        return JSONResponse({}, headers=_NO_STORE)  # a retry of one already done
    sid, subject = claims.get("sid"), claims.get("sub")
    if sid:
        ended = await conn.sessions.delete_by_sid(str(sid))
    else:
        ended = await conn.sessions.delete_by_subject(str(subject))
    log.info("back-channel logout", extra={"sid": sid, "sub": subject, "sessions_ended": ended})
    return JSONResponse({}, headers=_NO_STORE)
