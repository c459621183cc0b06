"""Desk errors: each carries the HTTP status the API answers with and a plain reason."""

from __future__ import annotations

from typing import Any


class DeskError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, reason: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        if code:
            self.code = code
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.reason, "code": self.code, **self.extra}


class BadRequest(DeskError):
    status = 400


class NotFound(DeskError):
    status = 404
    code = "not_found"


class Conflict(DeskError):
    """Someone else holds the inquiry, a token was reused, the state forbids the action."""

    status = 409
    code = "conflict"


class Refused(DeskError):
    """The reply breaks a rule (personal data, service hours, length): nothing was posted."""

    status = 422
    code = "refused"


class Unavailable(DeskError):
    """X could not be reached; retry with the same client token (nothing is posted twice)."""

    status = 503
    code = "x_unavailable"
