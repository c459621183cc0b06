"""The local front checks tokens as API Gateway's JWT authorizer does, over real HTTP against moto's user pool:
a refused token never reaches the handler; an accepted one arrives as `requestContext.authorizer.jwt` with the
claims formatted as API Gateway formats them."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local_api import LocalDeskApi
from infra.local_stack import LocalStack, StaffPool, create_staff_pool


@dataclass
class Spy:
    """A desk handler that answers with what it was given."""

    events: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 200, "headers": {"content-type": "application/json"},
                "body": json.dumps({"authorizer": event["requestContext"].get("authorizer")})}


class WallClock:
    """Now, moved on by hand: moto stamps its tokens with the wall clock."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class Front:
    url: str
    api: LocalDeskApi
    pool: StaffPool
    spy: Spy
    clock: WallClock

    def get(self, path: str = "/inquiries", authorization: str | None = None) -> requests.Response:
        headers = {"Authorization": authorization} if authorization is not None else {}
        return requests.get(self.url + path, headers=headers, timeout=10)


@pytest.fixture
def front(stack: LocalStack) -> Iterator[Front]:
    pool = stack.staff_pool()
    pool.create_staff({"sato": ["agents", "supervisors"], "suzuki": ["agents"]})
    spy = Spy()
    clock = WallClock()
    with LocalDeskApi(pool.authorizer(clock=clock), spy, hosted_ui=pool.hosted_ui(),
                      on_start=pool.register_origin) as api:
        yield Front(api.url, api, pool, spy, clock)


def _payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def _moto_key() -> Any:
    """moto's own signing key (every pool's): what an attacker must not have, what makes an honest old token."""
    from moto.utilities.utils import load_resource

    return jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key


def _sign(claims: dict[str, Any], key: Any = None, kid: str = "dummy") -> str:
    return jwt.encode(claims, key or _moto_key(), algorithm="RS256", headers={"kid": kid})


def _refused(front: Front, resp: requests.Response, status: int = 401) -> None:
    message = "Unauthorized" if status == 401 else "Forbidden"
    assert (resp.status_code, resp.json()) == (status, {"message": message}), resp.text
    if status == 401:
        assert resp.headers["www-authenticate"] == 'Bearer scope="" error="invalid_token"'
    assert front.spy.events == [] and front.api.invocations == 0  # refused before the handler ran


def test_a_valid_access_token_reaches_the_handler_with_the_claims_as_api_gateway_renders_them(front: Front) -> None:
    token = front.pool.access_token("sato")
    resp = front.get("/inquiries/123", f"Bearer {token}")
    assert resp.status_code == 200
    (event,) = front.spy.events
    authorizer = event["requestContext"]["authorizer"]
    assert set(authorizer) == {"jwt"}
    claims, raw = authorizer["jwt"]["claims"], _payload(token)
    assert set(claims) == set(raw) and all(isinstance(v, str) for v in claims.values())
    assert claims["username"] == "sato" and claims["token_use"] == "access"
    assert claims["client_id"] == front.pool.cli_client_id and "aud" not in claims
    assert claims["iss"] == f"https://cognito-idp.ap-northeast-1.amazonaws.com/{front.pool.pool_id}"
    assert claims["exp"] == str(raw["exp"]) and claims["iat"] == str(raw["iat"])  # numbers as their digits
    assert claims["cognito:groups"] == f"[{' '.join(raw['cognito:groups'])}]"  # bracketed, space-separated
    assert sorted(claims["cognito:groups"][1:-1].split()) == ["agents", "supervisors"]
    assert authorizer["jwt"]["scopes"] == ["aws.cognito.signin.user.admin"]  # the route requires scopes
    assert event["routeKey"] == "ANY /{proxy+}" and event["pathParameters"] == {"proxy": "inquiries/123"}
    assert event["headers"]["authorization"] == f"Bearer {token}"  # passed on, as API Gateway does
    # The identity source may hold the token alone, without "Bearer ".
    assert front.get("/inquiries", token).status_code == 200


def test_the_open_routes_need_no_token_and_get_no_authorizer(front: Front) -> None:
    for path in ("/", "/openapi.json", "/desk", "/desk/app.js", "/desk/callback"):
        resp = front.get(path)
        assert resp.status_code == 200 and resp.json() == {"authorizer": None}, path
    assert [e["routeKey"] for e in front.spy.events] == [
        "GET /", "GET /openapi.json", "GET /desk", "GET /desk/{proxy+}", "GET /desk/{proxy+}"]
    # A greedy variable needs a segment: /desk/ is the token-guarded ANY /{proxy+} (the logout URL is /desk).
    front.spy.events.clear()
    assert front.get("/desk/").status_code == 401
    assert requests.post(front.url + "/", timeout=10).json() == {"message": "Not Found"}


@pytest.mark.parametrize("authorization", ["", "Bearer", "Bearer ", "Basic c2F0bzpwYXNz", "Bearer not.a.jwt",
                                           "Bearer abc", "Bearer e30.e30.e30", "Bearer ..."])
