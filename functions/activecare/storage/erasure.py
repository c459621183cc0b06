"""Erasure of one customer (`activecare erase`): everything the stack keeps that is theirs, found by their X
user id, deleted item by item with a condition that it still exists, so a second run removes nothing and says so.

    inquiries           the author's inquiries (the by_author index): with each its tweet, context (the
                        author's own tweets before and after), conversation (theirs and our replies), history
    reply reservations  the desk's idempotency records of replies to those inquiries (our text, their tweet id)
    campaign entries    the author's entrant record in every campaign ("e#<id>")
    campaign winners    the author's winner record (its DM state) in every campaign ("w#<id>")
    e-mail records      the e-mail form's case of each of those inquiries (issue #19): the sealed submissions,
                        e-mail answers, call-backs, the customer's e-mails, access records, and its reference.
                        The raw e-mails and attachments in the mail bucket age out with its lifecycle (90 days).

Not here, because nothing stores it: the reports (their ledger holds counts and ids; the masked samples went out
by e-mail), the desk's tallies and the logs (counts only, never text). Other customers' inquiries hold only
their own tweets; a tweet of theirs that quotes or names this author stays (the text is not searched).
Messages still in the listen queue or its DLQ (4 and 14 days) and point-in-time backups (35 days) age out.

A @username is resolved through what is stored: a scan of the inquiries (author_username) and of the campaign
records (username), compared case-insensitively as X does. Nothing here logs or returns text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from activecare.storage.conditions import delete_if
from activecare.storage.models import CampaignRecord, Inquiry, campaign_user_sk, register_shared

KINDS = ("inquiries", "reply reservations", "campaign entries", "campaign winners", "e-mail records")
RESERVATION_PREFIX = "reply#"  # the desk's ReplyReservation keys (activecare.desk.dynamo)


class ReservationRef(Model):
    """The fields of a desk reply reservation erasure needs (the state table's "reply#<token>" items)."""

    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    inquiry_id = UnicodeAttribute(null=True)


register_shared("state_table", ReservationRef)


class MailRef(Model):
    """The fields of the e-mail form's records erasure needs (the mail form's table: "case#<inquiry id>" items,
    the case's "meta" naming its reference, "ref#<reference>")."""

    class Meta:
        table_name = "activecare-mailform"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    reference = UnicodeAttribute(null=True)


register_shared("mailform_table", MailRef)


class AmbiguousAuthor(ValueError):
    """A @username that stored records give to more than one user id (X lets a freed name be taken again)."""


@dataclass
class ErasureReport:
    author_id: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def resolve(author: str) -> str | None:
    """The numeric X user id of `author` (an id, or a @username found in the stored records); None: unknown."""
    name = author.removeprefix("@").strip()
    if name.isdigit() and not author.startswith("@"):
        return name
    wanted = name.casefold()
    ids = {i.author_id for i in Inquiry.scan(attributes_to_get=["author_id", "author_username"])
           if (i.author_username or "").casefold() == wanted}
    ids |= {r.user_id for r in CampaignRecord.scan(attributes_to_get=["pk", "sk", "user_id", "username"])
            if r.user_id and (r.username or "").casefold() == wanted}
    if len(ids) > 1:
        raise AmbiguousAuthor(f"@{name} names {len(ids)} user ids in the stored records ({', '.join(sorted(ids))}): "
                              "give the numeric id")
    return next(iter(ids), None)


def erase(author_id: str, *, dry_run: bool = False) -> ErasureReport:
    """Delete (or, dry, count) every stored record of `author_id`; the counts are of records removed (found)."""
    if not author_id.isdigit():
        raise ValueError(f"an X user id is a number, not {author_id!r}")
    report = ErasureReport(author_id, dry_run)
    inquiries = [i.inquiry_id for i in Inquiry.by_author.query(author_id, attributes_to_get=["inquiry_id"])]
    reservations = _reservations(inquiries)
    campaigns = [r.pk for r in CampaignRecord.scan(CampaignRecord.sk == "meta", attributes_to_get=["pk", "sk"])]
    entries = [CampaignRecord(c, campaign_user_sk("e", author_id)) for c in campaigns]
    winners = [CampaignRecord(c, campaign_user_sk("w", author_id)) for c in campaigns]
    found: dict[str, list[Model]] = {
        "inquiries": [Inquiry(i) for i in inquiries],
        "reply reservations": [ReservationRef(pk) for pk in reservations],
        "campaign entries": _existing(entries),
        "campaign winners": _existing(winners),
        "e-mail records": _mail_records(inquiries),
    }
    for kind, items in found.items():
        if dry_run:
            report.counts[kind] = len(items)
        else:
            report.counts[kind] = sum(1 for item in items if _delete(item))
    return report


def _reservations(inquiry_ids: list[str]) -> list[str]:
    if not inquiry_ids:
        return []
    keys: list[str] = []
    for start in range(0, len(inquiry_ids), 100):  # IN takes at most 100 values
        chunk = inquiry_ids[start:start + 100]
        condition = ReservationRef.pk.startswith(RESERVATION_PREFIX) & ReservationRef.inquiry_id.is_in(*chunk)
        keys += [r.pk for r in ReservationRef.scan(condition, attributes_to_get=["pk", "inquiry_id"])]
    return sorted(set(keys))


def _mail_records(inquiry_ids: list[str]) -> list[Model]:
    found: list[Model] = []
    for inquiry_id in inquiry_ids:
        for item in MailRef.query(f"case#{inquiry_id}", attributes_to_get=["pk", "sk", "reference"]):
            found.append(MailRef(item.pk, item.sk))
            if item.sk == "meta" and item.reference:
                found.append(MailRef(f"ref#{item.reference}", "ref"))
    return found


def _existing(items: Iterable[CampaignRecord]) -> list[Model]:
    wanted = [(i.pk, i.sk) for i in items]
    found: list[Model] = []
    for start in range(0, len(wanted), 100):  # BatchGetItem takes 100 keys
        found += CampaignRecord.batch_get(wanted[start:start + 100], attributes_to_get=["pk", "sk"])
    return found


def _delete(item: Model) -> bool:
    """True if this call removed it (a conditional delete: gone already is not counted again)."""
    hash_key = type(item)._hash_key_attribute()
    return delete_if(item, hash_key.exists())
