"""StaffService: add, disable, enable, list staff and set their groups, with every rule checked before the pool
is called (so a refusal never leaves half a member behind)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterable

from activecare.roles import ordered
from activecare.staff.errors import InvalidStaff
from activecare.staff.models import (
    EMAIL_RE,
    GROUPS,
    PASSWORD_MIN_LENGTH,
    PASSWORD_SYMBOLS,
    USERNAME_RE,
    Group,
    NewStaffMember,
    StaffMember,
)
from activecare.staff.ports import StaffDirectory

TEMPORARY_PASSWORD_LENGTH = 16


def check_username(username: str) -> str:
    name = username.strip()
    if not USERNAME_RE.match(name):
        raise InvalidStaff(f"user name {username!r} must be 2-32 characters: a lower-case letter, then lower-case "
                           "letters, digits, '.', '_' or '-' (it is the agent's name on claims and replies)")
    return name


def check_email(email: str) -> str:
    address = email.strip()
    if not EMAIL_RE.match(address):
        raise InvalidStaff(f"{email!r} is not an e-mail address")
    return address


def parse_groups(values: Iterable[str], *, allow_none: bool = False) -> tuple[Group, ...]:
    """Group names, each given alone or comma-separated ("agents,supervisors"), in the pool's order."""
    wanted = {part.strip() for value in values for part in value.split(",") if part.strip()}
    unknown = sorted(wanted - set(GROUPS))
    if unknown:
        raise InvalidStaff(f"unknown group {', '.join(unknown)}: the groups are {', '.join(GROUPS)}")
    if not wanted and not allow_none:
        raise InvalidStaff(f"give at least one group ({', '.join(GROUPS)}): a member in none can do nothing")
    return ordered(wanted)


def temporary_password(length: int = TEMPORARY_PASSWORD_LENGTH) -> str:
    """A random password the pool's policy accepts: lower and upper case, digits and symbols."""
    if length < PASSWORD_MIN_LENGTH:
        raise ValueError(f"a password needs at least {PASSWORD_MIN_LENGTH} characters")
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, PASSWORD_SYMBOLS)
    chars = [secrets.choice(c) for c in classes]
    alphabet = "".join(classes)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


class StaffService:
    def __init__(self, directory: StaffDirectory, *,
                 make_password: Callable[[], str] = temporary_password) -> None:
        self.directory = directory
        self.make_password = make_password

    def add(self, username: str, email: str, groups: Iterable[str], *,
            print_password: bool = False) -> NewStaffMember:
        """A new member in `groups`. `print_password`: a temporary password made here and returned (to be
        shown once); otherwise the pool e-mails the invitation with its own."""
        name, address, wanted = check_username(username), check_email(email), parse_groups(groups)
        password = self.make_password() if print_password else None
        member = self.directory.create(name, address, temporary_password=password)
        for group in wanted:
            self.directory.add_to_group(name, group)
        return NewStaffMember(StaffMember(member.username, member.email, member.enabled, member.status, wanted,
                                          member.created_at), password)

    def disable(self, username: str) -> None:
        self.directory.disable(check_username(username))

    def enable(self, username: str) -> None:
        self.directory.enable(check_username(username))

    def list(self) -> list[StaffMember]:
        return sorted(self.directory.members(), key=lambda m: m.username)

    def groups(self, username: str) -> tuple[Group, ...]:
        return self.directory.groups_of(check_username(username))

    def set_groups(self, username: str, groups: Iterable[str]) -> tuple[Group, ...]:
        """Exactly `groups` (at least one): the missing ones added first, then the others removed, so the member
        is never in no group at all on the way."""
        name, wanted = check_username(username), parse_groups(groups)
        current = set(self.directory.groups_of(name))
        for group in wanted:
            if group not in current:
                self.directory.add_to_group(name, group)
        for group in GROUPS:
            if group in current and group not in wanted:
                self.directory.remove_from_group(name, group)
        return wanted
