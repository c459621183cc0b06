"""Conditional writes: a failed condition is an idempotent no-op (False), anything else raises.

Every write a retry can repeat goes through these, so "already done" is told apart
from a real error in one place.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.models import Model


def condition_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def save_if(item: Model, condition: Any) -> bool:
    """PutItem under a condition (typically `Model.pk.does_not_exist()`)."""
    try:
        item.save(condition=condition)
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def update_if(item: Model, actions: list[Any], condition: Any) -> bool:
    """UpdateItem under a condition."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def delete_if(item: Model, condition: Any) -> bool:
    """DeleteItem under a condition."""
    try:
        item.delete(condition=condition)
    except DeleteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
