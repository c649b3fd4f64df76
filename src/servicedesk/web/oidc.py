"""OpenID Connect with the realm: authorization code flow with PKCE, refresh, RP-initiated logout
and back-channel logout tokens. Tokens are checked against the realm's JWKS (the kernel's cache).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from servicedesk.kernel.auth import ALLOWED_ALGORITHMS, JwksCache
from servicedesk.kernel.errors import ProblemError
from servicedesk.kernel.settings import KeycloakSettings

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class OidcError(Exception):
    """The identity provider's answer, or a token it gave, cannot be accepted."""


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str
    expires_in: float
    refresh_token: str | None
    refresh_expires_in: float | None
    id_token: str | None


@dataclass(frozen=True, slots=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(64)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


class OidcClient:
    """The web console as a confidential client of the realm (client secret, PKCE S256)."""

    def __init__(
        self,
        keycloak: KeycloakSettings,
        redirect_uri: str,
        http: httpx.AsyncClient,
        jwks: JwksCache,
        leeway_s: int = 30,
    ) -> None:
        self.keycloak = keycloak
        self.redirect_uri = redirect_uri
        self.http = http
        self.jwks = jwks
        self.leeway_s = leeway_s
        endpoints = f"{keycloak.issuer}/protocol/openid-connect"
        self.authorization_endpoint = f"{endpoints}/auth"
        self.token_endpoint = f"{endpoints}/token"
        self.end_session_endpoint = f"{endpoints}/logout"

    @property
    def client_id(self) -> str:
        return self.keycloak.client_id

    def authorization_url(self, state: str, nonce: str, pkce: Pkce, language: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": "openid",
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
            "ui_locales": language,
        }
        return f"{self.authorization_endpoint}?{urlencode(query)}"

    def end_session_url(self, id_token_hint: str | None, post_logout_uri: str, lang: str) -> str:
        query = {
            "client_id": self.client_id,
            "post_logout_redirect_uri": post_logout_uri,
            "ui_locales": lang,
        }
        if id_token_hint:
            query["id_token_hint"] = id_token_hint
        return f"{self.end_session_endpoint}?{urlencode(query)}"

    async def exchange_code(self, code: str, verifier: str) -> TokenSet:
        return await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> TokenSet:
        return await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    async def _token_request(self, form: dict[str, str]) -> TokenSet:
        secret = self.keycloak.client_secret.get_secret_value()
        try:
            response = await self.http.post(
                self.token_endpoint, data=form, auth=(self.client_id, secret), timeout=10
            )
        except httpx.HTTPError as exc:
            raise OidcError(f"token endpoint unreachable: {type(exc).__name__}") from exc
        if response.status_code != httpx.codes.OK:
            error = _error_of(response)
            raise OidcError(f"token endpoint refused ({response.status_code}): {error}")
        body = response.json()
        refresh_expires = body.get("refresh_expires_in")
        return TokenSet(
            access_token=str(body["access_token"]),
            expires_in=float(body["expires_in"]),
            refresh_token=body.get("refresh_token"),
            refresh_expires_in=float(refresh_expires) if refresh_expires else None,
            id_token=body.get("id_token"),
        )

    async def id_token_claims(self, id_token: str, *, nonce: str | None) -> dict[str, Any]:
        """A validated ID token: signature, issuer, audience, expiry, type and nonce.

        `nonce=None` is for ID tokens from a refresh: they may carry the original nonce or none.
        """
        claims = await self._decode(id_token, require=["exp", "iat", "iss", "aud", "sub"])
        if claims.get("typ", "ID") != "ID":
            raise OidcError(f"not an ID token (typ {claims.get('typ')!r})")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise OidcError("ID token issued to another party (azp)")
        if nonce is not None and not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise OidcError("ID token nonce does not match the sign-in")
        return claims

    async def logout_token_claims(self, logout_token: str) -> dict[str, Any]:
        """A validated back-channel logout token (OpenID Connect Back-Channel Logout 1.0, 2.6)."""
        claims = await self._decode(logout_token, require=["iat", "iss", "aud"])
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(
            events.get(BACKCHANNEL_LOGOUT_EVENT), dict
        ):
            raise OidcError("logout token without the back-channel logout event")
        if "nonce" in claims:
            raise OidcError("a logout token must not carry a nonce")
        if not claims.get("sid") and not claims.get("sub"):
            raise OidcError("logout token names neither a session (sid) nor a user (sub)")
        if claims.get("typ", "Logout") != "Logout":
            raise OidcError(f"not a logout token (typ {claims.get('typ')!r})")
        return claims

    async def _decode(self, token: str, require: list[str]) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise OidcError(f"malformed token: {exc}") from None
        algorithm = str(header.get("alg"))
        if algorithm not in ALLOWED_ALGORITHMS:
            raise OidcError(f"signing algorithm {algorithm!r} is not accepted")
        try:
            key = await self.jwks.key_for(str(header.get("kid")))
        except ProblemError as exc:  # unknown key id, or the realm's keys cannot be fetched
            raise OidcError(exc.detail) from None
        if key.algorithm_name != algorithm:
            raise OidcError("token algorithm does not match its key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.client_id,
                issuer=self.keycloak.issuer,
                leeway=self.leeway_s,
                options={"require": require},
            )
        except jwt.PyJWTError as exc:
            raise OidcError(f"token rejected: {exc}") from None
        return claims


def _error_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return f"{body.get('error')}: {body.get('error_description', '')}".strip(": ")
