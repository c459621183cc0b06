"""The local front's JWT authorizer: checks a request's token as API Gateway's HTTP API JWT authorizer does, and
builds the `requestContext.authorizer.jwt` the desk function then receives.

What API Gateway does (docs: "Control access to HTTP APIs with JWT authorizers", workflow and claims), and so
what this does, in order - any failure answers 401 {"message":"Unauthorized"} before the function runs:

1. the identity source (the Authorization header) holds the token alone or after "Bearer ";
2. the token decodes; its algorithm is RSA and its signature checks out with the key named by its `kid` in the
   issuer's JWKS (the `jwks_uri` of `{issuer}/.well-known/openid-configuration`, whose `issuer` must be the
   configured one; keys cached for up to two hours, refetched for an unknown kid);
3. `iss` is the configured issuer; `aud` - or, only when there is no `aud`, `client_id` (Cognito's access
   tokens) - is one of the configured audiences; `exp` is after now, `nbf` and `iat` are not after now;
4. on a route with authorization scopes, the token's `scope` (or `scp`) holds at least one of them, else
   403 {"message":"Forbidden"}.

API Gateway reads no `token_use`: on AWS the template's required scopes keep Cognito ID tokens (no scope claim)
out, and so they do here. The reason of a refusal goes to the debug log only (API Gateway says just
`www-authenticate: Bearer ... error="invalid_token"`).

The claims are handed over as API Gateway formats them: every value a string - numbers as their digits, booleans
as true/false, arrays bracketed and space-separated (`cognito:groups` ["agents", "supervisors"] ->
"[agents supervisors]", not JSON), objects as JSON text, null claims left out - and `jwt.scopes` is the token's
scope list on a route with authorization scopes, null on a route without. (Measured captures of real events:
DefinitelyTyped/DefinitelyTyped#75458, aws-solutions-library-samples/guidance-for-claude-code-with-amazon-
bedrock#802, floci-io/floci#2011; the AWS docs show only string claims.)

Signatures are checked with PyJWT (its RSA verification on `cryptography`, the algorithm allow-list that stops
"none"/HS256-with-the-public-key confusion, and its JWKS client), not by hand: this is the one place the local
stack decides who may act as an agent, and a home-made verifier would be the weakest code in it.

moto signs its tokens RS256 with one key (kid "dummy", moto/cognitoidp/resources/jwks-private.json) and serves
the pool's discovery document and JWKS at `{moto}/{pool id}/.well-known/...`; its `iss` is exactly Cognito's,
`https://cognito-idp.{region}.amazonaws.com/{pool id}`, so the issuer is configured as in template.yaml and only
the place it is fetched from is moto's (`fetch_base`).
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from activecare.clock import Clock, system_clock

logger = logging.getLogger("activecare.local_auth")

RSA_ALGORITHMS = ["RS256", "RS384", "RS512"]  # "Currently, only RSA-based algorithms are supported."
KEY_CACHE_S = 2 * 3600  # "API Gateway can cache public keys for two hours."
WWW_AUTHENTICATE = 'Bearer scope="" error="invalid_token"'


class Denied(Exception):
    """The request is refused before the function runs: `status` 401 (token) or 403 (scope)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    @property
    def body(self) -> bytes:
        return b'{"message":"Unauthorized"}' if self.status == 401 else b'{"message":"Forbidden"}'


@dataclass(frozen=True)
class Authorized:
    """What API Gateway puts in `requestContext.authorizer` for a JWT route."""

    claims: dict[str, str]
    scopes: list[str] | None

    def context(self) -> dict[str, Any]:
        return {"jwt": {"claims": dict(self.claims), "scopes": None if self.scopes is None else list(self.scopes)}}


