"""The local front's pure parts: claims rendered as API Gateway renders them, and routes chosen as API Gateway
chooses them, from template.yaml's own route table."""

from __future__ import annotations

from infra.local_api import Route, match_route, template_routes
from infra.local_auth import rendered_claims, token_scopes


def test_claims_are_strings_as_api_gateway_renders_them() -> None:
    claims = rendered_claims({
        "sub": "0e1e31af", "exp": 1796141732, "ratio": 1.5, "email_verified": True, "mfa": False,
        "cognito:groups": ["agents", "supervisors"], "empty": [], "numbers": [1, 2],
        "address": {"country": "JP", "地域": "東京"}, "gone": None,
    })
    assert claims == {
        "sub": "0e1e31af", "exp": "1796141732", "ratio": "1.5", "email_verified": "true", "mfa": "false",
        "cognito:groups": "[agents supervisors]", "empty": "[]", "numbers": "[1 2]",
        "address": '{"country":"JP","地域":"東京"}',
    }


def test_token_scopes_from_scope_or_scp() -> None:
    assert token_scopes({"scope": "openid profile email"}) == ["openid", "profile", "email"]
    assert token_scopes({"scp": ["a", "b"], "scope": "c"}) == ["a", "b"]
    assert token_scopes({"scope": ""}) is None and token_scopes({}) is None


def test_the_local_routes_are_the_templates() -> None:
    routes = {r.key: r for r in template_routes()}
    assert set(routes) == {"ANY /{proxy+}", "GET /desk/{proxy+}", "GET /desk", "GET /", "GET /openapi.json",
                           "GET /form/{token}", "POST /form/{token}"}
    assert routes["ANY /{proxy+}"].authorization == "JWT"
    assert {r.target for k, r in routes.items() if k.endswith("/form/{token}")} == {"FormIntegration"}
    assert routes["ANY /{proxy+}"].scopes == ("openid", "aws.cognito.signin.user.admin")
    assert all(r.authorization == "NONE" for k, r in routes.items() if k != "ANY /{proxy+}")


def test_routes_are_chosen_exact_first_then_the_longest_greedy_path() -> None:
    routes = template_routes()

    def chosen(method: str, path: str) -> tuple[str, dict[str, str]] | None:
        found = match_route(routes, method, path)
        return None if found is None else (found[0].key, found[1])

    assert chosen("GET", "/") == ("GET /", {})
    assert chosen("GET", "/form/abc_-123") == ("GET /form/{token}", {"token": "abc_-123"})  # the e-mail form
    assert chosen("POST", "/form/abc") == ("POST /form/{token}", {"token": "abc"})
    assert chosen("GET", "/form/a/b") == ("ANY /{proxy+}", {"proxy": "form/a/b"})  # one segment only
    assert chosen("GET", "/openapi.json") == ("GET /openapi.json", {})
    assert chosen("POST", "/openapi.json") == ("ANY /{proxy+}", {"proxy": "openapi.json"})
    assert chosen("GET", "/desk") == ("GET /desk", {})
    assert chosen("GET", "/desk/assets/app.js") == ("GET /desk/{proxy+}", {"proxy": "assets/app.js"})
    assert chosen("POST", "/desk/assets/app.js") == ("ANY /{proxy+}", {"proxy": "desk/assets/app.js"})
    assert chosen("GET", "/desk/") == ("ANY /{proxy+}", {"proxy": "desk/"})  # a greedy variable needs a segment
    assert chosen("POST", "/inquiries/1/reply") == ("ANY /{proxy+}", {"proxy": "inquiries/1/reply"})
    assert chosen("POST", "/") is None  # /{proxy+} is not the root
    extra = [*routes, Route("GET", "/inquiries", "JWT"), Route("ANY", "/inquiries", "NONE")]
    assert match_route(extra, "GET", "/inquiries") == (Route("GET", "/inquiries", "JWT"), {})
    assert match_route(extra, "POST", "/inquiries") == (Route("ANY", "/inquiries", "NONE"), {})
