"""Staff errors: the one error model (activecare.errors) with the staff feature's codes."""

from __future__ import annotations

from activecare.errors import AppError, BadRequest, Conflict, NotFound, Unauthorized

StaffError = AppError


class InvalidStaff(BadRequest):
    """A user name, e-mail address, group or password that the pool would refuse or the desk cannot use."""

    code = "invalid"


class UnknownStaff(NotFound):
    code = "unknown_staff"


class StaffExists(Conflict):
    code = "staff_exists"


class NotSignedIn(Unauthorized):
    """No staff access token behind the request (the route is open, or the event was not made by the JWT
    authorizer)."""

    code = "not_signed_in"
