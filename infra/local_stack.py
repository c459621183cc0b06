"""The local stand-in for the cloud: moto in server mode and the fake X API, both
on loopback, with the stack's resources created. One call from tests and the demo.

    with LocalStack(clock) as stack:
        stack.settings      # Settings pointing at the local resources
        stack.twitter       # FakeTwitterState: add tweets, switch faults, read stats

`moto="thread"` (default) serves moto from a thread of this process (tests reach into it, e.g.
`stack.moto._server`); `moto="process"` serves it from a child process (infra/moto_process.py):
the same HTTP API and meter counts, without sharing the GIL with the code under test. The
simulated day uses the latter.

The staff user pool (moto's cognito-idp) is made on first use, with template.yaml's settings:

    pool = stack.staff_pool()                                   # pool, groups, web and CLI clients
    passwords = pool.create_staff({"sato": ["agents"], "kimura": ["supervisors"]})
    pool.access_token("sato")                                   # signed in with the CLI client
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import boto3

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import Clock
from activecare.keywords.catalogue import default_catalogue
from activecare.keywords.dynamo import replace_catalogue
from activecare.settings import AccessLevel, Settings
from activecare.storage.models import bind_tables, create_tables
from activecare.wiring import reset_runtime
from infra.fake_twitter import FakeTwitterServer, FakeTwitterState

if TYPE_CHECKING:
    import requests

    from infra.local_api import LocalDeskApi
    from infra.local_auth import JwtAuthorizer
    from infra.local_hosted_ui import HostedUi

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
        self._staff_pool: StaffPool | None = None

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
            self.moto = MotoProcess.acquire()  # a spare of an earlier stack of this process, emptied, or a new one
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
        # X credentials split as on AWS: the read-only bearer token, and the accounts' posting tokens.
        bearer_arn = secrets.create_secret(Name="activecare/twitter-bearer",
                                           SecretString=json.dumps({"bearer_token": BEARER}))["ARN"]
        posting_arn = secrets.create_secret(Name="activecare/twitter-posting", SecretString=json.dumps({
            "accounts": {key: {"access_token": token} for key, token in self.account_tokens.items()},
        }))["ARN"]
        # The campaign's own secret with DM-capable user tokens (only the campaign function reads it).
        self.dm_tokens = {a.key: f"local-dm-token-{a.key}" for a in DEFAULT_ACCOUNTS}
        for acc in DEFAULT_ACCOUNTS:
            self.twitter.add_token(self.dm_tokens[acc.key], acc.user_id)
        campaign_secret_arn = secrets.create_secret(Name="activecare/twitter-dm", SecretString=json.dumps({
            "accounts": {key: {"access_token": token} for key, token in self.dm_tokens.items()}}))["ARN"]
        self.settings = Settings(
            region=REGION, queue_url=queue, bearer_secret_id=bearer_arn, posting_secret_id=posting_arn,
            twitter_base_url=self.twitter_url,
            access_level=self.access_level,
        )
        self.settings = self.settings.model_copy(update={"campaign_secret_id": campaign_secret_arn})
        # Reports (reporting/): moto's SES accepts mail only from a verified identity, as SES in production.
        self.ses = boto3.client("ses", region_name=REGION)
        self.ses.verify_email_identity(EmailAddress=self.settings.report_sender)
        self.dlq_url = dlq
        from infra.local_mailform import provision  # the e-mail form's key, bucket and sender (issue #19)

        self.settings = provision(self.settings)
        bind_tables(self.settings)
        create_tables()
        replace_catalogue(default_catalogue())
        self.runtime = reset_runtime(self.settings, self.clock)
        self.aws_meter.reset()  # count what the system does, not the setup
        return self.settings

    def configure(self, **updates: Any) -> Settings:
        """Change settings of the running stack - its own and the functions' (the runtime's) - as a template
        parameter or output would on AWS (e.g. the web desk's sign-in URLs once the front listens)."""
        self.settings = self.settings.model_copy(update=updates)
        self.runtime.settings = self.runtime.settings.model_copy(update=updates)
        return self.settings

    def staff_pool(self) -> StaffPool:
        """The stack's staff user pool (made on first use; its set-up is metered apart, as "setup"). The
        settings - the stack's and the runtime's - then name it, as the stack's outputs do on AWS."""
        if self._staff_pool is None:
            with self.aws_meter.channel("setup"):
                self._staff_pool = create_staff_pool(self.aws_endpoint, REGION)
            self.settings = self.settings.model_copy(update={
                "user_pool_id": self._staff_pool.pool_id, "cli_client_id": self._staff_pool.cli_client_id,
                "cognito_endpoint": self.aws_endpoint})
            self.runtime.settings = self.runtime.settings.model_copy(update={
                "user_pool_id": self._staff_pool.pool_id, "cli_client_id": self._staff_pool.cli_client_id,
                "cognito_endpoint": self.aws_endpoint})
        return self._staff_pool

    def stop(self) -> None:
        from aws_lambda_powertools.utilities import parameters

        from infra.moto_process import MotoProcess

        parameters.clear_caches()
        self.twitter_server.stop()
        if isinstance(self.moto, MotoProcess):
            self.moto.release()  # emptied, kept for the next stack (see MotoProcess.acquire)
        else:
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


# ---- the staff user pool -------------------------------------------------------------------------------


def _plain(value: Any, where: str) -> Any:
    """A template value with no intrinsic function left in it (those are resolved by hand below)."""
    if isinstance(value, dict):
        if any(k == "Ref" or k.startswith("Fn::") for k in value):
            raise ValueError(f"{where}: {value} needs resolving for the local pool")
        return {k: _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, where) for v in value]
    return value


