"""Skill standards: the criteria supervisors score a reply on, each with a description and a scale, and the
sampling rules. An ops-edited CSV (``data/skill_standards.csv``, header ``kind,key,name,value,description``; ``#``
lines and blank lines ignored), validated with every problem as ``file:line: reason`` and stored in the state
table by ``activecare qa import`` (the desk reads it there: no deploy)."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from importlib import resources

from activecare.file_errors import FileErrors, read_ops_text

COLUMNS = ("kind", "key", "name", "value", "description")
SAMPLING_KEYS = ("share", "trainees")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_SCALE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
MAX_NAME = 40
MAX_DESCRIPTION = 300


class StandardsError(FileErrors):
    default_source = "<skill standards>"


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    description: str
    low: int
    high: int


@dataclass(frozen=True)
class Standards:
    criteria: tuple[Criterion, ...]
    share: float  # of each agent's replies of a day
    trainee_share: float  # 1.0: all

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)

    def samples(self, tweet_id: str, agent: str, day: str, *, trainee: bool) -> bool:
        """Deterministic: a reply is sampled when a hash of (day, agent, tweet) falls under the share - the same
        answer on every read, whatever else was posted that day."""
        share = self.trainee_share if trainee else self.share
        if share >= 1:
            return True
        digest = hashlib.sha256(f"{day}\n{agent}\n{tweet_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < share

    def rows(self) -> list[dict[str, str]]:
        out = [{"kind": "criterion", "key": c.key, "name": c.name, "value": f"{c.low}-{c.high}",
                "description": c.description} for c in self.criteria]
        out.append({"kind": "sampling", "key": "share", "name": "", "value": _num(self.share), "description": ""})
        out.append({"kind": "sampling", "key": "trainees", "name": "",
                    "value": "all" if self.trainee_share >= 1 else _num(self.trainee_share), "description": ""})
        return out


def _num(x: float) -> str:
    return f"{x:g}"


def _share(value: str) -> float | None:
    try:
        x = float(value)
    except ValueError:
        return None
    return x if 0 <= x <= 1 else None


def parse_standards(source: str | bytes | os.PathLike[str], name: str | None = None) -> Standards:
    """Parse and validate; every problem is reported at once (StandardsError)."""
    text, label = read_ops_text(source, name, StandardsError)
    errors: list[tuple[int, str]] = []
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise StandardsError([(1, "the file is empty: a header kind,key,name,value,description is needed")], label)
    header_line, header = lines[0]
    columns = [c.strip() for c in next(csv.reader([header]))]
    if columns != list(COLUMNS):
        raise StandardsError([(header_line, f"the header must be {','.join(COLUMNS)} (got {header.strip()})")], label)
    criteria: list[Criterion] = []
    seen: dict[str, int] = {}
    sampling: dict[str, tuple[int, float]] = {}
    for n, line in lines[1:]:
        fields = next(csv.reader(io.StringIO(line)), [])
        if len(fields) != len(COLUMNS):
            errors.append((n, f"{len(fields)} fields; a row has {len(COLUMNS)} ({','.join(COLUMNS)})"))
            continue
        kind, key, label_, value, description = (f.strip() for f in fields)
        if kind == "criterion":
            problems = []
            if not _KEY.match(key):
                problems.append(f"criterion key {key!r} must be a-z, 0-9 and _ (starting with a letter)")
            elif key in seen:
                problems.append(f"criterion {key} is already defined on line {seen[key]}")
            if not label_ or len(label_) > MAX_NAME:
                problems.append(f"criterion {key}: a name of 1-{MAX_NAME} characters is needed")
            if not description or len(description) > MAX_DESCRIPTION:
                problems.append(f"criterion {key}: a description of 1-{MAX_DESCRIPTION} characters is needed")
            scale = _SCALE.match(value)
            low, high = (int(scale.group(1)), int(scale.group(2))) if scale else (0, 0)
            if not scale or not 0 <= low < high <= 10:
                problems.append(f"criterion {key}: scale {value!r} must be MIN-MAX, whole numbers 0-10, MIN < MAX")
            errors += [(n, p) for p in problems]
            if not problems:
                seen[key] = n
                criteria.append(Criterion(key, label_, description, low, high))
        elif kind == "sampling":
            if key not in SAMPLING_KEYS:
                errors.append((n, f"unknown sampling rule {key!r}; the rules are {', '.join(SAMPLING_KEYS)}"))
                continue
            if key in sampling:
                errors.append((n, f"sampling {key} is already set on line {sampling[key][0]}"))
                continue
            share = 1.0 if key == "trainees" and value == "all" else _share(value)
            if share is None:
                allowed = "'all' or a share between 0 and 1" if key == "trainees" else "a share between 0 and 1"
                errors.append((n, f"sampling {key}: {value!r} is not {allowed}"))
                continue
            sampling[key] = (n, share)
        else:
            errors.append((n, f"unknown kind {kind!r}; a row is a criterion or a sampling rule"))
    end = lines[-1][0]
    if not criteria and not errors:
        errors.append((end, "no criterion: at least one criterion row is needed"))
    if "share" not in sampling:
        errors.append((end, "sampling share is missing (the share of each agent's replies to review)"))
    if errors:
        raise StandardsError(sorted(errors), label)
    return Standards(tuple(criteria), sampling["share"][1], sampling.get("trainees", (0, 1.0))[1])


def default_standards() -> Standards:
    data = resources.files("activecare.data").joinpath("skill_standards.csv").read_bytes()
    return parse_standards(data, "skill_standards.csv")


def from_rows(rows: list[dict[str, str]]) -> Standards:
    """The stored standards back (validated again, like the keyword table's rows)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return parse_standards(buf.getvalue(), "<stored standards>")