def test_a_missing_or_malformed_authorization_header_is_refused(front: Front, authorization: str) -> None:
    _refused(front, front.get("/inquiries", authorization))


def test_no_authorization_header_is_refused(front: Front) -> None:
    _refused(front, front.get("/inquiries"))


def test_an_expired_token_is_refused(front: Front) -> None:
    claims = _payload(front.pool.access_token("sato"))
    old = int(time.time()) - 7200
    expired = _sign({**claims, "iat": old, "auth_time": old, "exp": old + 3600})
    _refused(front, front.get("/inquiries", f"Bearer {expired}"))


def test_the_clock_decides_expiry(front: Front) -> None:
    token = front.pool.access_token("sato")
    front.clock.advance(timedelta(hours=1, seconds=1))
    _refused(front, front.get("/inquiries", f"Bearer {token}"))


def test_a_token_from_the_future_is_refused(front: Front) -> None:
    claims = _payload(front.pool.access_token("sato"))
    _refused(front, front.get("/inquiries", f"Bearer {_sign({**claims, 'nbf': int(time.time()) + 600})}"))
    _refused(front, front.get("/inquiries", f"Bearer {_sign({**claims, 'iat': int(time.time()) + 600})}"))


def test_a_token_signed_with_another_key_is_refused(front: Front) -> None:
    claims = _payload(front.pool.access_token("sato"))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(front, front.get("/inquiries", f"Bearer {_sign(claims, stranger)}"))  # same kid, wrong key
    _refused(front, front.get("/inquiries", f"Bearer {_sign(claims, stranger, kid='other')}"))  # unknown kid


def test_an_edited_payload_is_refused(front: Front) -> None:
    header, _, signature = front.pool.access_token("suzuki").split(".")
    claims = _payload(front.pool.access_token("suzuki"))
    forged = {**claims, "username": "sato", "cognito:groups": ["admins"]}
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    _refused(front, front.get("/inquiries", f"Bearer {header}.{body}.{signature}"))


def test_unsigned_and_symmetric_tokens_are_refused(front: Front) -> None:
    claims = _payload(front.pool.access_token("sato"))
    none = jwt.encode(claims, key="", algorithm="none")
    _refused(front, front.get("/inquiries", f"Bearer {none}"))
    hs = jwt.encode(claims, "secret-that-is-long-enough-for-hs256!!", algorithm="HS256", headers={"kid": "dummy"})
    _refused(front, front.get("/inquiries", f"Bearer {hs}"))


def test_a_token_of_another_pool_is_refused(front: Front, stack: LocalStack) -> None:
    other = create_staff_pool(stack.aws_endpoint, "ap-northeast-1", name="elsewhere")
    other.create_staff({"sato": ["admins"]})
    # moto signs every pool's tokens with the same key: only the issuer tells them apart.
    _refused(front, front.get("/inquiries", f"Bearer {other.access_token('sato')}"))
    claims = _payload(front.pool.access_token("sato"))
    _refused(front, front.get("/inquiries", f"Bearer {_sign({**claims, 'iss': other.issuer})}"))


def test_a_token_of_another_client_of_the_pool_is_refused(front: Front) -> None:
    cognito = front.pool.cognito
    stranger = cognito.create_user_pool_client(
        UserPoolId=front.pool.pool_id, ClientName="not-the-desk",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    token = front.pool.sign_in("sato", client_id=stranger)["AccessToken"]
    _refused(front, front.get("/inquiries", f"Bearer {token}"))
    # Both of the template's clients are audiences.
    web_token = front.pool.sign_in("sato", client_id=front.pool.web_client_id)["AccessToken"]
    assert front.get("/inquiries", f"Bearer {web_token}").status_code == 200


def test_an_id_token_is_refused_by_the_routes_required_scope(front: Front) -> None:
    """API Gateway reads no token_use: an ID token of the pool's own client passes issuer, audience (its `aud`) and
    expiry, and is stopped by the route's scopes - it has none - with 403, as API Gateway does."""
    id_token = front.pool.sign_in("sato")["IdToken"]
    assert _payload(id_token)["token_use"] == "id" and "scope" not in _payload(id_token)
    _refused(front, front.get("/inquiries", f"Bearer {id_token}"), status=403)


def test_a_refusal_says_why_only_in_the_debug_log(front: Front, caplog: pytest.LogCaptureFixture) -> None:
    claims = _payload(front.pool.access_token("sato"))
    old = int(time.time()) - 7200
    with caplog.at_level(logging.DEBUG, logger="activecare.local_auth"):
        resp = front.get("/inquiries", f"Bearer {_sign({**claims, 'exp': old})}")
    assert resp.json() == {"message": "Unauthorized"} and "expired" not in resp.text
    assert any("the token has expired" in r.getMessage() for r in caplog.records)