def template_staff_settings(template: dict[str, Any] | None = None) -> dict[str, Any]:
    """template.yaml's user pool, groups and app clients as cognito-idp call parameters (what the stack would
    create), with the names and URLs that are intrinsic functions there left for the local pool to fill in."""
    from infra.deploy import load_template

    resources = (template or load_template())["Resources"]
    pool = dict(resources["UserPool"]["Properties"])
    pool.pop("UserPoolName")
    groups = [{k: v for k, v in r["Properties"].items() if k != "UserPoolId"}
              for r in resources.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"]
    clients = {}
    for name, res in resources.items():
        if res["Type"] == "AWS::Cognito::UserPoolClient":
            props = {k: v for k, v in res["Properties"].items()
                     if k not in ("UserPoolId", "CallbackURLs", "LogoutURLs")}
            clients[name] = _plain(props, name)
    return {"pool": _plain(pool, "UserPool"), "groups": _plain(groups, "groups"), "clients": clients}


def local_password(username: str) -> str:
    """The known password of a local staff member (the pool's policy: 12+, upper, lower, digit, symbol)."""
    return f"Local-{username}-pass-1!"


@dataclass
class StaffPool:
    """The staff user pool in moto: ids, a cognito-idp client, and the passwords of the members made here."""

    endpoint: str
    region: str
    pool_id: str
    web_client_id: str
    cli_client_id: str
    web_client_settings: dict[str, Any]
    passwords: dict[str, str] = field(default_factory=dict, repr=False)
    _client: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def issuer(self) -> str:
        """As template.yaml's StaffAuthorizer names it - and as moto writes `iss`."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def cognito(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = boto3.client("cognito-idp", region_name=self.region, endpoint_url=self.endpoint)
            return self._client

    def create_staff(self, members: Mapping[str, Sequence[str]], *, password: str | None = None) -> dict[str, str]:
        """Members (user name -> groups) through the real adapter (StaffService on Cognito), then a known,
        permanent password each (AdminSetUserPassword: no NEW_PASSWORD_REQUIRED at sign-in). -> name: password."""
        from activecare.staff.cognito import CognitoStaffDirectory
        from activecare.staff.service import StaffService

        service = StaffService(CognitoStaffDirectory(self.cognito, self.pool_id))
        made = {}
        for username, groups in members.items():
            service.add(username, f"{username}@activecare.example.jp", groups, print_password=True)
            made[username] = password or local_password(username)
            self.cognito.admin_set_user_password(UserPoolId=self.pool_id, Username=username,
                                                 Password=made[username], Permanent=True)
        self.passwords.update(made)
        return made

    def sign_in(self, username: str, *, client_id: str | None = None) -> dict[str, Any]:
        """InitiateAuth (USER_PASSWORD_AUTH) with the CLI client (or `client_id`) -> AuthenticationResult."""
        answer = self.cognito.initiate_auth(
            ClientId=client_id or self.cli_client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": self.passwords[username]})
        result: dict[str, Any] = answer["AuthenticationResult"]
        return result

    def access_token(self, username: str) -> str:
        return str(self.sign_in(username)["AccessToken"])

    def session(self, username: str) -> requests.Session:
        """A requests session that sends `username`'s access token (`Authorization: Bearer ...`)."""
        import requests

        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.access_token(username)}"
        return session

    def authorizer(self, **kwargs: Any) -> JwtAuthorizer:
        """The desk API's JWT authorizer as the template configures it (issuer, both clients), fetching the
        issuer's keys from moto. kwargs: JwtAuthorizer's (clock)."""
        from infra.local_auth import JwtAuthorizer

        return JwtAuthorizer(self.issuer, [self.web_client_id, self.cli_client_id],
                             fetch_base=f"{self.endpoint}/{self.pool_id}", **kwargs)

    def hosted_ui(self, **kwargs: Any) -> HostedUi:
        from infra.local_hosted_ui import HostedUi

        return HostedUi(self.cognito, self.pool_id, **kwargs)

    def register_origin(self, origin: str) -> None:
        """The web client's callback and logout URLs on the local front's origin, as template.yaml puts them
        on the desk API's (UpdateUserPoolClient is given every setting: it resets what it is not given)."""
        settings = {k: v for k, v in self.web_client_settings.items() if k != "GenerateSecret"}  # create-only
        self.cognito.update_user_pool_client(
            UserPoolId=self.pool_id, ClientId=self.web_client_id, **settings,
            CallbackURLs=[f"{origin}/desk/callback"], LogoutURLs=[f"{origin}/desk"])

    def desk_api(self, handler: Any = None, **kwargs: Any) -> LocalDeskApi:
        """The local front for this pool: its JWT authorizer, the hosted-UI stand-in, and the web client's URLs
        registered on the front's origin once it listens. kwargs: LocalDeskApi's."""
        from infra.local_api import LocalDeskApi

        return LocalDeskApi(self.authorizer(), handler, hosted_ui=self.hosted_ui(), on_start=self.register_origin,
                            **kwargs)


