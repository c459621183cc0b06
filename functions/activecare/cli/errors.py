"""The CLI's usage error (its own module, so the stack loader and the command groups share it without a cycle)."""

from __future__ import annotations


class CliError(Exception):
    """A usage problem the user can fix: printed as `error: ...`, exit code 2."""
