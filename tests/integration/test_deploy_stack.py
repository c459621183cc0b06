"""Deploy smoke test: template.yaml packaged, transformed offline and created in moto's CloudFormation over
HTTP; what moto creates is checked in moto (names from the stack's outputs), what it skips (schedules,
secrets, SES, the HTTP API, the staff user pool, the alarm e-mail subscription) in the transformed
template."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest

from infra.deploy import ARTIFACT_BUCKET, function_code_dirs, load_template, transform_template
from tests.integration.deployed import PARAMETERS, REGION, STACK, Deployed, deployed  # noqa: F401  (fixture)

HANDLERS = {"PollerFunction": "poller.app.handler", "WorkerFunction": "worker.app.handler",
            "DeskFunction": "desk.app.handler", "PublisherFunction": "publisher.app.handler",
            "ReporterFunction": "reporter.app.handler", "CampaignFunction": "campaign.app.handler",
            "ComplianceFunction": "compliance.app.handler",
            "FormFunction": "form.app.handler", "MailinFunction": "mailin.app.handler",  # the e-mail form's two
            "OutageFunction": "outage.app.handler"}
NO_X = {"ReporterFunction", "FormFunction", "MailinFunction"}  # never call X: no tweepy
# Built and uploaded too, created only where the access level offers X's webhooks (not on this stack's basic).
BUILT = {**HANDLERS, "WebhookFunction": "webhook.app.handler"}


@pytest.fixture(scope="module")
def transformed() -> dict[str, Any]:
    return transform_template(f"s3://{ARTIFACT_BUCKET}/code.zip", region=REGION)


def _function(deployed: Deployed, logical_id: str) -> dict[str, Any]:  # noqa: F811
    return boto3.client("lambda").get_function(FunctionName=deployed.outputs[f"{logical_id}Name"])


def test_the_stack_is_created_with_every_output_the_cli_reads(deployed: Deployed) -> None:  # noqa: F811
    from activecare.cli.outputs import OPTIONAL_OUTPUTS, SETTINGS_OUTPUTS

    stack = boto3.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    out = deployed.outputs
    for key in [*SETTINGS_OUTPUTS.values(), *OPTIONAL_OUTPUTS.values(), "ListenDeadLetterQueueUrl",
                *(f"{name}Name" for name in HANDLERS), "AlarmTopicArn"]:
        assert out.get(key) and "${" not in out[key], key
    assert out["BearerSecretName"] == f"{STACK}/twitter-bearer"
    assert out["PostingSecretName"] == f"{STACK}/twitter-posting"
    assert out["CampaignDmSecretName"] == f"{STACK}/twitter-dm"
    assert out["XAccessLevel"] == "basic" and out["ReportSender"] == PARAMETERS["ReportSender"]
    # moto has no HTTP API: the URL keeps `${DeskApi}` unresolved (real CloudFormation fills in the API id)
    assert out["DeskApiUrl"].startswith("https://") and out["DeskApiUrl"].endswith(
        f".execute-api.{REGION}.amazonaws.com")


def test_functions_run_python313_with_their_handler_and_the_stacks_names(deployed: Deployed) -> None:  # noqa: F811
    out = deployed.outputs
    iam = boto3.client("iam")
    for logical_id, handler in HANDLERS.items():
        config = _function(deployed, logical_id)["Configuration"]
        assert config["Runtime"] == "python3.13", logical_id
        assert config["Handler"] == handler, logical_id
        env = config["Environment"]["Variables"]
        assert env["INQUIRY_TABLE"] == out["InquiryTableName"]
        assert env["STATE_TABLE"] == out["StateTableName"]
        assert env["KEYWORD_TABLE"] == out["KeywordTableName"]
        assert env["X_ACCESS_LEVEL"] == "basic"
        assert [a["key"] for a in json.loads(env["SUPPORT_ACCOUNTS"])] == ["general", "signal", "wifi"]
        assert env["POWERTOOLS_SERVICE_NAME"] == logical_id.removesuffix("Function").lower()
        role = iam.get_role(RoleName=config["Role"].rsplit("/", 1)[1])["Role"]
        assume = json.dumps(role["AssumeRolePolicyDocument"])
        assert "lambda.amazonaws.com" in assume, logical_id
        assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"], logical_id
    poller = _function(deployed, "PollerFunction")
    assert poller["Configuration"]["Environment"]["Variables"]["LISTEN_QUEUE_URL"] == out["ListenQueueUrl"]
    assert poller["Concurrency"]["ReservedConcurrentExecutions"] == 1
    reporter = _function(deployed, "ReporterFunction")["Configuration"]["Environment"]["Variables"]
    assert reporter["REPORT_TIMES"] == "14:00,20:00" and reporter["REPORT_SENDER"] == PARAMETERS["ReportSender"]
    assert reporter["REPORT_ROUTING_FILE"] == "activecare/data/report_routing.json"
    campaign = _function(deployed, "CampaignFunction")["Configuration"]["Environment"]["Variables"]
    assert campaign["CAMPAIGN_TABLE"] == out["CampaignTableName"]


def test_each_function_runs_its_own_built_package(deployed: Deployed) -> None:  # noqa: F811
    """The stack was deployed from `sam build`'s artifacts: one zip per function, holding its own handler,
    the domain with its data and its dependencies (tweepy only where X is called)."""
    s3, lam = boto3.client("s3"), boto3.client("lambda")
    packages: dict[str, tuple[int, set[str]]] = {}
    for obj in s3.list_objects_v2(Bucket=ARTIFACT_BUCKET)["Contents"]:
        body = s3.get_object(Bucket=ARTIFACT_BUCKET, Key=obj["Key"])["Body"].read()
        names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
        (handler,) = [h for h in BUILT.values() if f"{h.split('.')[0]}/app.py" in names]
        packages[handler] = (len(body), names)
    assert set(packages) == set(BUILT.values())
    for logical_id, handler in HANDLERS.items():
        size, names = packages[handler]
        assert {"activecare/wiring.py", "activecare/data/keywords.csv", "activecare/data/report_routing.json",
                "pynamodb/models.py"} <= names
        assert not any("__pycache__" in n or n.startswith(("boto3/", "botocore/")) for n in names)
        assert any(n.startswith("tweepy/") for n in names) == (logical_id not in NO_X)
        fn = lam.get_function(FunctionName=deployed.outputs[f"{logical_id.removesuffix('Function')}FunctionName"])
        assert fn["Configuration"]["CodeSize"] == size
    assert set(function_code_dirs()) == set(BUILT)
    assert "WebhookUrl" not in deployed.outputs  # XAccessLevel basic: X offers no webhooks


def test_tables_have_the_keys_and_indexes_the_code_queries(deployed: Deployed) -> None:  # noqa: F811
    from activecare.storage.models import Inquiry

    ddb = boto3.client("dynamodb")
    inquiries = ddb.describe_table(TableName=deployed.outputs["InquiryTableName"])["Table"]
    assert inquiries["KeySchema"] == [{"AttributeName": "inquiry_id", "KeyType": "HASH"}]
    indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]]
               for i in inquiries["GlobalSecondaryIndexes"]}
    assert indexes == {"by_author": ["author_id", "created_at"], "by_status": ["status", "created_at"],
                       "by_conversation": ["conversation_id", "author_id"]}
    assert Inquiry.by_status.Meta.index_name == "by_status"  # the index the desk and reports query
    for output in ("StateTableName", "KeywordTableName"):
        table = ddb.describe_table(TableName=deployed.outputs[output])["Table"]
        assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}], output
    campaign = ddb.describe_table(TableName=deployed.outputs["CampaignTableName"])["Table"]
    assert [k["KeyType"] for k in campaign["KeySchema"]] == ["HASH", "RANGE"]


def test_the_tables_are_protected_and_the_data_key_exists(deployed: Deployed) -> None:  # noqa: F811
    """Every table refuses deletion; the stack's KMS key and its alias exist. (moto reads a CloudFormation table's
    SSESpecification under the API's key names, so it shows no SSE, and keeps a key's policy as a dict, so
    DescribeKey fails on it: the tables' key and its rotation are checked in the transformed template.)"""
    kms, ddb = boto3.client("kms"), boto3.client("dynamodb")
    for output in ("InquiryTableName", "StateTableName", "KeywordTableName", "CampaignTableName"):
        assert ddb.describe_table(TableName=deployed.outputs[output])["Table"]["DeletionProtectionEnabled"], output
    key_arn = deployed.outputs["DataKeyArn"]
    assert key_arn in {k["KeyArn"] for k in kms.list_keys()["Keys"]}
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases[f"alias/{STACK}-data"] == key_arn.rsplit("/", 1)[1]