def create_staff_pool(endpoint: str, region: str, *, name: str = "activecare-local",
                      origin: str = "http://127.0.0.1") -> StaffPool:
    """The pool, its three groups and the two app clients, as template.yaml declares them."""
    wanted = template_staff_settings()
    cognito = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint)
    pool_id = cognito.create_user_pool(PoolName=f"{name}-staff", **wanted["pool"])["UserPool"]["Id"]
    for group in wanted["groups"]:
        cognito.create_group(UserPoolId=pool_id, **group)
    web = wanted["clients"]["WebClient"]
    web_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, **web, CallbackURLs=[f"{origin}/desk/callback"],
        LogoutURLs=[f"{origin}/desk"])["UserPoolClient"]["ClientId"]
    cli_id = cognito.create_user_pool_client(UserPoolId=pool_id, **wanted["clients"]["CliClient"])[
        "UserPoolClient"]["ClientId"]
    return StaffPool(endpoint, region, pool_id, web_id, cli_id, web, _client=cognito)


def _reset_moto(endpoint: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)


def _user(user_id: str, username: str, name: str) -> dict[str, Any]:
    return {"id": user_id, "username": username, "name": name, "created_at": "2012-04-01T00:00:00.000Z",
            "public_metrics": {"followers_count": 250000, "following_count": 10, "tweet_count": 90000,
                               "listed_count": 900}}


__all__ = ["BEARER", "LocalStack", "StaffPool", "create_staff_pool"]
