"""The one error model: every refusal a service raises carries an HTTP status, a stable machine code,
a human reason (in the operator's or agent's words) and optional extras. The APIs answer with
`as_dict()` and the CLI prints the same JSON, so a caller learns one shape:

    {"error": "<reason>", "code": "<machine_code>", "status": 409, ...extras}
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(self, reason: str, *, code: str | None = None, status: int | None = None, **extra: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.reason, "code": self.code, "status": self.status, **self.extra}


class BadRequest(AppError):
    status = 400


class Unauthorized(AppError):
    """No or an unverifiable identity (API Gateway answers this before the handler on AWS)."""

    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    """The caller's role does not allow the action."""

    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    """The state forbids the action now (someone else holds it, a token was reused, already done)."""

    status = 409
    code = "conflict"


class Refused(AppError):
    """The request breaks a rule (personal data, service hours, length): nothing was done."""

    status = 422
    code = "refused"


class Unavailable(AppError):
    """A dependency (X, AWS) could not be reached; retrying the same request is safe."""

    status = 503
    code = "unavailable"
