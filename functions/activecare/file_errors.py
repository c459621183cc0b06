"""The error of an ops-edited file (keywords, content calendar): every problem at once, each
as `file:line: reason`, so ops fix the file in one pass."""

from __future__ import annotations


class FileErrors(ValueError):
    """`errors` lists every problem as (line, reason)."""

    default_source = "<file>"

    def __init__(self, errors: list[tuple[int, str]], source: str | None = None) -> None:
        self.errors = errors
        self.source = source or self.default_source
        super().__init__("\n".join(f"{self.source}:{line}: {reason}" for line, reason in errors))
