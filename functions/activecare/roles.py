"""The staff pool's groups (template.yaml's UserPool groups), declared once: the desk enforces them, the staff
feature manages them. Supervisors can do what agents can, admins what supervisors can. Trainees are agents
(new staff, on the job training) whose replies wait for a supervisor's approval before they are posted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal

Group = Literal["agents", "supervisors", "admins", "trainees"]
GROUPS: Final[tuple[Group, ...]] = ("agents", "supervisors", "admins", "trainees")


def ordered(names: Iterable[object]) -> tuple[Group, ...]:
    """The known groups among `names`, in the pool's order (Cognito keeps none)."""
    wanted = {str(n) for n in names}
    return tuple(g for g in GROUPS if g in wanted)


def supervises(groups: Iterable[str]) -> bool:
    return bool(set(groups) & {"supervisors", "admins"})


def in_training(groups: Iterable[str]) -> bool:
    """A trainee's replies are held for approval - unless they also supervise (a supervisor is never held)."""
    names = set(groups)
    return "trainees" in names and not supervises(names)
