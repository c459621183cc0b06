"""An in-memory user pool for unit tests (the same contract as the Cognito adapter)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from activecare.clock import Clock, system_clock
from activecare.roles import ordered
from activecare.staff.errors import StaffExists, UnknownStaff
from activecare.staff.models import Group, StaffMember


@dataclass
class _User:
    member: StaffMember
    groups: set[Group] = field(default_factory=set)
    password: str | None = None
    invited_by_email: bool = False


class MemoryStaffDirectory:
    def __init__(self, clock: Clock = system_clock) -> None:
        self.clock = clock
        self.users: dict[str, _User] = {}
        self.calls: list[tuple[str, ...]] = []

    def _user(self, username: str) -> _User:
        user = self.users.get(username.lower())
        if user is None:
            raise UnknownStaff(f"no staff member {username!r}")
        return user

    def _with_groups(self, user: _User) -> StaffMember:
        return replace(user.member, groups=ordered(user.groups))

    def create(self, username: str, email: str, *, temporary_password: str | None) -> StaffMember:
        self.calls.append(("create", username))
        if username.lower() in self.users:
            raise StaffExists(f"staff member {username!r} exists already")
        now: datetime = self.clock()
        user = _User(StaffMember(username, email, True, "FORCE_CHANGE_PASSWORD", (), now),
                     password=temporary_password, invited_by_email=temporary_password is None)
        self.users[username.lower()] = user
        return self._with_groups(user)

    def disable(self, username: str) -> None:
        self.calls.append(("disable", username))
        user = self._user(username)
        user.member = replace(user.member, enabled=False)

    def enable(self, username: str) -> None:
        self.calls.append(("enable", username))
        user = self._user(username)
        user.member = replace(user.member, enabled=True)

    def members(self) -> list[StaffMember]:
        return [self._with_groups(u) for u in self.users.values()]

    def groups_of(self, username: str) -> tuple[Group, ...]:
        return self._with_groups(self._user(username)).groups

    def add_to_group(self, username: str, group: Group) -> None:
        self.calls.append(("add_to_group", username, group))
        self._user(username).groups.add(group)

    def remove_from_group(self, username: str, group: Group) -> None:
        self.calls.append(("remove_from_group", username, group))
        self._user(username).groups.discard(group)
