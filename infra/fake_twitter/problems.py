"""Error bodies in the real v2 shapes, raised as ApiError by the endpoint code.

Two families exist: typed problems (``type`` is ``https://api.x.com/2/problems/...``, see the
OpenAPI ``Problem`` schemas) and the RFC 7807 ``about:blank`` bodies the API sends for plain
HTTP failures (401, 403 duplicate content, 429, 503).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

PROBLEM_BASE = "https://api.x.com/2/problems/"
DUPLICATE_CONTENT = "You are not allowed to create a Tweet with duplicate content."
REPLY_NOT_VISIBLE = "You attempted to reply to a Tweet that is deleted or not visible to you."
QUOTE_NOT_VISIBLE = "Quoting this post is not allowed because it is deleted or not visible to you."
TEXT_TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text length see "
    "https://github.com/twitter/twitter-text."
)
# X's answer to a reply to someone who blocked the posting account (v1.1's error 136, kept by v2's 403).
BLOCKED_BY_AUTHOR = "You have been blocked from the author of this tweet."
REPLY_NOT_ALLOWED = (
    "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
    "engaged by the author of the post you are replying to."
)


class ApiError(Exception):
    """An HTTP error response: status and JSON problem body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body.get('detail') or body}")
        self.status = status
        self.body = body


def about_blank(status: int, detail: str | None = None) -> ApiError:
    """A plain problem: {"title", "detail", "type": "about:blank", "status"}."""
    title = HTTPStatus(status).phrase
    body = {"title": title, "detail": detail or title, "type": "about:blank", "status": status}
    return ApiError(status, body)


def invalid_request(message: str, parameters: dict[str, list[str]] | None = None) -> ApiError:
    """400 invalid-request with an errors[] entry naming the offending parameter(s)."""
    return ApiError(
        400,
        {
            "errors": [{"parameters": parameters or {}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": PROBLEM_BASE + "invalid-request",
        },
    )


def unsupported_authentication() -> ApiError:
    """403: app-only bearer on an endpoint that needs a user context."""
    return ApiError(
        403,
        {
            "title": "Unsupported Authentication",
            "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
            "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
            "type": PROBLEM_BASE + "unsupported-authentication",
            "status": 403,
        },
    )


def user_not_found(user_id: str) -> dict[str, Any]:
    """The resource-not-found item the API returns (HTTP 200, errors only) for an unknown user."""
    return {
        "value": user_id,
        "detail": f"Could not find user with id: [{user_id}].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": "id",
        "resource_id": user_id,
        "type": PROBLEM_BASE + "resource-not-found",
    }


def too_many_requests() -> ApiError:
    """The 429 body, exactly as X sends it."""
    return about_blank(429, "Too Many Requests")
