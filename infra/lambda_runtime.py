"""What the Lambda service does around our handlers, done locally: a context
object, and the SQS event source mapping (receive, invoke with a real-shaped
event, delete what succeeded, let failures come back and redrive to the DLQ).

SQS delivers at least once; `DELIVERY_FAULTS` makes the mapping do what SQS is allowed to:
deliver the same batch to two invocations, or deliver a batch again after it succeeded (the
delete never happened, e.g. the function timed out just after the handler returned)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    timeout_ms: int = 60_000
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:ap-northeast-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


def context_for(name: str) -> LambdaContext:
    return LambdaContext(function_name=name)


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda builds from a ReceiveMessage batch (AttributeNames=All)."""
    return {"Records": [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        }
        for m in messages
    ]}


@dataclass
class DeliveryFaults:
    """Armed at-least-once behaviour of the event source mapping (the fault suite sets these)."""

    duplicate_batches: int = 0  # the next N batches go to two invocations with the same records
    redeliver_batches: int = 0  # the next N batches are not deleted after success: delivered again
    duplicated: int = 0  # records delivered a second time by the above
    redelivered: int = 0

    def reset(self) -> None:
        self.duplicate_batches = self.redeliver_batches = self.duplicated = self.redelivered = 0


DELIVERY_FAULTS = DeliveryFaults()


@dataclass
class DrainReport:
    invocations: int = 0
    received: int = 0
    succeeded: int = 0
    failed: int = 0
    sqs_calls: int = 0


_ARNS: dict[str, str] = {}


def _queue_arn(sqs: Any, queue_url: str) -> str:
    """The event source mapping knows its queue's ARN; asked once per queue URL, not every drain."""
    if queue_url not in _ARNS:
        _ARNS[queue_url] = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
    return _ARNS[queue_url]


def drain_queue(sqs: Any, queue_url: str, handler: Callable[[dict[str, Any], Any], dict[str, Any]],
                *, function_name: str = "worker", max_batches: int = 10_000,
                retry_failures_now: bool = True) -> DrainReport:
    """Feed the queue to `handler` in batches of 10 until it is empty.

    Failed records (batchItemFailures) are made visible again at once when
    `retry_failures_now`, so the queue's redrive policy moves poison messages to
    the DLQ after maxReceiveCount receives, as on AWS, without waiting.
    """
    arn = _queue_arn(sqs, queue_url)
    region = sqs.meta.region_name
    report = DrainReport()
    for _ in range(max_batches):
        resp = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                   MessageAttributeNames=["All"], WaitTimeSeconds=0)
        report.sqs_calls += 1
        messages = resp.get("Messages", [])
        if not messages:
            break
        report.received += len(messages)
        report.invocations += 1
        event = sqs_event(messages, arn, region)
        failed_ids = _invoke(handler, event, function_name)
        faults = DELIVERY_FAULTS
        if faults.duplicate_batches > 0:  # a second consumer received the same messages
            faults.duplicate_batches -= 1
            faults.duplicated += len(messages)
            report.invocations += 1
            failed_ids &= _invoke(handler, event, function_name)  # done if either invocation succeeded
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        if done and faults.redeliver_batches > 0:  # the delete is lost: SQS delivers them again
            faults.redeliver_batches -= 1
            faults.redelivered += len(done)
            sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(done)])
            report.sqs_calls += 1
            done = []
        failed = [m for m in messages if m["MessageId"] in failed_ids]
        report.succeeded += len(done)
        report.failed += len(failed)
        if done:
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
            report.sqs_calls += 1
        if failed and retry_failures_now:
            sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(failed)])
            report.sqs_calls += 1
    return report


def _invoke(handler: Callable[[dict[str, Any], Any], dict[str, Any]], event: dict[str, Any],
            function_name: str) -> set[str]:
    """One invocation; the message ids that failed (all of them when the handler raised)."""
    try:
        result = handler(event, context_for(function_name)) or {}
        return {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    except Exception:  # the whole batch failed (e.g. BatchProcessingError)
        return {r["messageId"] for r in event["Records"]}
