"""Which department receives which inquiries, and who in it gets the e-mail (data/report_routing.json)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class RoutingError(ValueError):
    pass


@dataclass(frozen=True)
class Department:
    key: str
    name: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class Routing:
    departments: dict[str, Department]
    fallback: str
    topic_labels: dict[str, str]

    def route(self, department: str) -> str:
        """The department that receives an inquiry of `department` (unknown ones go to the fallback)."""
        return department if department in self.departments else self.fallback

    def topic_label(self, topic: str) -> str:
        return self.topic_labels.get(topic, topic)

    @classmethod
    def parse(cls, text: str, source: str = "report_routing.json") -> Routing:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RoutingError(f"{source}: not JSON: {exc}") from None
        depts = raw.get("departments") if isinstance(raw, dict) else None
        if not isinstance(depts, dict) or not depts:
            raise RoutingError(f"{source}: 'departments' must be a non-empty object")
        parsed: dict[str, Department] = {}
        for key, spec in depts.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                raise RoutingError(f"{source}: department {key!r} needs a name")
            recipients = spec.get("recipients")
            if not isinstance(recipients, list) or not recipients:
                raise RoutingError(f"{source}: department {key!r} has no recipients")
            for r in recipients:
                if not isinstance(r, str) or not _EMAIL.match(r):
                    raise RoutingError(f"{source}: department {key!r}: {r!r} is not an e-mail address")
            if len(recipients) > 50:
                raise RoutingError(f"{source}: department {key!r}: SES takes at most 50 recipients")
            parsed[key] = Department(key, spec["name"], tuple(recipients))
        fallback = raw.get("fallback_department", "")
        if fallback not in parsed:
            raise RoutingError(f"{source}: fallback_department {fallback!r} is not a department")
        topics = raw.get("topics", {})
        if not isinstance(topics, dict) or not all(isinstance(v, str) for v in topics.values()):
            raise RoutingError(f"{source}: 'topics' must map topic names to labels")
        return cls(parsed, fallback, dict(topics))


def load_routing(path: str = "") -> Routing:
    """The routing file at `path`, or the packaged one."""
    if path:
        return Routing.parse(Path(path).read_text(encoding="utf-8"), source=path)
    text = resources.files("activecare").joinpath("data/report_routing.json").read_text(encoding="utf-8")
    return Routing.parse(text)
