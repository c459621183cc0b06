"""A state read back from storage as the `Literal` type its package declares (the tuple of its values)."""

from __future__ import annotations

from typing import TypeVar

L = TypeVar("L", bound=str)


def parse_literal(value: str, allowed: tuple[L, ...]) -> L:
    """`value` as one of `allowed`; a value the code does not know is an error, not a string passed on."""
    for known in allowed:
        if value == known:
            return known
    raise ValueError(f"unknown state {value!r} (expected one of {', '.join(allowed)})")
