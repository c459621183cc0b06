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

`erase_tweets` and `erase_users` (below) do the same for what X reports deleted, suspended or protected: the
compliance sweep, a read that found a tweet gone, an account activity delete event.

A @username is resolved through what is stored: a scan of the inquiries (author_username) and of the campaign
records (username), compared case-insensitively as X does. Nothing here logs or returns text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

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


def erase(author_id: str, *, dry_run: bool = False, reservations: bool = True, campaigns: bool = True) -> ErasureReport:
    """Delete (or, dry, count) every stored record of `author_id`; the counts are of records removed (found).
    `reservations=False` leaves the reply reservations (our text and their tweet id, never their content; they
    expire after RESERVATION_RETENTION_DAYS): finding them scans the state table, which no function may do.
    `campaigns=False` leaves the campaign records (the worker may not read that table: the sweep takes them)."""
    if not author_id.isdigit():
        raise ValueError(f"an X user id is a number, not {author_id!r}")
    report = ErasureReport(author_id, dry_run)
    inquiries = [i.inquiry_id for i in Inquiry.by_author.query(author_id, attributes_to_get=["inquiry_id"])]
    reservation_keys = _reservations(inquiries) if reservations else []
    ids = [r.pk for r in CampaignRecord.scan(CampaignRecord.sk == "meta", attributes_to_get=["pk", "sk"])
           ] if campaigns else []
    entries = [CampaignRecord(c, campaign_user_sk("e", author_id)) for c in ids]
    winners = [CampaignRecord(c, campaign_user_sk("w", author_id)) for c in ids]
    found: dict[str, list[Model]] = {
        "inquiries": [Inquiry(i) for i in inquiries],
        "reply reservations": [ReservationRef(pk) for pk in reservation_keys],
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


# --- deletions on X (the compliance sweep, a read that found a tweet gone, an account activity event) -------------

TWEET_KINDS = ("inquiries", "reply reservations", "surrounding tweets", "conversation tweets")


@dataclass
class TweetErasure:
    """What erasing tweets removed, per kind: an inquiry the tweet opened (with its reply reservations), the
    tweet among another inquiry's surrounding tweets (context_before/after) or in its conversation."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TWEET_KINDS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


INQUIRY_STATUSES = ("new", "replied", "resolved")  # as desk.models.STATUSES: every inquiry has one


def all_inquiries(attributes: list[str] | None = None) -> Iterator[Inquiry]:
    """Every inquiry, through the by_status index (one Query per status): no role may Scan the inquiry table."""
    for status in INQUIRY_STATUSES:
        yield from Inquiry.by_status.query(status, attributes_to_get=attributes)


def erase_tweets(refs: dict[str, str | None], *, reservations: bool = True, delete: bool = True,
                 at: datetime | None = None) -> TweetErasure:
    """Remove every stored copy of the tweets `refs` names (tweet id -> its author's id, None if unknown).

    A tweet is held only in its author's inquiries (the tweet that opened one, the author's tweets around it, the
    author's follow-ups in its conversation), so the author's inquiries (the by_author index) are all that is read;
    an unknown author is taken from the inquiry the tweet opened, else every inquiry is read (`all_inquiries`).
    Each removal is conditional (the item still exists; the list element at that index is still that tweet): a
    re-run removes nothing twice, and a follow-up appended meanwhile is not lost. `reservations`: as in `erase`.
    `delete=False` (a function without DeleteItem: the desk) blanks the text of an inquiry the tweet opened and
    marks it `erased_at` instead: the compliance sweep deletes it later, as X reports its tweet gone."""
    report = TweetErasure()
    wanted = {tid: author for tid, author in refs.items() if tid.isdigit()}
    if not wanted:
        return report
    opened = {i.inquiry_id: i.author_id for i in _inquiry_heads(list(wanted))}
    for tid in opened:
        if _delete_inquiry(tid, report, reservations) if delete else _blank(tid, at or datetime.now(UTC)):
            report.counts["inquiries"] += 1
    by_author: dict[str, set[str]] = {}
    unknown: set[str] = set()
    for tid, author in wanted.items():
        author = author or opened.get(tid)
        if author:
            by_author.setdefault(author, set()).add(tid)
        else:
            unknown.add(tid)
    for author, ids in sorted(by_author.items()):
        for inquiry in Inquiry.by_author.query(author):
            _strip(inquiry, ids, report)
    if unknown:
        for inquiry in all_inquiries():
            _strip(inquiry, unknown, report)
    return report


def erase_users(user_ids: Iterable[str], *, reservations: bool = True) -> ErasureReport:
    """`erase` for each user (an account deleted, suspended or protected on X): the counts summed."""
    total = ErasureReport(author_id="*", dry_run=False)
    for uid in sorted(set(user_ids)):
        if uid.isdigit():
            for kind, n in erase(uid, reservations=reservations).counts.items():
                total.counts[kind] += n
    return total


def _inquiry_heads(ids: list[str]) -> list[Inquiry]:
    found: list[Inquiry] = []
    for start in range(0, len(ids), 100):  # BatchGetItem takes 100 keys
        found += Inquiry.batch_get(ids[start:start + 100], attributes_to_get=["inquiry_id", "author_id"])
    return found


def _delete_inquiry(inquiry_id: str, report: TweetErasure, reservations: bool) -> bool:
    removed = _delete(Inquiry(inquiry_id))
    for pk in _reservations([inquiry_id]) if reservations else []:
        if _delete(ReservationRef(pk)):
            report.counts["reply reservations"] += 1
    return removed


def _blank(inquiry_id: str, at: datetime) -> bool:
    from activecare.storage.conditions import update_if

    return update_if(Inquiry(inquiry_id), [Inquiry.text.set(""), Inquiry.erased_at.set(at)],
                     Inquiry.inquiry_id.exists() & Inquiry.erased_at.does_not_exist())


def _strip(inquiry: Inquiry, ids: set[str], report: TweetErasure) -> None:
    """Remove the tweets `ids` from the inquiry's surrounding tweets and its customer messages, in one
    conditional update (each removed index must still hold that tweet)."""
    from pynamodb.expressions.operand import Path

    from activecare.storage.conditions import update_if

    actions: list[Any] = []
    conditions: list[Any] = []
    kinds: list[str] = []
    for attr, items in (("context_before", inquiry.context_before), ("context_after", inquiry.context_after)):
        for n, c in enumerate(items or []):
            if c.id in ids:
                path: Any = getattr(Inquiry, attr)[n]
                actions.append(Path(path).remove())
                conditions.append(path.id == c.id)
                kinds.append("surrounding tweets")
    for n, m in enumerate(inquiry.messages or []):
        if m.direction == "in" and m.tweet_id in ids:
            path = Inquiry.messages[n]
            actions.append(Path(path).remove())
            conditions.append(path.tweet_id == m.tweet_id)
            kinds.append("conversation tweets")
    if not actions:
        return
    condition = Inquiry.inquiry_id.exists()
    for c in conditions:
        condition &= c
    if update_if(Inquiry(inquiry.inquiry_id), actions, condition):
        for kind in kinds:
            report.counts[kind] += 1
