"""`activecare dlq ...`: the listen queue's dead letters, for ops after `ListenDeadLetterAlarm`.

    activecare --stack NAME dlq list [--max 100] [--json]     message id, receives, tweet id, source, reason
    activecare --stack NAME dlq replay [--max N] [--dry-run] [--skip-malformed]
                                                              back to the listen queue, then off the DLQ

Listing never prints a tweet's text or author: only ids, counts and the reason the body tells (a malformed
message names the failing field; a well-formed one failed in the worker, whose log names the reason).
Replaying sends each message to the listen queue and deletes it from the DLQ only after SQS accepted the
send; a crash in between sends it twice, which the worker absorbs (it is idempotent on the tweet id).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from activecare.cli.common import require_stack

BATCH = 10


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receives: int
    sent_at: str  # JST, when the poller first queued it
    tweet_id: str
    source: str
    reason: str


def describe(message: dict[str, Any]) -> DeadLetter:
    """What may be shown of a dead letter: ids, counts, the reason; never text or author."""
    from pydantic import ValidationError

    from activecare.clock import to_jst
    from activecare.listening.models import ListenedTweet

    attrs = message.get("Attributes", {})
    sent = datetime.fromtimestamp(int(attrs.get("SentTimestamp", "0")) / 1000, UTC)
    body = message.get("Body", "")
    tweet_id, source = "?", "?"
    try:
        raw = json.loads(body)
    except ValueError:
        raw = None
    if isinstance(raw, dict):
        tweet = raw.get("tweet")
        if isinstance(tweet, dict) and isinstance(tweet.get("id"), str) and tweet["id"].isdigit():
            tweet_id = tweet["id"]
        if isinstance(raw.get("source"), str) and isinstance(raw.get("source_key"), str):
            source = f"{raw['source']}:{raw['source_key']}"[:60]
    try:
        ListenedTweet.model_validate_json(body)
        reason = "well-formed: the worker failed on it (its log names the reason for this message id)"
    except ValidationError as exc:  # locations and error types only: the input values may be personal data
        fields = ", ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'} ({e['type']})" for e in exc.errors()[:3])
        reason = f"malformed: {fields}"
    return DeadLetter(message["MessageId"], int(attrs.get("ApproximateReceiveCount", "0")),
                      to_jst(sent).strftime("%Y-%m-%d %H:%M:%S"), tweet_id, source, reason)


class DeadLetters:
    """The DLQ and the queue its messages came from, over an SQS client."""

    def __init__(self, sqs: Any, dlq_url: str, queue_url: str) -> None:
        self.sqs, self.dlq_url, self.queue_url = sqs, dlq_url, queue_url

    def depth(self, url: str | None = None) -> int:
        attrs = self.sqs.get_queue_attributes(QueueUrl=url or self.dlq_url,
                                              AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"])

    def _receive(self, count: int, hide_s: int) -> list[dict[str, Any]]:
        return self.sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=min(BATCH, count),
                                        VisibilityTimeout=hide_s, WaitTimeSeconds=1,
                                        AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])

    def _show_again(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), BATCH):
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                       for i, m in enumerate(messages[start:start + BATCH])]
            self.sqs.change_message_visibility_batch(QueueUrl=self.dlq_url, Entries=entries)

    def peek(self, limit: int) -> list[DeadLetter]:
        """Up to `limit` dead letters, made visible again afterwards (a listing moves nothing)."""
        seen: dict[str, dict[str, Any]] = {}
        try:
            while len(seen) < limit:
                batch = [m for m in self._receive(limit - len(seen), 60) if m["MessageId"] not in seen]
                if not batch:
                    break
                seen.update((m["MessageId"], m) for m in batch)
        finally:
            self._show_again(list(seen.values()))
        return [describe(m) for m in seen.values()]

    def replay(self, limit: int, *, skip_malformed: bool = False) -> dict[str, int]:
        """Move up to `limit` messages back to the listen queue: send, then delete what SQS accepted.
        With `skip_malformed`, a body the worker cannot parse stays in the DLQ (it would only fail again)."""
        moved = failed = 0
        skipped: list[dict[str, Any]] = []
        try:
            while moved + failed < limit:
                batch = self._receive(limit - moved - failed, 120)
                if not batch:
                    break
                if skip_malformed:  # hidden while this replay runs, shown again at its end
                    bad = {m["MessageId"] for m in batch if describe(m).reason.startswith("malformed")}
                    skipped += [m for m in batch if m["MessageId"] in bad]
                    batch = [m for m in batch if m["MessageId"] not in bad]
                    if not batch:
                        continue
                failed_now = self._move(batch)
                moved += len(batch) - failed_now
                if failed_now:
                    failed += failed_now
                    break
        finally:
            self._show_again(skipped)
        return {"moved": moved, "failed": failed, "skipped": len(skipped)}

    def _move(self, batch: list[dict[str, Any]]) -> int:
        """Send a batch to the listen queue, delete what was sent from the DLQ; the number not sent."""
        entries = [{"Id": str(i), "MessageBody": m["Body"],
                    **({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {})}
                   for i, m in enumerate(batch)]
        resp = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
        sent = {e["Id"] for e in resp.get("Successful", [])}
        done = [m for i, m in enumerate(batch) if str(i) in sent]
        kept = [m for i, m in enumerate(batch) if str(i) not in sent]
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.dlq_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        self._show_again(kept)  # stays in the DLQ, visible again for the next replay
        return len(kept)


def _dead_letters() -> DeadLetters:
    import boto3

    stack = require_stack("dlq")
    return DeadLetters(boto3.client("sqs", region_name=stack.region), stack.output("ListenDeadLetterQueueUrl"),
                       stack.output("ListenQueueUrl"))


def cmd_dlq(args: argparse.Namespace) -> int:
    from activecare.cli.outputs import aws_errors

    dlq = _dead_letters()
    with aws_errors("the listen DLQ"):
        if args.action == "list":
            letters = dlq.peek(args.max)
            depth = dlq.depth()
            if args.json:
                print(json.dumps({"depth": depth, "messages": [asdict(d) for d in letters]}, ensure_ascii=False,
                                 indent=2))
                return 0
            print(f"listen DLQ: {depth} messages")
            for d in letters:
                print(f"  {d.message_id}  receives {d.receives}  queued {d.sent_at} JST  tweet {d.tweet_id}  "
                      f"{d.source}  {d.reason}")
            return 0
        if args.dry_run:
            print(f"would move up to {min(args.max, dlq.depth())} messages back to the listen queue")
            return 0
        result = dlq.replay(args.max, skip_malformed=args.skip_malformed)
    print(f"moved {result['moved']} messages back to the listen queue"
          + (f"; {result['skipped']} malformed stay in the DLQ" if result["skipped"] else "")
          + (f"; {result['failed']} could not be sent and stay in the DLQ" if result["failed"] else ""))
    return 1 if result["failed"] else 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("dlq", help="the listen queue's dead letters").add_subparsers(dest="action",
                                                                                       required=True)
    p = group.add_parser("list", help="ids, receives, tweet ids and reasons (never tweet text)")
    p.add_argument("--max", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_dlq)
    p = group.add_parser("replay", help="move messages back to the listen queue (after fixing the cause)")
    p.add_argument("--max", type=int, default=1000)
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--skip-malformed", action="store_true", help="leave bodies the worker cannot parse in the DLQ")
    p.set_defaults(func=cmd_dlq)