def claim_value(value: Any) -> str | None:
    """One claim as API Gateway's payload 2.0 renders it (None: the claim is left out)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + " ".join(item if isinstance(item, str) else json.dumps(item, separators=(",", ":"))
                              for item in value) + "]"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def rendered_claims(payload: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in ((k, claim_value(raw)) for k, raw in payload.items()) if v is not None}


def token_scopes(payload: dict[str, Any]) -> list[str] | None:
    for key in ("scp", "scope"):
        value = payload.get(key)
        if isinstance(value, list) and value:
            return [str(v) for v in value]
        if isinstance(value, str) and value.strip():
            return value.split()
    return None


class JwtAuthorizer:
    """One HTTP API JWT authorizer: its issuer and audiences, as template.yaml's StaffAuthorizer has them."""

    def __init__(self, issuer: str, audience: Sequence[str], *, fetch_base: str | None = None,
                 clock: Clock = system_clock) -> None:
        """`fetch_base`: where the issuer's documents are fetched from instead of the issuer URL itself (the
        local moto). `clock`: "now" for exp, nbf and iat."""
        self.issuer = issuer
        self.audience = tuple(audience)
        self.fetch_base = (fetch_base or issuer).rstrip("/")
        self.clock = clock
        self._jwks: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def _keys(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._jwks is None:
                url = f"{self.fetch_base}/.well-known/openid-configuration"
                with urllib.request.urlopen(url, timeout=10) as resp:
                    discovery = json.load(resp)
                if discovery.get("issuer") != self.issuer:
                    raise Denied(401, f"discovery document names issuer {discovery.get('issuer')!r}")
                self._jwks = jwt.PyJWKClient(discovery["jwks_uri"], cache_jwk_set=True, lifespan=KEY_CACHE_S,
                                             timeout=10)
            return self._jwks

    def authorize(self, authorization: str | None, route_scopes: Sequence[str] = ()) -> Authorized:
        """The authorizer context for a request's Authorization header, or Denied."""
        try:
            payload = self._verify(authorization)
        except Denied as denied:
            logger.debug("JWT authorizer refused the request: %s", denied.reason)
            raise
        scopes: list[str] | None = None
        if route_scopes:
            scopes = token_scopes(payload)
            if not scopes or not set(scopes) & set(route_scopes):
                logger.debug("JWT authorizer refused the request: scopes %s, route wants one of %s",
                             scopes, list(route_scopes))
                raise Denied(403, "the token has none of the route's scopes")
        return Authorized(rendered_claims(payload), scopes)

    def _verify(self, authorization: str | None) -> dict[str, Any]:
        raw = (authorization or "").strip()
        if not raw:
            raise Denied(401, "no token in the Authorization header")
        token = raw[len("Bearer "):].strip() if raw.startswith("Bearer ") else raw
        if token.count(".") != 2:
            raise Denied(401, "the Authorization header holds no JWT")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Denied(401, f"undecodable token: {exc}") from None
        if header.get("alg") not in RSA_ALGORITHMS:
            raise Denied(401, f"algorithm {header.get('alg')!r} is not RSA")
        try:
            key = self._keys().get_signing_key(str(header.get("kid") or ""))
        except (jwt.PyJWKClientError, OSError, ValueError, KeyError) as exc:
            raise Denied(401, f"no key for kid {header.get('kid')!r}: {exc}") from None
        try:
            payload: dict[str, Any] = jwt.decode(
                token, key, algorithms=RSA_ALGORITHMS, issuer=self.issuer,
                # audience and time are checked below: the audience rule is API Gateway's (aud, else client_id),
                # and "now" is the injected clock, which PyJWT cannot take.
                options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
                         "require": ["iss", "exp"]})
        except jwt.InvalidIssuerError:
            raise Denied(401, "the token's issuer is not the authorizer's") from None
        except jwt.PyJWTError as exc:
            raise Denied(401, f"invalid token: {type(exc).__name__}: {exc}") from None
        aud = payload.get("aud")
        audiences = ([aud] if isinstance(aud, str) else list(aud)) if aud is not None else [payload.get("client_id")]
        if not any(a in self.audience for a in audiences):
            raise Denied(401, "the token does not have a valid audience")
        now = self.clock().timestamp()
        if not _number(payload.get("exp")) or float(payload["exp"]) <= now:
            raise Denied(401, "the token has expired")
        for claim in ("nbf", "iat"):
            if claim in payload and (not _number(payload[claim]) or float(payload[claim]) > now):
                raise Denied(401, f"the token's {claim} is in the future")
        return payload


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
