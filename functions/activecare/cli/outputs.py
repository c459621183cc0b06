"""The deployed stack as the CLI sees it: its outputs (DescribeStacks) turned into Settings, so every
command works on the stack's own tables, queues, secrets and functions; AWS errors an operator can fix
become one-line CliErrors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from activecare.cli.errors import CliError
from activecare.settings import Settings

# Settings field -> stack output (template.yaml's Outputs); every one must be present.
SETTINGS_OUTPUTS = {
    "inquiry_table": "InquiryTableName",
    "state_table": "StateTableName",
    "keyword_table": "KeywordTableName",
    "campaign_table": "CampaignTableName",
    "mailform_table": "MailformTableName",
    "queue_url": "ListenQueueUrl",
    "bearer_secret_id": "BearerSecretName",
    "posting_secret_id": "PostingSecretName",
    "campaign_secret_id": "CampaignDmSecretName",
    "access_level": "XAccessLevel",
    "accounts": "SupportAccounts",
    "report_times": "ReportTimes",
    "report_sender": "ReportSender",
}
OPTIONAL_OUTPUTS = {"report_routing_file": "ReportRoutingFile"}
CONDITIONAL_OUTPUTS = {"webhook_secret_id": "WebhookSecretName"}  # only where X's webhook is on (template.yaml)
# States in which the stack's resources do not (or no longer) exist; an update that rolled back still works.
UNUSABLE = frozenset({"CREATE_IN_PROGRESS", "CREATE_FAILED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED",
                      "ROLLBACK_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_FAILED", "DELETE_COMPLETE",
                      "REVIEW_IN_PROGRESS"})


@dataclass(frozen=True)
class Stack:
    name: str
    region: str
    outputs: dict[str, str]

    def output(self, key: str) -> str:
        """An output's value; missing, empty or unresolved (`${...}` left by the engine) is an error."""
        value = self.outputs.get(key, "")
        if not value or "${" in value:
            raise CliError(f"stack {self.name} has no output {key} (deployed from an older template? "
                           f"run `sam deploy` again)")
        return value

    def settings(self) -> Settings:
        values: dict[str, Any] = {field: self.output(key) for field, key in SETTINGS_OUTPUTS.items()}
        values |= {field: self.outputs[key] for field, key in (OPTIONAL_OUTPUTS | CONDITIONAL_OUTPUTS).items()
                   if self.outputs.get(key)}
        try:
            return Settings(region=self.region, **values)
        except ValueError as exc:
            raise CliError(f"stack {self.name}: outputs do not make valid settings: {exc}") from None


def load_stack(name: str, region: str | None = None, profile: str | None = None) -> Stack:
    """DescribeStacks -> Stack; AWS problems become one-line CliErrors."""
    import boto3

    session = boto3.session.Session(profile_name=profile, region_name=region)
    region = session.region_name
    if not region:
        raise CliError("no AWS region: give --region or set AWS_REGION")
    with aws_errors(f"stack {name}"):
        stacks = session.client("cloudformation", region_name=region).describe_stacks(StackName=name)["Stacks"]
    if not stacks:
        raise CliError(f"stack {name} does not exist in {region}")
    stack = stacks[0]
    if stack["StackStatus"] in UNUSABLE:
        raise CliError(f"stack {name} is {stack['StackStatus']}: its resources are not there to operate")
    return Stack(name, region, {o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])})


class aws_errors:
    """Turns the AWS errors an operator can fix into CliError (one line, exit code 2)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> Literal[False]:
        if exc is None:
            return False
        message = explain(exc, self.what)
        if message:
            raise CliError(message) from None
        return False


def explain(exc: BaseException, what: str = "") -> str | None:
    """A one-line reason for an AWS error the operator can fix, or None."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
        TokenRetrievalError,
    )

    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return "no AWS credentials: use --profile, set AWS_PROFILE, or run `aws sso login` / `aws configure`"
    if isinstance(exc, NoRegionError):
        return ("no AWS region, so no stack to work on: point the CLI at a deployed stack with --stack NAME (or "
                "ACTIVECARE_STACK=NAME; --region/--profile as for the AWS CLI), or at a local stack by setting "
                "AWS_REGION=ap-northeast-1 and AWS_ENDPOINT_URL to it (`make desk` prints both)")
    if isinstance(exc, ProfileNotFound | TokenRetrievalError | EndpointConnectionError):
        return str(exc)
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", "")
        if code == "ValidationError" and "does not exist" in message:
            return f"{what} does not exist ({message})" if what else message
        if code in ("ResourceNotFoundException", "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
                    "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
                    "AccessDenied", "AccessDeniedException", "SignatureDoesNotMatch"):
            return f"{what + ': ' if what else ''}{code}: {message}"
    return None
