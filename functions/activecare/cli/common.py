"""What every command group shares."""

from __future__ import annotations


class CliError(Exception):
    """A usage problem the user can fix: printed as `error: ...`, exit code 2."""
