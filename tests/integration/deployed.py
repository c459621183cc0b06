"""A stack deployed from template.yaml into moto's CloudFormation over HTTP, for the deploy and ops tests.

moto creates what it supports and silently skips AWS::SecretsManager::Secret, AWS::Scheduler::Schedule,
SES identities, the HTTP API and the Cognito user pool; the tests check those in the transformed template
instead, and the ops tests create the two secrets out of band under the names the template gives them (the
stack's outputs).
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

from infra.aws_meter import AwsMeter, MeteredMotoServer
from infra.build import build_functions, function_dirs
from infra.deploy import deploy_stack

REGION = "ap-northeast-1"
STACK = "activecare-staging"
PARAMETERS = {"XAccessLevel": "basic", "AlarmEmail": "ops@activecare.example.jp",
              "ReportSender": "voc-staging@activecare.example.jp"}


@dataclass
class Deployed:
    name: str
    endpoint: str
    outputs: dict[str, str]


def reset_moto(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployed]:
    """moto in server mode, the AWS environment pointing at it, and the stack created in it."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = MeteredMotoServer(AwsMeter())
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    mp = pytest.MonkeyPatch()
    for key, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY":
                       "testing", "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                       "AWS_REGION": REGION}.items():
        mp.setenv(key, value)
    for key in ("AWS_PROFILE", "ACTIVECARE_STACK"):
        mp.delenv(key, raising=False)
    boto3.setup_default_session()  # no session cached from an earlier test's environment
    try:
        reset_moto(endpoint)  # moto's backends are process-global: start empty
        # The artifacts `sam build` makes (cross-built for python3.13; rebuilt only when the sources changed).
        outputs = deploy_stack(STACK, parameters=PARAMETERS, region=REGION,
                               code_dirs=function_dirs(build_functions()))
        yield Deployed(STACK, endpoint, outputs)
    finally:
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()
        reset_moto(endpoint)
        server.stop()
        mp.undo()
        boto3.setup_default_session()
