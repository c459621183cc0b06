"""What staff management needs from the user pool (the Cognito adapter in cognito.py, a fake in memory.py)."""

from __future__ import annotations

from typing import Protocol

from activecare.staff.models import Group, StaffMember


class StaffDirectory(Protocol):
    def create(self, username: str, email: str, *, temporary_password: str | None) -> StaffMember:
        """A new member who must set a password at the first sign-in. With `temporary_password`, no message is
        sent (the operator hands it over); without, the pool makes one and e-mails the invitation.
        An existing user name -> StaffExists."""
        ...

    def disable(self, username: str) -> None:
        """The member can no longer sign in (tokens already issued live until they expire). Unknown ->
        UnknownStaff."""
        ...

    def enable(self, username: str) -> None: ...

    def members(self) -> list[StaffMember]:
        """Everyone in the pool, with their groups."""
        ...

    def groups_of(self, username: str) -> tuple[Group, ...]: ...

    def add_to_group(self, username: str, group: Group) -> None: ...

    def remove_from_group(self, username: str, group: Group) -> None: ...