def test_the_listen_queue_redrives_to_the_dlq_and_feeds_the_worker(deployed: Deployed) -> None:  # noqa: F811
    sqs = boto3.client("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=deployed.outputs["ListenQueueUrl"], AttributeNames=["All"])[
        "Attributes"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=deployed.outputs["ListenDeadLetterQueueUrl"],
                                       AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.loads(attrs["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq_arn and int(redrive["maxReceiveCount"]) == 3
    assert int(attrs["VisibilityTimeout"]) == 360
    worker = deployed.outputs["WorkerFunctionName"]
    (mapping,) = boto3.client("lambda").list_event_source_mappings(FunctionName=worker)["EventSourceMappings"]
    assert mapping["EventSourceArn"] == attrs["QueueArn"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == 10 and mapping["FunctionArn"].endswith(f":function:{worker}")


def test_the_campaign_drain_rule_and_the_alarm_topic_exist(deployed: Deployed) -> None:  # noqa: F811
    rules = boto3.client("events").list_rules()["Rules"]
    assert [r["ScheduleExpression"] for r in rules if "CampaignFunction" in r["Name"]] == ["rate(15 minutes)"]
    topics = [t["TopicArn"] for t in boto3.client("sns").list_topics()["Topics"]]
    assert deployed.outputs["AlarmTopicArn"] in topics


def test_what_moto_skips_is_in_the_transformed_template(deployed: Deployed,  # noqa: F811
                                                        transformed: dict[str, Any]) -> None:
    """moto created no secret (and dropped BEARER_SECRET_ID, a Ref to one): the template's are checked here."""
    assert boto3.client("secretsmanager").list_secrets()["SecretList"] == []
    worker_env = _function(deployed, "WorkerFunction")["Configuration"]["Environment"]["Variables"]
    assert "BEARER_SECRET_ID" not in worker_env  # moto drops a reference to a skipped resource
    res = transformed["Resources"]
    assert res["BearerSecret"]["Properties"]["Name"] == {"Fn::Sub": "${AWS::StackName}/twitter-bearer"}
    assert res["PostingSecret"]["Properties"]["Name"] == {"Fn::Sub": "${AWS::StackName}/twitter-posting"}
    assert res["CampaignDmSecret"]["Properties"]["Name"] == {"Fn::Sub": "${AWS::StackName}/twitter-dm"}
    secrets = {"PollerFunction": {"BEARER_SECRET_ID"}, "WorkerFunction": set(),  # it reads nothing from X
               "DeskFunction": {"BEARER_SECRET_ID", "POSTING_SECRET_ID"},
               "PublisherFunction": {"BEARER_SECRET_ID", "POSTING_SECRET_ID"},
               "ReporterFunction": set(), "CampaignFunction": {"CAMPAIGN_SECRET_ID"},
               "WebhookFunction": {"WEBHOOK_SECRET_ID"},
               "ComplianceFunction": {"BEARER_SECRET_ID"},
               "FormFunction": set(), "MailinFunction": set(),  # the e-mail form's: no X, no secret
               "OutageFunction": {"POSTING_SECRET_ID"}}  # status posts as the owning account
    for name, fn in res.items():
        if fn["Type"] == "AWS::Lambda::Function":
            env = fn["Properties"]["Environment"]["Variables"]
            assert {k for k in env if k.endswith("_SECRET_ID")} == secrets[name], name
            for key in secrets[name]:
                assert env[key] == {"Ref": {"BEARER_SECRET_ID": "BearerSecret", "POSTING_SECRET_ID": "PostingSecret",
                                            "CAMPAIGN_SECRET_ID": "CampaignDmSecret",
                                            "WEBHOOK_SECRET_ID": "WebhookSecret"}[key]}, name
    # SES receiving (skipped by moto): the support address's rule writes to the mail bucket's inbound/
    (action,) = res["MailReceiptRule"]["Properties"]["Rule"]["Actions"]
    assert action == {"S3Action": {"BucketName": {"Ref": "MailBucket"}, "ObjectKeyPrefix": "inbound/"}}
    schedules = [s["Properties"] for s in res.values() if s["Type"] == "AWS::Scheduler::Schedule"]
    by_function = {fn: [p for p in schedules if f'"{fn}"' in json.dumps(p["Target"]["Arn"])] for fn in HANDLERS}
    assert [p["ScheduleExpression"] for p in by_function["PollerFunction"]] == ["rate(1 minute)"]
    assert [p["ScheduleExpression"] for p in by_function["PublisherFunction"]] == ["cron(0/5 6-23 * * ? *)"]
    assert len(by_function["ReporterFunction"]) == 2
    assert [p["ScheduleExpression"] for p in by_function["ComplianceFunction"]] == ["cron(0 3 * * ? *)"]
    assert [p["ScheduleExpression"] for p in by_function["OutageFunction"]] == ["rate(1 minute)"]
    assert len(schedules) == 6
    for props in schedules:
        assert props["ScheduleExpressionTimezone"] == "Asia/Tokyo"
        assert props.get("State", "ENABLED") == "ENABLED" and "Name" not in props
        assert "<aws.scheduler.scheduled-time>" in props["Target"]["Input"]
        assert props["Target"]["RoleArn"]["Fn::GetAtt"][1] == "Arn"
    ses = [r for r in res.values() if r["Type"] == "AWS::SES::EmailIdentity"]
    assert [r["Properties"]["EmailIdentity"] for r in ses] == [{"Ref": "ReportSender"}, {"Ref": "SupportSender"}]
    subscriptions = [r for r in res.values() if r["Type"] == "AWS::SNS::Subscription"]
    assert [s["Properties"]["TopicArn"] for s in subscriptions] == [{"Ref": "OutageTopic"}, {"Ref": "AlarmTopic"}]
    for subscription in subscriptions:
        assert subscription["Condition"] == "HasAlarmEmail"
        assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert {"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage"} <= {r["Type"] for r in res.values()}


def test_the_template_declares_every_parameter_it_is_deployed_with() -> None:
    from infra.deploy import stack_parameters

    with pytest.raises(ValueError, match="NoSuchParameter"):
        stack_parameters(load_template(), {"NoSuchParameter": "x"})
