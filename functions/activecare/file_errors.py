"""The error of an ops-edited file (keywords, content calendar): every problem at once, each
as `file:line: reason`, so ops fix the file in one pass."""

from __future__ import annotations

import os
from pathlib import Path


class FileErrors(ValueError):
    """`errors` lists every problem as (line, reason)."""

    default_source = "<file>"

    def __init__(self, errors: list[tuple[int, str]], source: str | None = None) -> None:
        self.errors = errors
        self.source = source or self.default_source
        super().__init__("\n".join(f"{self.source}:{line}: {reason}" for line, reason in errors))


def read_ops_text(source: str | bytes | os.PathLike[str], name: str | None,
                  error: type[FileErrors]) -> tuple[str, str]:
    """(text, label) of an ops file given as a path, raw bytes or text (a str with a newline).

    UTF-8 with or without Excel's BOM; anything else is `error` naming the line."""
    if isinstance(source, bytes):
        data, label = source, name or "<bytes>"
    elif isinstance(source, str) and "\n" in source:
        data, label = source.encode("utf-8"), name or "<text>"
    else:
        path = Path(source)
        data, label = path.read_bytes(), name or path.name
    try:
        return data.decode("utf-8-sig"), label
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise error([(line, f"not valid UTF-8 (byte 0x{bad} at offset {exc.start})")], label) from None
