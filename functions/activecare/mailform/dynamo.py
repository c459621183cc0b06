"""MailStore over the mail form's table (pk, sk):

    link#<sha256 of the token> / link      a form link: inquiry, expiry, used_at
    case#<inquiry id>          / meta      the case: reference, department, first form / answer, resolved
    case#<inquiry id>          / sub#… ans#… cb#… in#… acc#…   its entries (personal values sealed)
    ref#<reference>            / ref       reference -> inquiry
    pending                    / <inquiry id>#<sk>   a submission not yet joined to its inquiry
    triage                     / <digest>  an inbound e-mail without a known reference
    tally#<JST day>            / <department or ->   the day's counters

Every write a retry can repeat is conditional. The submission, its pending marker and the link's "used" mark
are one transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from activecare.mailform.models import Case, Entry, FormLink, Sealed, TriageItem
from activecare.mailform.ports import TALLY_FIELDS
from activecare.storage.conditions import delete_if, save_if, update_if
from activecare.storage.models import MailRecord, expires_at, register_shared, retention

_ALL = "-"


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


class MailItem(MailRecord):
    inquiry_id = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    link_expires = UTCDateTimeAttribute(null=True)
    used_at = UTCDateTimeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    department = UnicodeAttribute(null=True)
    first_form_at = UTCDateTimeAttribute(null=True)
    first_answer_at = UTCDateTimeAttribute(null=True)
    resolved_by_email_at = UTCDateTimeAttribute(null=True)
    sealed = UnicodeAttribute(null=True)  # JSON {field: KMS ciphertext (base64)}
    agent = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(null=True)
    digest = UnicodeAttribute(null=True)
    s3_key = UnicodeAttribute(null=True)
    attachments = UnicodeAttribute(null=True)  # JSON list of S3 keys
    attachment_names = UnicodeAttribute(null=True)  # JSON list (sealed would be overkill: file names only)


class MailTally(MailRecord):
    forms_received = NumberAttribute(default=0)
    email_answers = NumberAttribute(default=0)
    first_answers = NumberAttribute(default=0)
    first_answer_s = NumberAttribute(default=0)
    resolved_by_email = NumberAttribute(default=0)
    inbound_emails = NumberAttribute(default=0)
    triaged = NumberAttribute(default=0)


register_shared("mailform_table", MailItem, MailTally)


def _entry(item: MailItem) -> Entry:
    assert item.inquiry_id is not None and item.at is not None
    return Entry(item.inquiry_id, item.sk, item.kind, item.at,  # type: ignore[arg-type]
                 sealed=json.loads(item.sealed or "{}"), agent=item.agent or "", status=item.status or "",
                 detail=item.detail or "", attachments=tuple(json.loads(item.attachments or "[]")),
                 attachment_names=tuple(json.loads(item.attachment_names or "[]")), digest=item.digest or "")


def _case(item: MailItem) -> Case:
    assert item.inquiry_id and item.reference and item.created_at
    return Case(item.inquiry_id, item.reference, item.created_at, item.department or "", item.first_form_at,
                item.first_answer_at, item.resolved_by_email_at)


def _get(pk: str, sk: str) -> MailItem | None:
    try:
        return MailItem.get(pk, sk, consistent_read=True)
    except MailItem.DoesNotExist:
        return None


def _sealed(values: Sealed) -> str:
    return json.dumps(values, sort_keys=True)


class DynamoMailStore:
    def put_link(self, link: FormLink, keep_until: datetime) -> None:
        MailItem(f"link#{link.token_hash}", "link", inquiry_id=link.inquiry_id, created_at=link.created_at,
                 link_expires=link.expires, expires_at=_epoch(keep_until)).save()

    def get_link(self, token_hash: str) -> FormLink | None:
        item = _get(f"link#{token_hash}", "link")
        if item is None or item.inquiry_id is None or item.created_at is None or item.link_expires is None:
            return None
        return FormLink(token_hash, item.inquiry_id, item.created_at, item.link_expires, item.used_at)

    def get_case(self, inquiry_id: str) -> Case | None:
        item = _get(f"case#{inquiry_id}", "meta")
        return _case(item) if item is not None else None

    def put_case(self, case: Case, keep_until: datetime) -> bool:
        item = MailItem(f"case#{case.inquiry_id}", "meta", inquiry_id=case.inquiry_id, reference=case.reference,
                        created_at=case.created_at, department=case.department, expires_at=_epoch(keep_until))
        if not save_if(item, MailItem.pk.does_not_exist()):
            return False
        MailItem(f"ref#{case.reference}", "ref", inquiry_id=case.inquiry_id, expires_at=_epoch(keep_until)).save()
        return True

    def case_by_reference(self, reference: str) -> str | None:
        item = _get(f"ref#{reference}", "ref")
        return item.inquiry_id if item is not None else None

    def update_case(self, inquiry_id: str, **changes: object) -> bool:
        done = False
        for name, value in changes.items():
            attr = getattr(MailItem, name)
            done |= update_if(MailItem(f"case#{inquiry_id}", "meta"), [attr.set(value)],
                              MailItem.pk.exists() & attr.does_not_exist())
        return done

    def submit(self, entry: Entry, token_hash: str, at: datetime, keep_until: datetime) -> bool:
        item = self._item(entry, keep_until)
        marker = MailItem("pending", f"{entry.inquiry_id}#{entry.sk}", inquiry_id=entry.inquiry_id,
                          detail=entry.sk, expires_at=_epoch(keep_until))
        link = MailItem(f"link#{token_hash}", "link")
        try:
            with TransactWrite(connection=MailItem._get_connection().connection) as tx:
                tx.update(link, actions=[MailItem.used_at.set(at)],
                          condition=MailItem.pk.exists() & MailItem.used_at.does_not_exist())
                tx.save(item, condition=MailItem.pk.does_not_exist())
                tx.save(marker, condition=MailItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if any(r is not None and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or []):
                return False  # the link was used meanwhile (or this very submission is in): nothing written
            raise
        return True

    def pending_links(self) -> list[tuple[str, str]]:
        return [(i.inquiry_id or "", i.detail or "") for i in MailItem.query("pending", consistent_read=True)]

    def mark_linked(self, inquiry_id: str, sk: str) -> bool:
        marker = MailItem("pending", f"{inquiry_id}#{sk}")
        if not delete_if(marker, MailItem.pk.exists()):
            return False  # joined already
        MailItem(f"case#{inquiry_id}", sk).update(actions=[MailItem.status.set("linked")])
        return True

    @staticmethod
    def _item(entry: Entry, keep_until: datetime) -> MailItem:
        return MailItem(f"case#{entry.inquiry_id}", entry.sk, inquiry_id=entry.inquiry_id, kind=entry.kind,
                        at=entry.at, sealed=_sealed(entry.sealed), agent=entry.agent or None,
                        status=entry.status or None, detail=entry.detail or None, digest=entry.digest or None,
                        attachments=json.dumps(list(entry.attachments)) if entry.attachments else None,
                        attachment_names=json.dumps(list(entry.attachment_names)) if entry.attachment_names else None,
                        expires_at=_epoch(keep_until))

    def put_entry(self, entry: Entry, keep_until: datetime) -> bool:
        return save_if(self._item(entry, keep_until), MailItem.pk.does_not_exist())

    def update_entry(self, inquiry_id: str, sk: str, **changes: object) -> None:
        MailItem(f"case#{inquiry_id}", sk).update(
            actions=[getattr(MailItem, k).set(v) for k, v in changes.items()])

    def get_entry(self, inquiry_id: str, sk: str) -> Entry | None:
        item = _get(f"case#{inquiry_id}", sk)
        return _entry(item) if item is not None else None

    def entries(self, inquiry_id: str) -> list[Entry]:
        rows = [_entry(i) for i in MailItem.query(f"case#{inquiry_id}", consistent_read=True) if i.sk != "meta"]
        return sorted(rows, key=lambda e: (e.at, e.sk))

    def put_triage(self, item: TriageItem, keep_until: datetime) -> bool:
        row = MailItem("triage", item.sk, kind="triage", at=item.at, s3_key=item.s3_key, sealed=_sealed(item.sealed),
                       attachments=json.dumps(list(item.attachments)), expires_at=_epoch(keep_until))
        return save_if(row, MailItem.pk.does_not_exist())

    def triage(self, limit: int = 100) -> list[TriageItem]:
        rows = [TriageItem(i.sk, i.at, i.s3_key or "", json.loads(i.sealed or "{}"),
                           tuple(json.loads(i.attachments or "[]")))
                for i in MailItem.query("triage", limit=limit)]
        return sorted(rows, key=lambda t: t.at)

    def count(self, day: str, department: str, counts: dict[str, int | float]) -> None:
        actions = [getattr(MailTally, k).add(v) for k, v in counts.items() if k in TALLY_FIELDS and v]
        if not actions:
            return
        day_start = datetime.fromisoformat(day).replace(tzinfo=UTC)  # kept as long as the desk's day tallies
        actions.append(MailTally.expires_at.set(expires_at(day_start, retention().record_retention_days + 1)))
        for dept in {_ALL, department or _ALL}:
            MailTally(f"tally#{day}", dept).update(actions=actions)

    def counts(self, day: str) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for row in MailTally.query(f"tally#{day}"):
            out["" if row.sk == _ALL else row.sk] = {k: float(getattr(row, k) or 0) for k in TALLY_FIELDS}
        return out
