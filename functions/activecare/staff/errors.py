"""Staff errors: a plain reason the CLI prints as it is."""

from __future__ import annotations


class StaffError(Exception):
    code = "staff_error"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidStaff(StaffError):
    """A user name, e-mail address, group or password that the pool would refuse or the desk cannot use."""

    code = "invalid"


class UnknownStaff(StaffError):
    code = "unknown_staff"


class StaffExists(StaffError):
    code = "staff_exists"
