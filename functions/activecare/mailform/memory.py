"""In-memory fakes of the mail form's ports (unit tests, the contract tests' reference)."""

from __future__ import annotations

import base64
import threading
from dataclasses import replace
from datetime import datetime

from activecare.mailform.models import Case, Entry, FormLink, Sealed, TriageItem
from activecare.mailform.ports import MailRejected


class MemoryMailStore:
    def __init__(self) -> None:
        self.links: dict[str, FormLink] = {}
        self.cases: dict[str, Case] = {}
        self.refs: dict[str, str] = {}
        self.items: dict[tuple[str, str], Entry] = {}
        self.pending: set[tuple[str, str]] = set()
        self.triaged: dict[str, TriageItem] = {}
        self.tallies: dict[tuple[str, str], dict[str, float]] = {}
        self.fail_after_submit = False  # a crash between storing a submission and joining it to the inquiry
        self._lock = threading.Lock()

    def put_link(self, link: FormLink, keep_until: datetime) -> None:
        self.links[link.token_hash] = link

    def get_link(self, token_hash: str) -> FormLink | None:
        return self.links.get(token_hash)

    def get_case(self, inquiry_id: str) -> Case | None:
        return self.cases.get(inquiry_id)

    def put_case(self, case: Case, keep_until: datetime) -> bool:
        with self._lock:
            if case.inquiry_id in self.cases:
                return False
            self.cases[case.inquiry_id] = case
            self.refs[case.reference] = case.inquiry_id
            return True

    def case_by_reference(self, reference: str) -> str | None:
        return self.refs.get(reference)

    def update_case(self, inquiry_id: str, **changes: object) -> bool:
        with self._lock:
            case = self.cases[inquiry_id]
            wanted = {k: v for k, v in changes.items() if getattr(case, k) is None}
            if not wanted:
                return False
            self.cases[inquiry_id] = replace(case, **wanted)  # type: ignore[arg-type]
            return True

    def submit(self, entry: Entry, token_hash: str, at: datetime, keep_until: datetime) -> bool:
        with self._lock:
            link = self.links.get(token_hash)
            if link is None or link.used_at is not None or (entry.inquiry_id, entry.sk) in self.items:
                return False
            self.links[token_hash] = replace(link, used_at=at)
            self.items[(entry.inquiry_id, entry.sk)] = entry
            self.pending.add((entry.inquiry_id, entry.sk))
        if self.fail_after_submit:
            self.fail_after_submit = False
            raise RuntimeError("crash after storing the submission")
        return True

    def pending_links(self) -> list[tuple[str, str]]:
        return sorted(self.pending)

    def mark_linked(self, inquiry_id: str, sk: str) -> bool:
        with self._lock:
            if (inquiry_id, sk) not in self.pending:
                return False
            self.pending.discard((inquiry_id, sk))
            self.items[(inquiry_id, sk)] = replace(self.items[(inquiry_id, sk)], status="linked")
            return True

    def put_entry(self, entry: Entry, keep_until: datetime) -> bool:
        with self._lock:
            if (entry.inquiry_id, entry.sk) in self.items:
                return False
            self.items[(entry.inquiry_id, entry.sk)] = entry
            return True

    def update_entry(self, inquiry_id: str, sk: str, **changes: object) -> None:
        with self._lock:
            self.items[(inquiry_id, sk)] = replace(self.items[(inquiry_id, sk)], **changes)  # type: ignore[arg-type]

    def get_entry(self, inquiry_id: str, sk: str) -> Entry | None:
        return self.items.get((inquiry_id, sk))

    def entries(self, inquiry_id: str) -> list[Entry]:
        return sorted((e for (i, _), e in self.items.items() if i == inquiry_id), key=lambda e: (e.at, e.sk))

    def put_triage(self, item: TriageItem, keep_until: datetime) -> bool:
        with self._lock:
            if item.sk in self.triaged:
                return False
            self.triaged[item.sk] = item
            return True

    def triage(self, limit: int = 100) -> list[TriageItem]:
        return sorted(self.triaged.values(), key=lambda t: t.at)[:limit]

    def count(self, day: str, department: str, counts: dict[str, int | float]) -> None:
        with self._lock:
            for dept in {"", department}:
                row = self.tallies.setdefault((day, dept), {})
                for k, v in counts.items():
                    row[k] = row.get(k, 0) + v

    def counts(self, day: str) -> dict[str, dict[str, float]]:
        return {dept: dict(row) for (d, dept), row in self.tallies.items() if d == day}


class MemoryCipher:
    """Reversible, bound to record and field like the KMS one (a wrong record does not open it). Not secret."""

    def __init__(self) -> None:
        self.opened = 0

    def seal(self, record: str, values: dict[str, str]) -> Sealed:
        return {k: base64.b64encode(f"{record}|{k}|{v}".encode()).decode() for k, v in values.items()}

    def open(self, record: str, sealed: Sealed) -> dict[str, str]:
        out = {}
        for k, v in sealed.items():
            rec, field, value = base64.b64decode(v).decode().split("|", 2)
            if (rec, field) != (record, k):
                raise ValueError("the ciphertext belongs to another record")
            out[k] = value
            self.opened += 1
        return out


class MemoryMailer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[str, ...], bytes]] = []
        self.reject = False

    def send(self, sender: str, recipients: tuple[str, ...], raw: bytes) -> str:
        if self.reject:
            raise MailRejected("MessageRejected")
        self.sent.append((sender, recipients, raw))
        return f"memory-{len(self.sent)}"


class MemoryBucket:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def get(self, key: str) -> bytes:
        return self.objects[key][0]

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.objects[key] = (body, content_type)


class MemoryInquiries:
    """Inquiries by id -> department, and the desk events the mail form put on them."""

    def __init__(self, departments: dict[str, str] | None = None) -> None:
        self.departments = dict(departments or {})
        self.notes: list[tuple[str, str, datetime, str, str]] = []

    def department(self, inquiry_id: str) -> str | None:
        return self.departments.get(inquiry_id)

    def note(self, inquiry_id: str, kind: str, at: datetime, detail: str, agent: str = "customer") -> None:
        if not any(n[0] == inquiry_id and n[1] == kind and n[3] == detail for n in self.notes):
            self.notes.append((inquiry_id, kind, at, detail, agent))
