"""Real Keycloak logins for tests, benchmarks and scripts: the browser authorization code flow
with PKCE, and client credentials for service accounts.

`login_with_browser_flow` does over plain HTTP what a browser does: it opens the authorization
endpoint, reads the login form's action from Keycloak's HTML, posts the username and password
with the cookies Keycloak set, takes the `code` from the redirect's Location (without following
it to the web app) and exchanges it at the token endpoint with the PKCE verifier.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

DEFAULT_BASE_URL = "http://localhost:8080"
DEFAULT_REALM = "servicedesk"


class KeycloakLoginError(AssertionError):
    """The login did not go the way a successful browser login goes."""


class _LoginFormParser(HTMLParser):
    """Finds the action of Keycloak's login form (`<form id="kc-form-login" action=...>`)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "kc-form-login":
            self.action = attributes.get("action")


def _login_form_action(html: str) -> str:
    parser = _LoginFormParser()
    parser.feed(html)
    if not parser.action:
        raise KeycloakLoginError(f"no kc-form-login form in Keycloak's page: {html[:500]}")
    return parser.action


def _page_message(html: str) -> str:
    """The error Keycloak shows on its page (e.g. "Invalid username or password."), if any."""
    match = re.search(r'(?:kc-feedback-text|class="instruction")[^>]*>([^<]+)', html)
    return " ".join(match.group(1).split()) if match else html[:300]


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def _oidc_url(base_url: str, realm: str, endpoint: str) -> str:
    return f"{base_url.rstrip('/')}/realms/{realm}/protocol/openid-connect/{endpoint}"


def _code_from_redirect(response: httpx.Response, redirect_uri: str, state: str) -> str:
    location = response.headers.get("location", "")
    if response.status_code not in (302, 303) or not location.startswith(redirect_uri):
        raise KeycloakLoginError(
            f"login did not redirect to {redirect_uri} (wrong password, locked user, a required"
            f" action?): HTTP {response.status_code} location={location!r}"
            f" page={_page_message(response.text)!r}"
        )
    query: dict[str, list[str]] = parse_qs(urlsplit(location).query)
    if "error" in query:
        raise KeycloakLoginError(f"Keycloak answered with an error: {location}")
    if query.get("state") != [state]:
        raise KeycloakLoginError(f"state mismatch in {location}")
    return query["code"][0]


async def _authorize(
    http: httpx.AsyncClient,
    auth_url: str,
    params: dict[str, str] | None,
    username: str,
    password: str,
) -> httpx.Response:
    page = await http.get(auth_url, params=params)
    if page.status_code != httpx.codes.OK:
        raise KeycloakLoginError(
            f"authorization endpoint: HTTP {page.status_code} {_page_message(page.text)!r}"
        )
    action = urljoin(str(page.url), _login_form_action(page.text))
    return await http.post(
        action,
        data={"username": username, "password": password, "credentialId": ""},
        headers={"Cookie": _cookie_header(page)},
    )


def _cookie_header(response: httpx.Response) -> str:
    """The cookies Keycloak set, as a browser sends them back to http://localhost.

    Keycloak marks its login cookies `Secure`; browsers send those to http://localhost (a secure
    context) but Python's cookie jar only sends them over https, so they are sent by hand.
    """
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in response.cookies.jar)


async def _token_request(
    token_url: str, form: dict[str, str], *, client_id: str, client_secret: str
) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30.0) as http:
        response = await http.post(token_url, data=form, auth=(client_id, client_secret))
    if response.status_code != httpx.codes.OK:
        raise KeycloakLoginError(f"token endpoint: HTTP {response.status_code} {response.text}")
    token_response: dict[str, Any] = response.json()
    return token_response


async def login_with_browser_flow(
    username: str,
    password: str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    realm: str = DEFAULT_REALM,
    client_id: str = "servicedesk-web",
    client_secret: str = "local-web-secret",  # noqa: S107 - the local realm demo secret
    redirect_uri: str = "http://localhost:8000/auth/callback",
    scope: str = "openid",
) -> dict[str, Any]:
    """Log in as a browser would; return the token endpoint's JSON (access, ID, refresh token)."""
    verifier, challenge = _pkce_pair()
    state = secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    async with httpx.AsyncClient(timeout=30.0, follow_redirects=False) as http:
        response = await _authorize(
            http, _oidc_url(base_url, realm, "auth"), params, username, password
        )
    code = _code_from_redirect(response, redirect_uri, state)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    return await _token_request(
        _oidc_url(base_url, realm, "token"), form, client_id=client_id, client_secret=client_secret
    )


async def client_credentials_token(
    client_id: str,
    client_secret: str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    realm: str = DEFAULT_REALM,
) -> dict[str, Any]:
    """A service account's token response (client credentials grant)."""
    return await _token_request(
        _oidc_url(base_url, realm, "token"),
        {"grant_type": "client_credentials"},
        client_id=client_id,
        client_secret=client_secret,
    )


async def login_at_authorization_url(authorization_url: str, username: str, password: str) -> str:
    """Opens an authorization URL a relying party made (e.g. the web console's /auth/login
    redirect), logs in on Keycloak's page and returns where Keycloak sends the browser back
    (the party's redirect URI with `code` and `state`), without following it."""
    async with httpx.AsyncClient(timeout=30.0, follow_redirects=False) as http:
        response = await _authorize(http, authorization_url, None, username, password)
    location: str = response.headers.get("location", "")
    if response.status_code not in (302, 303) or "code=" not in location:
        raise KeycloakLoginError(
            f"login did not redirect back with a code: HTTP {response.status_code}"
            f" location={location!r} page={_page_message(response.text)!r}"
        )
    return location
