"""SQS adapter: SendMessageBatch in tens, retrying only the entries that failed."""

from __future__ import annotations

from typing import Any

from activecare.listening.ports import EnqueueFailed

BATCH = 10
ATTEMPTS = 3


class SqsQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def send(self, bodies: list[str]) -> int:
        calls = 0
        for start in range(0, len(bodies), BATCH):
            pending = {f"m{i}": body for i, body in enumerate(bodies[start:start + BATCH])}
            for _ in range(ATTEMPTS):
                entries = [{"Id": k, "MessageBody": v} for k, v in pending.items()]
                try:
                    resp = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
                except Exception as exc:  # botocore errors: throttling, network
                    last = f"{type(exc).__name__}: {exc}"
                    calls += 1
                    continue
                calls += 1
                for ok in resp.get("Successful", []):
                    pending.pop(ok["Id"], None)
                failed = resp.get("Failed", [])
                last = ", ".join(f"{f.get('Code')}" for f in failed)
                if not pending:
                    break
            if pending:
                raise EnqueueFailed(f"{len(pending)} of a batch not queued after {ATTEMPTS} attempts: {last}")
        return calls


