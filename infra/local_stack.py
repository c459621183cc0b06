"""The local stand-in for the cloud: moto in server mode and the fake X API, both
on loopback, with the stack's resources created. One call from tests and the demo.

    with LocalStack(clock) as stack:
        stack.settings      # Settings pointing at the local resources
        stack.twitter       # FakeTwitterState: add tweets, switch faults, read stats

`moto="thread"` (default) serves moto from a thread of this process (tests reach into it, e.g.
`stack.moto._server`); `moto="process"` serves it from a child process (infra/moto_process.py):
the same HTTP API and meter counts, without sharing the GIL with the code under test. The
simulated day uses the latter.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Literal

import boto3

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import Clock
from activecare.keywords.catalogue import default_catalogue
from activecare.keywords.dynamo import replace_catalogue
from activecare.settings import AccessLevel, Settings
from activecare.storage.models import bind_tables, create_tables
from activecare.wiring import reset_runtime
from infra.fake_twitter import FakeTwitterServer, FakeTwitterState

REGION = "ap-northeast-1"
BEARER = "local-bearer-token"
MAX_RECEIVE_COUNT = 3  # as in template.yaml


class LocalStack:
    def __init__(self, clock: Clock, *, access_level: AccessLevel = "pro",
                 moto: Literal["thread", "process"] = "thread") -> None:
        self.clock = clock
        self.access_level = access_level
        self.moto_mode = moto
        self._saved_env: dict[str, str | None] = {}

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Settings:
        from infra.aws_meter import AwsMeter, MeteredMotoServer
        from infra.moto_process import MotoProcess, RemoteAwsMeter

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.moto: MeteredMotoServer | MotoProcess
        self.aws_meter: AwsMeter | RemoteAwsMeter
        if self.moto_mode == "process":
            self.moto = MotoProcess()
            self.moto.start()
            host, port = self.moto.get_host_and_port()
            self.aws_endpoint = f"http://{host}:{port}"
            self.aws_meter = RemoteAwsMeter(self.aws_endpoint)
        else:
            self.aws_meter = AwsMeter()
            self.moto = MeteredMotoServer(self.aws_meter)
            self.moto.start()
            host, port = self.moto.get_host_and_port()
            self.aws_endpoint = f"http://{host}:{port}"
        _reset_moto(self.aws_endpoint)  # moto's backends are process-global: start empty
        self._set_env({
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_SERVICE_NAME": "activecare-local",
        })
        self.twitter = FakeTwitterState(self.clock, tier=self.access_level)
        self.twitter.add_users([_user(a.user_id, a.username, "サポート") for a in DEFAULT_ACCOUNTS])
        # BEARER stays unregistered: app-only auth, as the poller uses on AWS (the app's search budget).
        # Each support account posts with its own user-context token (the desk's replies).
        self.account_tokens = {a.key: f"local-user-token-{a.key}" for a in DEFAULT_ACCOUNTS}
        for acc in DEFAULT_ACCOUNTS:
            self.twitter.add_token(self.account_tokens[acc.key], acc.user_id)
        self.twitter_server = FakeTwitterServer(self.twitter)
        self.twitter_url = self.twitter_server.start()

        self.sqs = boto3.client("sqs", region_name=REGION)
        dlq = self.sqs.create_queue(QueueName="activecare-listen-dlq")["QueueUrl"]
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"]
        queue = self.sqs.create_queue(QueueName="activecare-listen", Attributes={
            "VisibilityTimeout": "360",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}),
        })["QueueUrl"]
        secrets = boto3.client("secretsmanager", region_name=REGION)
        secret_arn = secrets.create_secret(Name="activecare/twitter",
                                           SecretString=json.dumps({
            "bearer_token": BEARER,
            "accounts": {key: {"access_token": token} for key, token in self.account_tokens.items()},
        }))["ARN"]
        # The campaign's own secret with DM-capable user tokens (only the campaign function reads it).
        self.dm_tokens = {a.key: f"local-dm-token-{a.key}" for a in DEFAULT_ACCOUNTS}
        for acc in DEFAULT_ACCOUNTS:
            self.twitter.add_token(self.dm_tokens[acc.key], acc.user_id)
        campaign_secret_arn = secrets.create_secret(Name="activecare/twitter-dm", SecretString=json.dumps({
            "accounts": {key: {"access_token": token} for key, token in self.dm_tokens.items()}}))["ARN"]
        self.settings = Settings(
            region=REGION, queue_url=queue, twitter_secret_id=secret_arn, twitter_base_url=self.twitter_url,
            access_level=self.access_level,
        )
        self.settings = self.settings.model_copy(update={"campaign_secret_id": campaign_secret_arn})
        # Reports (reporting/): moto's SES accepts mail only from a verified identity, as SES in production.
        self.ses = boto3.client("ses", region_name=REGION)
        self.ses.verify_email_identity(EmailAddress=self.settings.report_sender)
        self.dlq_url = dlq
        bind_tables(self.settings)
        create_tables()
        replace_catalogue(default_catalogue())
        self.runtime = reset_runtime(self.settings, self.clock)
        self.aws_meter.reset()  # count what the system does, not the setup
        return self.settings

    def stop(self) -> None:
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()
        self.twitter_server.stop()
        _reset_moto(self.aws_endpoint)
        self.moto.stop()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def _set_env(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def queue_depth(self, url: str | None = None) -> int:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url or self.settings.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def _reset_moto(endpoint: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)


def _user(user_id: str, username: str, name: str) -> dict[str, Any]:
    return {"id": user_id, "username": username, "name": name, "created_at": "2012-04-01T00:00:00.000Z",
            "public_metrics": {"followers_count": 250000, "following_count": 10, "tweet_count": 90000,
                               "listed_count": 900}}


__all__ = ["BEARER", "LocalStack"]
