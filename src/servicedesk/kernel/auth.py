"""Keycloak access tokens validated locally against the realm JWKS; the principal, its roles."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request

from servicedesk.kernel.context import actor_var
from servicedesk.kernel.errors import Forbidden, ProblemError, ServiceUnavailable, Unauthorized
from servicedesk.kernel.i18n import _t
from servicedesk.kernel.state import kernel_state

log = logging.getLogger(__name__)
ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256"})
ACCESS_TOKEN_TYPE = "Bearer"  # noqa: S105 - a token type, not a secret
_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="servicedesk"'}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a person signed in through Keycloak, or another service's account."""

    subject: str
    username: str
    roles: frozenset[str]
    client_id: str
    token: str = field(repr=False)
    name: str | None = None
    email: str | None = None
    groups: tuple[str, ...] = ()
    phone: str | None = None
    telegram_id: str | None = None

    @property
    def is_service(self) -> bool:
        return self.username.startswith("service-account-")

    def has_any_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)


def principal_from_claims(claims: dict[str, Any], token: str) -> Principal:
    realm_access = claims.get("realm_access") or {}
    return Principal(
        subject=str(claims["sub"]),
        username=str(claims.get("preferred_username", claims["sub"])),
        roles=frozenset(realm_access.get("roles", [])),
        client_id=str(claims.get("azp", "")),
        token=token,
        name=claims.get("name"),
        email=claims.get("email"),
        groups=tuple(g.lstrip("/") for g in claims.get("groups", [])),
        phone=claims.get("phone"),
        telegram_id=claims.get("telegram_id"),
    )


class InvalidToken(Unauthorized):
    code, title = "invalid-token", "Invalid access token"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers=_BEARER_CHALLENGE)


class JwksCache:
    """The realm signing keys, cached; refetched on an unknown key id, at most every 10 s."""

    def __init__(
        self, jwks_url: str, http: httpx.AsyncClient, ttl_s: float, min_refetch_s: float = 10
    ) -> None:
        self.jwks_url = jwks_url
        self.http = http
        self.ttl_s = ttl_s
        self.min_refetch_s = min_refetch_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key_for(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys or self._expired():
            await self._refresh(force=kid not in self._keys)
        try:
            return self._keys[kid]
        except KeyError:
            raise InvalidToken(_t("unknown signing key {kid!r}", kid=kid)) from None

    def _expired(self) -> bool:
        return time.monotonic() - self._fetched_at > self.ttl_s

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if age < self.min_refetch_s or (not force and age <= self.ttl_s):
                return
            try:
                response = await self.http.get(self.jwks_url, timeout=5)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                if not self._keys:
                    raise IdentityProviderUnavailable(
                        _t("the identity provider's signing keys cannot be fetched")
                    ) from exc
                log.warning("JWKS refresh failed; keeping the keys we have", exc_info=True)
                self._fetched_at = time.monotonic() - self.ttl_s + self.min_refetch_s
                return
            self.fetches += 1
            keys = response.json().get("keys", [])
            self._keys = {
                k["kid"]: jwt.PyJWK(k)
                for k in keys
                if k.get("use", "sig") == "sig" and k.get("alg") in ALLOWED_ALGORITHMS
            }
            self._fetched_at = time.monotonic()


class IdentityProviderUnavailable(ServiceUnavailable):
    code, title = "identity-provider-unavailable", "Identity provider unavailable"


class TokenValidator:
    """Checks signature, algorithm, issuer, audience, expiry and token type of an access token.

    A token that passed is remembered until it expires, so a client's next calls skip the
    signature check (a bounded, per-process memo: nothing that replicas must agree on).
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks: JwksCache,
        leeway_s: int = 10,
        memo_size: int = 4096,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self.leeway_s = leeway_s
        self.memo_size = memo_size
        self._passed: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def validate(self, token: str) -> Principal:
        remembered = self._passed.get(token)
        if remembered is not None and remembered[1] > time.time():
            return remembered[0]
        principal, expires_at = await self._validate(token)
        self._passed[token] = (principal, expires_at)
        if len(self._passed) > self.memo_size:
            self._passed.popitem(last=False)
        return principal

    async def _validate(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(_t("malformed token: {error}", error=str(exc))) from None
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise InvalidToken(
                _t("signing algorithm {algorithm!r} is not accepted", algorithm=algorithm)
            )
        key = await self.jwks.key_for(str(header.get("kid")))
        claims = self._decode(token, key, str(algorithm))
        if claims.get("typ") != ACCESS_TOKEN_TYPE:
            kind = claims.get("typ")
            raise InvalidToken(_t("token type {type!r} is not an access token", type=kind))
        return principal_from_claims(claims, token), float(claims["exp"])

    def _decode(self, token: str, key: jwt.PyJWK, algorithm: str) -> dict[str, Any]:
        if key.algorithm_name != algorithm:
            raise InvalidToken(_t("token algorithm does not match its key"))
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken(_t("token has expired")) from None
        except jwt.InvalidAudienceError:
            raise InvalidToken(
                _t("token is not meant for {audience}", audience=self.audience)
            ) from None
        except jwt.InvalidIssuerError:
            raise InvalidToken(_t("token comes from another issuer")) from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(_t("token rejected: {error}", error=str(exc))) from None


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(_t("a Bearer access token is required"), headers=_BEARER_CHALLENGE)
    return token.strip()


async def authenticated_principal(request: Request) -> Principal:
    validator = kernel_state(request).token_validator
    principal = await validator.validate(_bearer_token(request))
    request.state.principal = principal
    actor_var.set(principal.username)  # async dependency: the endpoint's context sees it
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticated_principal)]


class MissingRole(Forbidden):
    code = "missing-role"


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency admitting principals holding any of the roles; others get 403."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any_role(*roles):
            raise MissingRole(
                _t("one of the roles {roles} is required", roles=sorted(roles)),
                extra={"required_roles": sorted(roles)},
            )
        return principal

    return check


def roles_alias(*roles: str) -> Any:
    """`Annotated` alias for routes, e.g. `Agent = roles_alias("agent")` (roles are composite)."""
    return Annotated[Principal, Depends(require_roles(*roles))]


__all__ = [
    "CurrentPrincipal",
    "InvalidToken",
    "JwksCache",
    "Principal",
    "ProblemError",
    "TokenValidator",
    "require_roles",
    "roles_alias",
]
