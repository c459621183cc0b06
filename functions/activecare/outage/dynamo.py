"""DynamoDB and SNS adapters of the outage radar, in the state table (leading key `out#`):

    out#sig#<minute>#<shard>   a minute's complaint signals: a string set (ADD: idempotent on the tweet id),
                               four shards so a nationwide outage's minute stays far below 400 KB
    out#smp#<minute>#<topic>   up to 5 masked samples of a topic's minute (a conditional ADD on the set's size)
    out#state                  the detector's state (JSON), written only over the version it read
    out#base#<how>             the baseline of one hour of the week (JSON)
    out#inc#<id>               an incident (JSON)
Signals and samples expire after 2 days, incidents with the report ledger's retention.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import size
from pynamodb.models import Model

from activecare.clock import minute_key
from activecare.outage.models import Baseline, DetectorState, Incident, Sample, Signal
from activecare.outage.ports import AlertNotSent
from activecare.storage.conditions import condition_failed, save_if
from activecare.storage.models import expires_at, register_shared, retention

SHARDS = 4
SAMPLES_PER_TOPIC = 5
SIGNAL_DAYS = 2


class OutageItem(Model):
    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    sig = UnicodeSetAttribute(null=True)
    doc = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    expires_at = NumberAttribute(null=True)


register_shared("state_table", OutageItem)


def _sig_key(minute: datetime, shard: int) -> str:
    return f"out#sig#{minute_key(minute)}#{shard}"


class DynamoSignals:
    def record(self, signal: Signal, sample: Sample | None) -> None:
        shard = int(signal.tweet_id) % SHARDS
        ttl = expires_at(signal.at, SIGNAL_DAYS)
        OutageItem(_sig_key(signal.at, shard)).update(actions=[
            OutageItem.sig.add({signal.encode()}), OutageItem.expires_at.set(ttl)])
        if sample is None:
            return
        item = OutageItem(f"out#smp#{minute_key(signal.at)}#{signal.topic}")
        try:
            item.update(actions=[OutageItem.sig.add({f"{sample.tweet_id}|{sample.text}"}),
                                 OutageItem.expires_at.set(ttl)],
                        condition=OutageItem.sig.does_not_exist() | (size(OutageItem.sig) < SAMPLES_PER_TOPIC))
        except UpdateError as exc:
            if not condition_failed(exc):
                raise

    def signals(self, minutes: list[datetime]) -> list[Signal]:
        keys = [_sig_key(m, s) for m in minutes for s in range(SHARDS)]
        return [Signal.decode(v) for item in OutageItem.batch_get(keys) for v in (item.sig or ())]

    def samples(self, minutes: list[datetime], topics: list[str]) -> list[Sample]:
        keys = [f"out#smp#{minute_key(m)}#{t}" for m in minutes for t in topics]
        out: list[Sample] = []
        for item in OutageItem.batch_get(keys):
            topic = item.pk.rsplit("#", 1)[1]
            for v in sorted(item.sig or ()):
                tid, text = v.split("|", 1)
                out.append(Sample(tweet_id=tid, topic=topic, text=text))
        return out


class DynamoRadar:
    STATE = "out#state"

    def load_state(self) -> DetectorState:
        try:
            item = OutageItem.get(self.STATE, consistent_read=True)
        except OutageItem.DoesNotExist:
            return DetectorState()
        return DetectorState.model_validate_json(item.doc or "{}")

    def save_state(self, state: DetectorState, expected_version: int) -> bool:
        condition = (OutageItem.pk.does_not_exist() if expected_version == 0
                     else OutageItem.version == expected_version)
        return save_if(OutageItem(self.STATE, doc=state.model_dump_json(), version=state.version), condition)

    def baseline(self, hour_of_week: int) -> Baseline:
        try:
            return Baseline.model_validate_json(OutageItem.get(f"out#base#{hour_of_week}").doc or "{}")
        except OutageItem.DoesNotExist:
            return Baseline()

    def save_baseline(self, hour_of_week: int, baseline: Baseline) -> None:
        OutageItem(f"out#base#{hour_of_week}", doc=baseline.model_dump_json()).save()

    def incident(self, incident_id: str) -> Incident | None:
        try:
            item = OutageItem.get(f"out#inc#{incident_id}", consistent_read=True)
        except OutageItem.DoesNotExist:
            return None
        return Incident.model_validate_json(item.doc or "{}")

    def _item(self, incident: Incident) -> OutageItem:
        return OutageItem(f"out#inc#{incident.id}", doc=incident.model_dump_json(), version=incident.rev,
                          expires_at=expires_at(incident.detected_at, retention().report_retention_days))

    def put_incident(self, incident: Incident) -> bool:
        expected = incident.rev
        incident.rev += 1
        condition = (OutageItem.version == expected) if expected else (
            OutageItem.pk.does_not_exist() | (OutageItem.version == 0))
        if save_if(self._item(incident), condition):
            return True
        incident.rev = expected
        return False

    def create_incident(self, incident: Incident) -> bool:
        return save_if(self._item(incident), OutageItem.pk.does_not_exist())


class SnsAlerts:
    """Ops alerts to the stack's outage topic (e-mail subscribers: plain text, no personal data)."""

    def __init__(self, client: object, topic_arn: str) -> None:
        self.client, self.topic_arn = client, topic_arn

    def publish(self, subject: str, message: str, dedup_id: str) -> None:
        """SNS answered with an error: AlertNotSent (the outbox sends it again); a timeout or a lost answer
        propagates as it is (the outcome is unknown)."""
        from botocore.exceptions import ClientError

        try:
            self.client.publish(TopicArn=self.topic_arn, Subject=subject, Message=message,  # type: ignore[attr-defined]
                                MessageAttributes={"event": {"DataType": "String", "StringValue": dedup_id[:256]}})
        except ClientError as exc:
            raise AlertNotSent(str(exc)) from exc


class LoggedAlerts:
    """No outage topic configured: the alert's subject is logged (the desk's banner still shows it)."""

    def publish(self, subject: str, message: str, dedup_id: str) -> None:
        from aws_lambda_powertools import Logger

        Logger(child=True).warning("outage alert (no topic configured)", extra={"subject": subject,
                                                                               "event": dedup_id})


class XStatusPoster:
    """Status posts as the owning support account (the desk's posting credentials)."""

    def __init__(self, poster_for: object) -> None:
        self.poster_for = poster_for

    def post(self, account: str, text: str) -> str:
        return str(self.poster_for(account).post(text))  # type: ignore[operator]
