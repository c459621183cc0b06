"""StaffService on the in-memory pool: validation before any call, groups set exactly, passwords the pool's
policy accepts; the caller's identity from the JWT authorizer's claims as API Gateway formats them."""

from __future__ import annotations

import string
from datetime import UTC, datetime
from typing import Any

import pytest

from activecare.clock import fixed_clock
from activecare.staff.errors import InvalidStaff, StaffExists, UnknownStaff
from activecare.staff.identity import NotSignedIn, caller, claim_list
from activecare.staff.memory import MemoryStaffDirectory
from activecare.staff.models import PASSWORD_MIN_LENGTH, PASSWORD_SYMBOLS
from activecare.staff.service import StaffService, parse_groups, temporary_password

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


@pytest.fixture
def pool() -> MemoryStaffDirectory:
    return MemoryStaffDirectory(fixed_clock(NOW))


@pytest.fixture
def staff(pool: MemoryStaffDirectory) -> StaffService:
    return StaffService(pool, make_password=lambda: "Temp-Password-1!")


def test_add_puts_the_member_in_their_groups_and_cognito_emails_the_invitation(
        staff: StaffService, pool: MemoryStaffDirectory) -> None:
    added = staff.add(" sato ", "sato@example.co.jp", ["supervisors", "agents"])
    assert added.temporary_password is None and pool.users["sato"].invited_by_email
    member = added.member
    assert (member.username, member.email, member.groups, member.enabled) == (
        "sato", "sato@example.co.jp", ("agents", "supervisors"), True)
    assert member.status == "FORCE_CHANGE_PASSWORD" and member.created_at == NOW
    assert staff.list() == [member]


def test_a_printed_password_is_made_here_and_returned_once(staff: StaffService, pool: MemoryStaffDirectory) -> None:
    added = staff.add("suzuki", "suzuki@example.co.jp", ["agents"], print_password=True)
    assert added.temporary_password == "Temp-Password-1!" == pool.users["suzuki"].password
    assert not pool.users["suzuki"].invited_by_email


@pytest.mark.parametrize(("username", "email", "groups", "says"), [
    ("Sato", "sato@example.co.jp", ["agents"], "lower-case"),
    ("s", "s@example.co.jp", ["agents"], "2-32 characters"),
    ("佐藤", "sato@example.co.jp", ["agents"], "user name"),
    ("sato taro", "sato@example.co.jp", ["agents"], "user name"),
    ("sato", "sato.example.co.jp", ["agents"], "not an e-mail address"),
    ("sato", "sato@example.co.jp", ["owners"],
     "unknown group owners: the groups are agents, supervisors, admins, trainees"),
    ("sato", "sato@example.co.jp", [], "at least one group"),
])
def test_bad_input_is_refused_before_the_pool_is_called(staff: StaffService, pool: MemoryStaffDirectory,
                                                        username: str, email: str, groups: list[str],
                                                        says: str) -> None:
    with pytest.raises(InvalidStaff, match=says):
        staff.add(username, email, groups)
    assert pool.calls == []


def test_a_second_member_of_the_same_name_is_refused(staff: StaffService) -> None:
    staff.add("sato", "sato@example.co.jp", ["agents"])
    with pytest.raises(StaffExists):
        staff.add("sato", "other@example.co.jp", ["agents"])


def test_disable_and_enable(staff: StaffService) -> None:
    staff.add("sato", "sato@example.co.jp", ["agents"])
    staff.disable("sato")
    assert not staff.list()[0].enabled
    staff.enable("sato")
    assert staff.list()[0].enabled
    with pytest.raises(UnknownStaff):
        staff.disable("nobody")


def test_set_groups_adds_before_it_removes_and_ends_with_exactly_those(
        staff: StaffService, pool: MemoryStaffDirectory) -> None:
    staff.add("sato", "sato@example.co.jp", ["agents"])
    pool.calls.clear()
    assert staff.set_groups("sato", ["supervisors,admins"]) == ("supervisors", "admins")
    assert pool.calls == [("add_to_group", "sato", "supervisors"), ("add_to_group", "sato", "admins"),
                          ("remove_from_group", "sato", "agents")]
    assert staff.groups("sato") == ("supervisors", "admins")
    with pytest.raises(InvalidStaff, match="at least one group"):
        staff.set_groups("sato", [""])
    assert staff.groups("sato") == ("supervisors", "admins")


def test_groups_parse_alone_or_comma_separated_in_the_pools_order() -> None:
    assert parse_groups(["supervisors", "agents, admins"]) == ("agents", "supervisors", "admins")
    assert parse_groups([], allow_none=True) == ()


def test_temporary_passwords_meet_the_templates_password_policy(transformed: dict[str, Any]) -> None:
    policy = transformed["Resources"]["UserPool"]["Properties"]["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == PASSWORD_MIN_LENGTH
    for _ in range(50):
        password = temporary_password()
        assert len(password) >= policy["MinimumLength"]
        assert any(c in string.ascii_lowercase for c in password) and any(c in string.ascii_uppercase
                                                                          for c in password)
        assert any(c in string.digits for c in password) and any(c in PASSWORD_SYMBOLS for c in password)
    assert len({temporary_password() for _ in range(20)}) == 20


def _event(claims: dict[str, str] | None) -> dict[str, Any]:
    context: dict[str, Any] = {"http": {"method": "GET", "path": "/inquiries"}}
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": ["aws.cognito.signin.user.admin"]}}
    return {"version": "2.0", "requestContext": context}


def test_the_caller_is_read_from_the_authorizers_claims_as_api_gateway_formats_them() -> None:
    claims = {"token_use": "access", "username": "sato", "sub": "0e1e31af", "client_id": "abc",
              "cognito:groups": "[supervisors agents]", "exp": "1796141732"}
    staff = caller(_event(claims))
    assert (staff.username, staff.groups, staff.sub, staff.client_id) == (
        "sato", ("agents", "supervisors"), "0e1e31af", "abc")
    assert staff.supervises and staff.is_in("agents") and not staff.is_in("admins")
    assert caller(_event({**claims, "cognito:groups": "[agents]"})).groups == ("agents",)
    assert caller(_event({k: v for k, v in claims.items() if k != "cognito:groups"})).groups == ()


def test_array_claims_in_every_form_an_event_may_carry() -> None:
    assert claim_list("[agents supervisors]") == ("agents", "supervisors")
    assert claim_list("[]") == ()
    assert claim_list(["agents"]) == ("agents",)
    assert claim_list("agents") == ("agents",)
    assert claim_list(None) == ()


@pytest.mark.parametrize("claims", [None, {}, {"token_use": "id", "cognito:username": "sato"},
                                    {"token_use": "access"}])
def test_no_access_token_no_caller(claims: dict[str, str] | None) -> None:
    with pytest.raises(NotSignedIn):
        caller(_event(claims))
