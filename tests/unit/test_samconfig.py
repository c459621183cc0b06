"""samconfig.toml deploys template.yaml: every override names a template parameter with a valid value, every
parameter without a default is set, and each environment is a complete, separate stack."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from activecare.reporting.routing import load_routing
from activecare.settings import Settings
from infra.deploy import load_template

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("default", "staging")
CONFIG = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
PARAMETERS: dict[str, Any] = load_template()["Parameters"]


def _overrides(env: str) -> dict[str, str]:
    """parameter_overrides as SAM CLI reads them: `Key=Value`, a value with quotes or spaces inside '...'."""
    raw = CONFIG[env]["deploy"]["parameters"]["parameter_overrides"]
    items = raw if isinstance(raw, list) else re.findall(r"\S+='[^']*'|\S+=\"[^\"]*\"|\S+", raw)
    out: dict[str, str] = {}
    for item in items:
        key, _, value = item.partition("=")
        if value[:1] in "'\"" and value[-1:] == value[:1]:
            value = value[1:-1]
        else:  # SAM CLI cuts an unquoted value at a quote or space: such values must be quoted
            assert '"' not in value and " " not in value, f"{env}: quote the value of {key}"
        assert key not in out, f"{env}: {key} set twice"
        out[key] = value
    return out


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_override_names_a_template_parameter_with_an_allowed_value(env: str) -> None:
    overrides = _overrides(env)
    assert set(overrides) <= set(PARAMETERS), set(overrides) - set(PARAMETERS)
    for key, value in overrides.items():
        spec = PARAMETERS[key]
        if "AllowedValues" in spec:
            assert value in spec["AllowedValues"], (env, key, value)
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], value), (env, key, value)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_parameter_without_a_default_is_set(env: str) -> None:
    required = {name for name, spec in PARAMETERS.items() if "Default" not in spec}
    assert required <= set(_overrides(env))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_values_are_what_the_code_accepts(env: str) -> None:
    overrides = _overrides(env)
    settings = Settings(accounts=overrides["SupportAccounts"], access_level=overrides["XAccessLevel"],
                        report_times=f"{overrides['FirstReportTime']},{overrides['SecondReportTime']}",
                        report_routing_file=overrides["ReportRoutingFile"])
    assert [a.key for a in settings.accounts] == ["general", "signal", "wifi"]
    assert len({a.user_id for a in settings.accounts}) == 3
    assert load_routing(settings.report_routing_file).departments  # the file exists in the code and parses
    json.loads(overrides["SupportAccounts"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_deploys_its_own_stack_in_tokyo(env: str) -> None:
    deploy = CONFIG[env]["deploy"]["parameters"]
    assert deploy["region"] == "ap-northeast-1"
    assert deploy["resolve_s3"] is True
    assert set(deploy["capabilities"].split()) == {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}
    assert isinstance(deploy["confirm_changeset"], bool)
    assert CONFIG[env]["global"]["parameters"]["stack_name"] == deploy["stack_name"]
    assert "secret" not in json.dumps(deploy).lower() and "token" not in json.dumps(deploy).lower()


def test_the_environments_are_separate_stacks() -> None:
    stacks = {CONFIG[env]["deploy"]["parameters"]["stack_name"] for env in ENVIRONMENTS}
    assert len(stacks) == len(ENVIRONMENTS)
    assert CONFIG["default"]["deploy"]["parameters"]["confirm_changeset"] is True  # production shows the change set
