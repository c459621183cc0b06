"""The Cognito user pool as a StaffDirectory (boto3 cognito-idp, the operator's own AWS credentials)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from activecare.roles import ordered
from activecare.staff.errors import InvalidStaff, StaffExists, UnknownStaff
from activecare.staff.models import Group, StaffMember


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _message(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Message", "")) or str(exc)


class CognitoStaffDirectory:
    def __init__(self, client: Any, user_pool_id: str) -> None:
        """`client`: boto3.client("cognito-idp")."""
        self.client = client
        self.pool = user_pool_id

    def _call(self, operation: str, username: str, **params: Any) -> Any:
        from botocore.exceptions import ClientError

        try:
            return getattr(self.client, operation)(UserPoolId=self.pool, Username=username, **params)
        except ClientError as exc:
            code = _error_code(exc)
            if code == "UserNotFoundException":
                raise UnknownStaff(f"no staff member {username!r} in user pool {self.pool}") from None
            if code == "UsernameExistsException":
                raise StaffExists(f"staff member {username!r} exists already in user pool {self.pool}") from None
            if code in ("InvalidPasswordException", "InvalidParameterException"):
                raise InvalidStaff(f"{username}: {_message(exc)}") from None
            raise

    def create(self, username: str, email: str, *, temporary_password: str | None) -> StaffMember:
        params: dict[str, Any] = {
            # The operator vouches for the address: account recovery goes there.
            "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        }
        if temporary_password is None:
            params["DesiredDeliveryMediums"] = ["EMAIL"]  # Cognito makes the password and sends the invitation
        else:
            params["TemporaryPassword"] = temporary_password
            params["MessageAction"] = "SUPPRESS"
        user = self._call("admin_create_user", username, **params)["User"]
        return _member(user, ())

    def disable(self, username: str) -> None:
        self._call("admin_disable_user", username)

    def enable(self, username: str) -> None:
        self._call("admin_enable_user", username)

    def members(self) -> list[StaffMember]:
        users = [u for page in self.client.get_paginator("list_users").paginate(UserPoolId=self.pool)
                 for u in page.get("Users", [])]
        return [_member(u, self.groups_of(u["Username"])) for u in users]

    def groups_of(self, username: str) -> tuple[Group, ...]:
        names: set[str] = set()
        token: str | None = None
        while True:
            page = self._call("admin_list_groups_for_user", username, **({"NextToken": token} if token else {}))
            names |= {g["GroupName"] for g in page.get("Groups", [])}
            token = page.get("NextToken")
            if not token:
                return ordered(names)

    def add_to_group(self, username: str, group: Group) -> None:
        self._call("admin_add_user_to_group", username, GroupName=group)

    def remove_from_group(self, username: str, group: Group) -> None:
        self._call("admin_remove_user_from_group", username, GroupName=group)


def _member(user: dict[str, Any], groups: tuple[Group, ...]) -> StaffMember:
    attributes = {a["Name"]: a.get("Value", "") for a in user.get("Attributes", [])}
    created = user.get("UserCreateDate")
    if not isinstance(created, datetime):
        created = datetime.fromtimestamp(0, UTC)
    return StaffMember(username=user["Username"], email=attributes.get("email", ""),
                       enabled=bool(user.get("Enabled", True)), status=str(user.get("UserStatus", "")),
                       groups=groups, created_at=created.astimezone(UTC))
