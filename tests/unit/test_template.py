"""template.yaml is clean under cfn-lint and transforms offline with the SAM translator."""

from __future__ import annotations

import json
from typing import Any

from cfnlint.api import lint_file

from infra.deploy import TEMPLATE


def _of_type(tpl: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == kind}


def test_cfn_lint_is_clean() -> None:
    matches = lint_file(TEMPLATE)
    assert not matches, "\n".join(str(m) for m in matches)


def test_functions_target_a_supported_runtime(transformed: dict[str, Any]) -> None:
    functions = _of_type(transformed, "AWS::Lambda::Function")
    assert functions
    for name, res in functions.items():
        assert res["Properties"]["Runtime"] == "python3.13", name


def test_worker_reports_partial_batch_failures(transformed: dict[str, Any]) -> None:
    (mapping,) = _of_type(transformed, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Properties"]["BatchSize"] == 10


def test_queue_has_dlq_and_visibility_of_six_timeouts(transformed: dict[str, Any]) -> None:
    queue = transformed["Resources"]["ListenQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] <= 5
    worker = transformed["Resources"]["WorkerFunction"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]


def test_poller_runs_every_minute_in_tokyo_one_at_a_time(transformed: dict[str, Any]) -> None:
    (schedule,) = [s for s in _of_type(transformed, "AWS::Scheduler::Schedule").values()
                   if "PollerFunction" in json.dumps(s["Properties"]["Target"])]
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == "rate(1 minute)"
    assert props["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    assert "Name" not in props  # OmitName: two stacks never collide
    assert "<aws.scheduler.scheduled-time>" in props["Target"]["Input"]
    assert transformed["Resources"]["PollerFunction"]["Properties"]["ReservedConcurrentExecutions"] == 1


def test_policies_name_their_resources(transformed: dict[str, Any]) -> None:
    """Least privilege: no wildcard actions, no `*` resources in the functions' own policies."""
    for name, role in _of_type(transformed, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for stmt in policy["PolicyDocument"]["Statement"]:
                resources = stmt["Resource"] if isinstance(stmt["Resource"], list) else [stmt["Resource"]]
                assert "*" not in resources, (name, stmt)
                actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
                assert not any(a.endswith("*") for a in actions), (name, stmt)


def test_twitter_credentials_live_in_secrets_manager(transformed: dict[str, Any]) -> None:
    assert _of_type(transformed, "AWS::SecretsManager::Secret")
    text = TEMPLATE.read_text(encoding="utf-8").lower()
    for needle in ("aaaaaaaa", "consumer_secret:", "access_token_secret:"):
        assert needle not in text


def test_desk_api_is_iam_authorised_and_routes_to_the_desk_function(transformed: dict[str, Any]) -> None:
    (api,) = _of_type(transformed, "AWS::ApiGatewayV2::Api").values()
    body = api["Properties"]["Body"]
    schemes = body["components"]["securitySchemes"]
    assert schemes["AWS_IAM"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    operations = [op for path in body["paths"].values() for op in path.values()]
    assert operations
    for op in operations:
        assert op["security"] == [{"AWS_IAM": []}]
        integration = op["x-amazon-apigateway-integration"]
        assert integration["payloadFormatVersion"] == "2.0"
        assert "DeskFunction.Arn" in json.dumps(integration["uri"])


def test_desk_function_may_touch_only_its_tables_and_the_secret(transformed: dict[str, Any]) -> None:
    role = transformed["Resources"]["DeskFunctionRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchGetItem",
                       "dynamodb:PutItem", "dynamodb:DeleteItem", "secretsmanager:GetSecretValue"}
    assert not any("Scan" in a or "sqs:" in a for a in actions)
    text = json.dumps(statements)
    assert "KeywordTable" not in text and "ListenQueue" not in text


# ---- voice-of-the-customer reports ----


def test_reporter_runs_at_the_two_report_times_in_tokyo(transformed: dict[str, Any]) -> None:
    schedules = [s["Properties"] for s in _of_type(transformed, "AWS::Scheduler::Schedule").values()
                 if "ReporterFunction" in json.dumps(s["Properties"]["Target"])]
    assert len(schedules) == 2
    for props in schedules:
        assert props["ScheduleExpressionTimezone"] == "Asia/Tokyo"
        assert "Name" not in props
        assert "<aws.scheduler.scheduled-time>" in props["Target"]["Input"]
        assert "cron(${M} ${H} * * ? *)" in json.dumps(props["ScheduleExpression"])
    params = {p: transformed["Parameters"][p]["Default"] for p in ("FirstReportTime", "SecondReportTime")}
    assert params == {"FirstReportTime": "14:00", "SecondReportTime": "20:00"}
    env = transformed["Resources"]["ReporterFunction"]["Properties"]["Environment"]["Variables"]
    assert env["REPORT_TIMES"] == {"Fn::Sub": "${FirstReportTime},${SecondReportTime}"}


def test_reporter_may_send_only_from_its_ses_identity(transformed: dict[str, Any]) -> None:
    assert _of_type(transformed, "AWS::SES::EmailIdentity")
    role = transformed["Resources"]["ReporterFunctionRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem",
                       "dynamodb:UpdateItem", "ses:SendRawEmail"}
    (ses,) = [s for s in statements if s["Action"] == ["ses:SendRawEmail"]]
    assert ":identity/${ReportSender}" in json.dumps(ses["Resource"])
    assert ses["Condition"]["StringEquals"]["ses:FromAddress"] == {"Ref": "ReportSender"}
    (query,) = [s for s in statements if s["Action"] == ["dynamodb:Query"]]
    assert json.dumps(query["Resource"]).endswith('/index/by_status"}')
    alarms = {a["Properties"].get("MetricName") for a in _of_type(transformed, "AWS::CloudWatch::Alarm").values()}
    assert {"ReportsInDoubt", "ReportSendFailures"} <= alarms


# ---- scheduled posts ----


def test_publisher_runs_every_five_minutes_in_service_hours_in_tokyo(transformed: dict[str, Any]) -> None:
    (props,) = [s["Properties"] for s in _of_type(transformed, "AWS::Scheduler::Schedule").values()
                if "PublisherFunction" in json.dumps(s["Properties"]["Target"])]
    # The widest ServiceHours (06:00-24:00); the function itself keeps the stack's service hours.
    assert props["ScheduleExpression"] == "cron(0/5 6-23 * * ? *)"
    assert props["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    assert "Name" not in props
    assert "<aws.scheduler.scheduled-time>" in props["Target"]["Input"]


def test_publisher_may_touch_only_its_state_items_and_the_secret(transformed: dict[str, Any]) -> None:
    role = transformed["Resources"]["PublisherFunctionRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                       "secretsmanager:GetSecretValue"}
    (dynamo,) = [s for s in statements if "dynamodb:PutItem" in s["Action"]]
    assert dynamo["Resource"] == {"Fn::GetAtt": ["StateTable", "Arn"]}
    assert dynamo["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == ["cal#*", "post#*", "cap#*"]


def test_campaign_function_drains_dms_every_15_minutes_alone_with_its_own_table_and_secret(
        transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    props = res["CampaignFunction"]["Properties"]
    assert props["ReservedConcurrentExecutions"] == 1
    rules = [r for r in _of_type(transformed, "AWS::Events::Rule").values()
             if "CampaignFunction" in json.dumps(r["Properties"]["Targets"])]
    assert [r["Properties"]["ScheduleExpression"] for r in rules] == ["rate(15 minutes)"]
    assert json.loads(rules[0]["Properties"]["Targets"][0]["Input"]) == {"action": "tick"}
    table = res["CampaignTable"]["Properties"]
    assert {k["KeyType"] for k in table["KeySchema"]} == {"HASH", "RANGE"}
    statements = [s for p in res["CampaignFunctionRole"]["Properties"]["Policies"]
                  for s in p["PolicyDocument"]["Statement"]]
    text = json.dumps(statements)
    assert "CampaignDmSecret" in text and "TwitterSecret" not in text
    assert not any(t in text for t in ("InquiryTable", "StateTable", "KeywordTable", "Scan"))
    for name, role in _of_type(transformed, "AWS::IAM::Role").items():  # nobody else reads the DM secret
        if name != "CampaignFunctionRole":
            assert "CampaignDmSecret" not in json.dumps(role), name


# ---- health ----


def test_every_alarm_notifies_the_alarm_topic(transformed: dict[str, Any]) -> None:
    alarms = _of_type(transformed, "AWS::CloudWatch::Alarm")
    assert alarms
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name


def test_every_function_has_an_errors_alarm(transformed: dict[str, Any]) -> None:
    alarms = _of_type(transformed, "AWS::CloudWatch::Alarm").values()
    watched = {json.dumps(a["Properties"]["Dimensions"])
               for a in alarms if a["Properties"].get("MetricName") == "Errors"}
    for name in _of_type(transformed, "AWS::Lambda::Function"):
        assert json.dumps([{"Name": "FunctionName", "Value": {"Ref": name}}]) in watched, name


def test_dlq_depth_and_silence_are_alarmed(transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    dlq = res["ListenDeadLetterAlarm"]["Properties"]
    assert dlq["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["ListenDeadLetterQueue", "QueueName"]}
    silence = res["ListeningSilenceAlarm"]["Properties"]
    names = {m["MetricStat"]["Metric"]["MetricName"] for m in silence["Metrics"] if "MetricStat" in m}
    assert names == {"ServiceHourPolls", "TweetsMatched"}  # what functions/poller/app.py emits
    (expr,) = [m["Expression"] for m in silence["Metrics"] if "Expression" in m]
    assert "polls > 0" in expr and "matched == 0" in expr
    assert silence["TreatMissingData"] == "notBreaching"  # nights emit nothing and stay quiet
