"""template.yaml's webhook block: made only where the access level offers X's account activity webhooks and ops
turn it on; its own HTTP API (X signs, no staff authorizer), a role that can queue, read the keywords and the
consumer secret - nothing else - and the consumer secret readable by no other function."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.test_template import _list, _of_type, _statements

WEBHOOK = {"WebhookSecret", "WebhookFunctionLogGroup", "WebhookFunctionRole", "WebhookFunction", "WebhookApi",
           "WebhookApiStage", "WebhookApiAccessLogs", "WebhookIntegration", "WebhookCrcRoute", "WebhookEventsRoute",
           "WebhookInvokePermission", "WebhookErrorsAlarm"}


def test_the_webhook_exists_only_when_on_and_offered_by_the_access_level(transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    for name in WEBHOOK:
        assert res[name].get("Condition") == "WebhookEnabled", name
    assert res["WebhookFunction"]["Type"] == "AWS::Lambda::Function"
    assert transformed["Parameters"]["XActivityWebhook"]["Default"] == "off"
    assert transformed["Conditions"]["WebhookEnabled"] == {"Fn::And": [
        {"Fn::Equals": [{"Ref": "XActivityWebhook"}, "on"]},
        {"Fn::Or": [{"Fn::Equals": [{"Ref": "XAccessLevel"}, "pay_per_use"]},
                    {"Fn::Equals": [{"Ref": "XAccessLevel"}, "enterprise"]}]}]}
    conditional = {k for k, v in res.items() if v.get("Condition") == "WebhookEnabled"}
    assert conditional == WEBHOOK  # nothing else hangs on it
    assert transformed["Outputs"]["WebhookUrl"]["Condition"] == "WebhookEnabled"


def test_the_webhook_api_is_x_s_two_open_routes_on_the_webhook_function(transformed: dict[str, Any]) -> None:
    routes = {r["Properties"]["RouteKey"]: r["Properties"] for r in _of_type(transformed, "AWS::ApiGatewayV2::Route")
              .values() if r["Properties"]["ApiId"] == {"Ref": "WebhookApi"}}
    assert set(routes) == {"GET /webhooks/x", "POST /webhooks/x"}  # the CRC challenge and the deliveries
    for route in routes.values():
        assert route["AuthorizationType"] == "NONE" and "AuthorizerId" not in route  # X signs; no staff token
        assert route["Target"] == {"Fn::Sub": "integrations/${WebhookIntegration}"}
    res = transformed["Resources"]
    assert res["WebhookIntegration"]["Properties"]["IntegrationUri"] == {"Fn::GetAtt": ["WebhookFunction", "Arn"]}
    stage = res["WebhookApiStage"]["Properties"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["WebhookApiAccessLogs", "Arn"]}
    assert "body" not in stage["AccessLogSettings"]["Format"] and "header" not in stage["AccessLogSettings"]["Format"]
    permission = res["WebhookInvokePermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": "WebhookFunction"} and "${WebhookApi}/" in json.dumps(permission)
    assert res["WebhookFunction"]["Properties"]["Timeout"] <= 10  # X waits 3 s for the answer


def test_the_webhook_role_can_queue_read_keywords_and_its_secret_only(transformed: dict[str, Any]) -> None:
    granted = sorted((a, json.dumps(s["Resource"])) for s in _statements(transformed, "WebhookFunctionRole")
                     for a in _list(s["Action"]))
    assert granted == sorted([
        ("sqs:SendMessage", json.dumps({"Fn::GetAtt": ["ListenQueue", "Arn"]})),
        ("dynamodb:Scan", json.dumps({"Fn::GetAtt": ["KeywordTable", "Arn"]})),
        ("secretsmanager:GetSecretValue", json.dumps({"Ref": "WebhookSecret"})),
    ])
    readers = {name for name in _of_type(transformed, "AWS::IAM::Role")
               for s in _statements(transformed, name) if "WebhookSecret" in json.dumps(s["Resource"])}
    assert readers == {"WebhookFunctionRole"}
    variables = transformed["Resources"]["WebhookFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["WEBHOOK_SECRET_ID"] == {"Ref": "WebhookSecret"}
    assert not {"BEARER_SECRET_ID", "POSTING_SECRET_ID", "CAMPAIGN_SECRET_ID"} & set(variables)
    secret = transformed["Resources"]["WebhookSecret"]["Properties"]["GenerateSecretString"]
    assert json.loads(secret["SecretStringTemplate"]) == {"consumer_secret": "set-me"}
