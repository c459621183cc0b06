"""Fixtures shared by the template's unit tests (test_template, test_security)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra.deploy import transform_template


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def transformed(monkeypatch_module: pytest.MonkeyPatch) -> dict[str, Any]:
    """template.yaml after the SAM transform, offline (the translator wants packaged S3 code locations)."""
    return transform_template("s3://activecare-artifacts/code.zip")
