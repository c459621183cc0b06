"""Telling a failed DynamoDB condition (an idempotent no-op) from a real error."""

from __future__ import annotations


def condition_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"
