"""The desk's errors are the one error model's (activecare.errors); X being unreachable has its own code."""

from __future__ import annotations

from activecare.errors import AppError, BadRequest, Conflict, Forbidden, NotFound, Refused
from activecare.errors import Unavailable as _Unavailable

DeskError = AppError  # the desk handler maps every AppError the same way

__all__ = ["BadRequest", "Conflict", "DeskError", "Forbidden", "NotFound", "Refused", "Unavailable"]


class Unavailable(_Unavailable):
    """X could not be reached; retry with the same client token (nothing is posted twice)."""

    code = "x_unavailable"
