"""Who is calling the desk API: the staff member whose access token API Gateway's JWT authorizer verified.

API Gateway (HTTP API, payload 2.0) hands the token's claims to the function as strings in
`requestContext.authorizer.jwt.claims`: numbers as their digits ("exp": "1796141732"), and arrays in a
bracketed, space-separated form - `cognito:groups` ["agents", "supervisors"] arrives as
"[agents supervisors]" (not JSON). `jwt.scopes` is the token's scope list on a route that requires scopes,
null otherwise. The function trusts these claims only because no request reaches it without the authorizer;
it reads nothing the client sent about who it is.

    staff = caller(event)      # StaffIdentity(username="sato", groups=("agents",), ...) or NotSignedIn
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from activecare.roles import Group, ordered, supervises
from activecare.staff.errors import NotSignedIn

__all__ = ["NotSignedIn", "StaffIdentity", "caller", "claim_list", "jwt_claims"]


@dataclass(frozen=True)
class StaffIdentity:
    username: str
    groups: tuple[Group, ...]
    sub: str
    client_id: str

    def is_in(self, group: Group) -> bool:
        return group in self.groups

    @property
    def supervises(self) -> bool:
        return supervises(self.groups)


def claim_list(value: object) -> tuple[str, ...]:
    """An array claim as API Gateway renders it ("[a b]"), or as a JSON list (a test's or a direct invocation's
    event), or a single value."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return tuple(part for part in text.replace(",", " ").split() if part)


def jwt_claims(event: Mapping[str, Any]) -> dict[str, Any]:
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    jwt = authorizer.get("jwt") or {}
    claims = jwt.get("claims") or {}
    return dict(claims) if isinstance(claims, Mapping) else {}


def caller(event: Mapping[str, Any]) -> StaffIdentity:
    """The signed-in staff member, from the JWT authorizer's claims. Only access tokens count: API Gateway does
    not look at token_use (the template's required scope is what keeps ID tokens out there), this does too."""
    claims = jwt_claims(event)
    if not claims:
        raise NotSignedIn("no staff access token: sign in (the desk API needs a Cognito access token)")
    if claims.get("token_use") != "access":
        raise NotSignedIn(f"a {claims.get('token_use') or 'non-access'} token is not a staff access token")
    username = str(claims.get("username") or "")
    if not username:
        raise NotSignedIn("the access token names no user")
    return StaffIdentity(username=username, groups=ordered(claim_list(claims.get("cognito:groups"))),
                         sub=str(claims.get("sub") or ""), client_id=str(claims.get("client_id") or ""))
