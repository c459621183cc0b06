"""What a staff member is, and the rules every one of them follows (the template's user pool keeps the same)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from activecare.roles import GROUPS, Group

__all__ = ["GROUPS", "Group"]

# The user name becomes the agent's name on claims, replies and figures (desk.service.check_agent accepts it):
# lower case (the pool's user names are case-insensitive, so "Sato" and "sato" would be one person).
USERNAME_RE: Final = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# template.yaml UserPool.Policies.PasswordPolicy (tests/unit/test_staff_service.py checks they agree).
PASSWORD_MIN_LENGTH: Final = 12
# The special characters Cognito counts as symbols in a password policy.
PASSWORD_SYMBOLS: Final = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"


@dataclass(frozen=True)
class StaffMember:
    username: str
    email: str
    enabled: bool
    status: str  # Cognito's UserStatus: FORCE_CHANGE_PASSWORD until the first sign-in, then CONFIRMED, ...
    groups: tuple[Group, ...]
    created_at: datetime


@dataclass(frozen=True)
class NewStaffMember:
    member: StaffMember
    # Set only when the password is handed over by the operator (printed once); None when Cognito e-mailed
    # the invitation with a password of its own.
    temporary_password: str | None
