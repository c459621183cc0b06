"""template.yaml is clean under cfn-lint and transforms offline with the SAM translator."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from cfnlint.api import lint_file

from infra.deploy import TEMPLATE


def _of_type(tpl: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == kind}


LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}


def _statements(tpl: dict[str, Any], role: str, *, logs: bool = False) -> list[dict[str, Any]]:
    """A role's statements: its inline policies and the AWS::IAM::Policy resources attached to it (without the
    statement every function has for its own log group, test_every_function_writes_only_its_own_log_group)."""
    res = tpl["Resources"]
    docs = [p["PolicyDocument"] for p in res[role]["Properties"].get("Policies", [])]
    docs += [r["Properties"]["PolicyDocument"] for r in _of_type(tpl, "AWS::IAM::Policy").values()
             if {"Ref": role} in r["Properties"]["Roles"]]
    found = [s for d in docs for s in d["Statement"]]
    return found if logs else [s for s in found if not set(_list(s["Action"])) <= LOG_ACTIONS]


def _of_api(tpl: dict[str, Any], kind: str, api: str) -> list[dict[str, Any]]:
    """The resources of `kind` (routes, stages, integrations) of one HTTP API."""
    return [r for r in _of_type(tpl, kind).values() if r["Properties"]["ApiId"] == {"Ref": api}]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


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


# ---- protection (issue 14: 6 tables and keys, 8 IAM) ----

# The one managed policy a function role may carry: SAM attaches it to every role it creates (logs:CreateLogGroup,
# CreateLogStream, PutLogEvents on "*"); there is no SAM switch to leave it off short of writing the roles out.
PERSONAL_DATA_TABLES = {"InquiryTable", "CampaignTable"}  # customers' tweets and names; campaign entrants


def _resource_values(node: Any) -> list[Any]:
    """Every `Resource` value of every policy document under node."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k == "Resource"]
        return found + [x for k, v in node.items() if k != "Resource" for x in _resource_values(v)]
    if isinstance(node, list):
        return [x for v in node for x in _resource_values(v)]
    return []


def test_no_star_resource_in_any_policy_but_the_key_policy(transformed: dict[str, Any]) -> None:
    """No `*` resource anywhere in the transformed template, but where AWS requires one: a KMS key policy's
    Resource is "*" (it means this key). No managed policy: the functions' roles are written out (SAM's own
    role would attach AWSLambdaBasicExecutionRole, logs on Resource "*")."""
    for name, res in transformed["Resources"].items():
        if res["Type"] == "AWS::KMS::Key":
            continue
        for value in _resource_values(res.get("Properties", {})):
            assert "*" not in _list(value), name
            assert not any(isinstance(v, str) and v.endswith(":*") for v in _list(value)), name
    for name, role in _of_type(transformed, "AWS::IAM::Role").items():
        assert not role["Properties"].get("ManagedPolicyArns"), name
        for stmt in _statements(transformed, name, logs=True):
            assert not any(a.endswith("*") for a in _list(stmt["Action"])), (name, stmt)


def test_every_function_writes_only_its_own_log_group(transformed: dict[str, Any]) -> None:
    functions = _of_type(transformed, "AWS::Lambda::Function")
    assert len(functions) == 11  # six, the webhook's, the compliance sweep's, the e-mail form's two, outage
    for name, fn in functions.items():
        role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
        logs = [s for s in _statements(transformed, role, logs=True) if set(_list(s["Action"])) <= LOG_ACTIONS]
        assert [set(s["Action"]) for s in logs] == [LOG_ACTIONS], name
        arn = logs[0]["Resource"]["Fn::Sub"]
        assert arn.endswith(f":log-group:/aws/lambda/${{AWS::StackName}}-{name}-*"), (name, arn)


def test_the_worker_reads_only_its_queue_without_sams_sqs_managed_policy(transformed: dict[str, Any]) -> None:
    role = transformed["Resources"]["WorkerFunctionRole"]["Properties"]
    assert "ManagedPolicyArns" not in role  # not AWSLambdaSQSQueueExecutionRole nor the basic role (Resource "*")
    sqs = [s for s in _statements(transformed, "WorkerFunctionRole") if any(a.startswith("sqs:") for a in s["Action"])]
    assert [s["Resource"] for s in sqs] == [{"Fn::GetAtt": ["ListenQueue", "Arn"]}]
    assert set(sqs[0]["Action"]) == {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                                     "sqs:GetQueueAttributes"}
    (mapping,) = _of_type(transformed, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": ["ListenQueue", "Arn"]}
    assert mapping["Properties"]["FunctionName"] == {"Ref": "WorkerFunction"}


def test_every_table_is_retained_recoverable_and_protected_from_deletion(transformed: dict[str, Any]) -> None:
    tables = _of_type(transformed, "AWS::DynamoDB::Table")
    assert set(tables) == {"InquiryTable", "StateTable", "KeywordTable", "CampaignTable", "MailformTable"}
    for name, table in tables.items():
        assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain", name
        props = table["Properties"]
        assert props["DeletionProtectionEnabled"] is True, name
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert props["SSESpecification"]["SSEEnabled"] is True, name


def _data_roles(tpl: dict[str, Any]) -> set[str]:
    """The roles whose statements reach a personal-data table."""
    return {name for name in _of_type(tpl, "AWS::IAM::Role")
            if any(t in json.dumps(_statements(tpl, name)) for t in PERSONAL_DATA_TABLES)}


def test_personal_data_is_encrypted_with_the_stacks_rotating_key(transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    assert set(_of_type(transformed, "AWS::KMS::Key")) == {"DataKey", "MailKey"}  # the tables'; the e-mail form's
    key_id, key = "DataKey", res["DataKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"  # the retained tables stay readable
    (alias,) = [a for a in _of_type(transformed, "AWS::KMS::Alias").values()
                if a["Properties"]["TargetKeyId"] == {"Ref": key_id}]
    assert alias["Properties"]["TargetKeyId"] == {"Ref": key_id}
    assert alias["Properties"]["AliasName"] == {"Fn::Sub": "alias/${AWS::StackName}-data"}
    for name, table in _of_type(transformed, "AWS::DynamoDB::Table").items():
        sse = table["Properties"]["SSESpecification"]
        if name in PERSONAL_DATA_TABLES:
            assert sse == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]}}
        else:
            assert "KMSMasterKeyId" not in sse, name
    assert res[key_id]["Properties"]["KeyPolicy"]["Statement"][0]["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}


def test_the_key_policy_names_exactly_the_roles_of_the_personal_data_tables(transformed: dict[str, Any]) -> None:
    key_id, key = "DataKey", transformed["Resources"]["DataKey"]
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    (use,) = [s for s in statements if "kms:Decrypt" in _list(s["Action"])
              and s["Principal"] != statements[0]["Principal"]]
    named = {p["Fn::GetAtt"][0] for p in use["Principal"]["AWS"]}
    assert named == _data_roles(transformed) == {"WorkerFunctionRole", "DeskFunctionRole", "ReporterFunctionRole",
                                                  "CampaignFunctionRole", "FormFunctionRole", "MailinFunctionRole",
                                                  "ComplianceFunctionRole"}
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}
    for name in _of_type(transformed, "AWS::IAM::Role"):
        kms = [s for s in _statements(transformed, name) if any(a.startswith("kms:") for a in _list(s["Action"]))
               and s["Resource"] != {"Fn::GetAtt": ["MailKey", "Arn"]}]  # the e-mail form's key: its own test
        if name in named:
            assert [(sorted(s["Action"]), s["Resource"]) for s in kms] == [
                (["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], {"Fn::GetAtt": [key_id, "Arn"]})], name
        else:
            assert kms == [], name


STATE_PREFIXES = {  # from each function's adapters (functions/activecare/*/dynamo.py)
    "PollerFunctionRole": ["search#*", "mention#*", "ratelimit#*"],  # checkpoints, rate-limit marks
    "WorkerFunctionRole": ["dnc#*", "out#sig#*", "out#smp#*"],  # do-not-contact records, outage signals (written)
    "DeskFunctionRole": ["reply#*", "tally#*", "dnc#*", "held#*", "qa#*", "out#*", "xpost#*",  # + post window
                         "search#usage#*"],  # its verdicts on what a search found: UpdateItem only
    "ReporterFunctionRole": ["report#*", "out#state", "out#inc#*"],  # the report ledger, outage incidents
    "PublisherFunctionRole": ["cal#*", "post#*", "cap#*", "xpost#*"],  # the calendar, post records, caps
    "ComplianceFunctionRole": ["compliance#*"],  # the sweep's progress record
    "OutageFunctionRole": ["out#*", "xpost#*"],  # the outage radar: signals, state, baselines, incidents
    "CampaignFunctionRole": ["xpost#*"],  # only the accounts' post window (its announcement)
}


def test_each_function_reaches_only_its_own_items_of_the_state_table(transformed: dict[str, Any]) -> None:
    reaching = {}
    for name in _of_type(transformed, "AWS::IAM::Role"):
        for stmt in _statements(transformed, name):
            if "StateTable" in json.dumps(stmt["Resource"]):
                assert stmt["Resource"] == {"Fn::GetAtt": ["StateTable", "Arn"]}, name  # no index, no stream
                prefixes = stmt["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
                reaching.setdefault(name, []).extend(prefixes)
                assert not {"dynamodb:Scan", "dynamodb:Query", "dynamodb:DeleteItem"} & set(stmt["Action"]), name
                if "search#usage#*" in prefixes and name != "PollerFunctionRole":
                    assert prefixes == ["search#usage#*"] and _list(stmt["Action"]) == ["dynamodb:UpdateItem"], name
    assert reaching == STATE_PREFIXES


def test_the_desk_api_is_throttled_and_logs_access_without_bodies_or_tokens(transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    (stage,) = _of_api(transformed, "AWS::ApiGatewayV2::Stage", "DeskApi")
    props = stage["Properties"]
    assert props["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 50, "ThrottlingRateLimit": 20}
    logs = props["AccessLogSettings"]
    (group_id,) = [k for k, r in _of_type(transformed, "AWS::Logs::LogGroup").items()
                   if logs["DestinationArn"] == {"Fn::GetAtt": [k, "Arn"]}]
    assert res[group_id]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}  # as the functions' logs
    fields = json.loads(logs["Format"])
    assert {"requestId", "ip", "routeKey", "status", "latency"} <= set(fields)
    assert fields["ip"] == "$context.identity.sourceIp" and fields["routeKey"] == "$context.routeKey"
    for value in fields.values():  # only request metadata
        assert re.fullmatch(r"\$context\.[A-Za-z.]+", value), value
        assert not re.search(r"authorizer|header|body|claims|jwt|token", value, re.IGNORECASE), value


def test_twitter_credentials_live_in_secrets_manager(transformed: dict[str, Any]) -> None:
    assert _of_type(transformed, "AWS::SecretsManager::Secret")
    text = TEMPLATE.read_text(encoding="utf-8").lower()
    for needle in ("aaaaaaaa", "consumer_secret:", "access_token_secret:"):
        assert needle not in text


STATIC_ROUTES = {"GET /desk/{proxy+}", "GET /desk", "GET /", "GET /openapi.json"}  # the web desk and the API's doc
FORM_ROUTES = {"GET /form/{token}", "POST /form/{token}"}  # the e-mail form (issue #19)


def test_every_desk_route_but_the_static_ones_needs_a_staff_access_token(transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    api_id = "DeskApi"  # the webhook's API (WebhookApi, test_webhook_template.py) is X's, not the staff's
    assert "Body" not in res[api_id]["Properties"]  # no route hides in an OpenAPI body: they are the resources
    routes = {r["Properties"]["RouteKey"]: r["Properties"]
              for r in _of_api(transformed, "AWS::ApiGatewayV2::Route", api_id)}
    assert set(routes) == {*STATIC_ROUTES, *FORM_ROUTES, "ANY /{proxy+}"}
    for key, route in routes.items():
        assert route["ApiId"] == {"Ref": api_id}, key
        if key in FORM_ROUTES:  # the public e-mail form: its own function, no token (the link's is the key)
            assert route["Target"] == {"Fn::Sub": "integrations/${FormIntegration}"}, key
            assert route["AuthorizationType"] == "NONE" and "AuthorizerId" not in route, key
            continue
        assert route["Target"] == {"Fn::Sub": "integrations/${DeskIntegration}"}, key
        if key in STATIC_ROUTES:
            assert route["AuthorizationType"] == "NONE" and "AuthorizerId" not in route, key
        else:
            assert route["AuthorizationType"] == "JWT", key
            assert route["AuthorizerId"] == {"Ref": "StaffAuthorizer"}, key
            # API Gateway does not read token_use: a required scope keeps ID tokens (no scope claim) out.
            assert set(route["AuthorizationScopes"]) == {"openid", "aws.cognito.signin.user.admin"}, key
    (authorizer,) = _of_type(transformed, "AWS::ApiGatewayV2::Authorizer").values()
    props = authorizer["Properties"]
    assert props["AuthorizerType"] == "JWT" and props["IdentitySource"] == ["$request.header.Authorization"]
    assert props["JwtConfiguration"] == {
        "Issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"},
        "Audience": [{"Ref": "WebClient"}, {"Ref": "CliClient"}]}
    integration = transformed["Resources"]["DeskIntegration"]
    assert {name for name, r in _of_type(transformed, "AWS::ApiGatewayV2::Integration").items()
            if r["Properties"]["ApiId"] == {"Ref": api_id}} == {"DeskIntegration", "FormIntegration"}
    assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
    assert integration["Properties"]["PayloadFormatVersion"] == "2.0"
    assert integration["Properties"]["IntegrationUri"] == {"Fn::GetAtt": ["DeskFunction", "Arn"]}
    (stage,) = _of_api(transformed, "AWS::ApiGatewayV2::Stage", api_id)
    assert stage["Properties"]["StageName"] == "$default" and stage["Properties"]["AutoDeploy"] is True
    (permission,) = [p["Properties"] for p in _of_type(transformed, "AWS::Lambda::Permission").values()
                     if p["Properties"]["FunctionName"] == {"Ref": "DeskFunction"}]
    assert permission["Principal"] == "apigateway.amazonaws.com" and "${DeskApi}/" in json.dumps(permission)
    text = json.dumps(transformed)
    assert "AWS_IAM" not in text and "awsSigv4" not in text and "execute-api:Invoke" not in text


def test_the_web_desk_signs_in_with_the_code_grant_only(transformed: dict[str, Any]) -> None:
    clients = {c["Properties"]["ClientName"]: c["Properties"]
               for c in _of_type(transformed, "AWS::Cognito::UserPoolClient").values()}
    assert set(clients) == {"web-desk", "activecare-cli"}
    for props in clients.values():  # no implicit flow, no client secret, anywhere
        assert "implicit" not in props.get("AllowedOAuthFlows", [])
        assert props["GenerateSecret"] is False
        assert props["PreventUserExistenceErrors"] == "ENABLED" and props["EnableTokenRevocation"] is True
        assert (props["AccessTokenValidity"], props["RefreshTokenValidity"]) == (60, 12)
        assert props["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "hours"}
        assert not any(f in props.get("ExplicitAuthFlows", []) for f in ("ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                                                         "ALLOW_CUSTOM_AUTH"))
    web = clients["web-desk"]
    assert web["AllowedOAuthFlows"] == ["code"] and web["AllowedOAuthFlowsUserPoolClient"] is True
    assert web["AllowedOAuthScopes"] == ["openid", "profile", "email"]
    assert web["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    origin = "https://${DeskApi}.execute-api.${AWS::Region}.amazonaws.com"
    assert web["CallbackURLs"] == [{"Fn::Sub": f"{origin}/desk/callback"}]
    assert web["LogoutURLs"] == [{"Fn::Sub": f"{origin}/desk"}]
    cli = clients["activecare-cli"]
    assert cli["AllowedOAuthFlowsUserPoolClient"] is False and "AllowedOAuthFlows" not in cli
    assert cli["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def test_staff_are_created_by_admins_into_three_groups_and_the_pool_outlives_the_stack(
        transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    pool = res["UserPool"]
    assert pool["DeletionPolicy"] == "Retain" and pool["UpdateReplacePolicy"] == "Retain"
    props = pool["Properties"]
    assert props["DeletionProtection"] == "ACTIVE"
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert "UsernameAttributes" not in props and "AliasAttributes" not in props  # the user name signs in
    assert {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True} in props["Schema"]
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12 and all(policy[k] for k in ("RequireLowercase", "RequireUppercase",
                                                                      "RequireNumbers", "RequireSymbols"))
    message = props["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailMessage"]
    assert "{username}" in message and "{####}" in message
    groups = {g["Properties"]["GroupName"] for g in _of_type(transformed, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"agents", "supervisors", "admins", "trainees"}  # activecare.roles.GROUPS
    (domain,) = _of_type(transformed, "AWS::Cognito::UserPoolDomain").values()
    assert domain["Properties"]["UserPoolId"] == {"Ref": "UserPool"}
    outputs = transformed["Outputs"]
    assert {"UserPoolId", "WebClientId", "CliClientId", "HostedUiDomain"} <= set(outputs)
    assert outputs["HostedUiDomain"]["Value"] == {
        "Fn::Sub": "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"}
    assert "DeskAgentPolicyArn" not in outputs


def _refs(node: Any) -> set[str]:
    """The logical ids a CloudFormation value refers to (Ref, GetAtt, Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)} - set(variables)
                found |= _refs(variables)
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs(item)
    return found


def test_no_resources_depend_on_each_other_in_a_circle(transformed: dict[str, Any]) -> None:
    """CloudFormation refuses a dependency cycle at deploy time; cfn-lint does not see one that only the SAM
    transform makes (an HttpApi whose authorizer names a client whose callback URL names the API)."""
    res = transformed["Resources"]
    graph = {name: {d for d in _refs(r.get("Properties", {})) | set(_as_list(r.get("DependsOn"))) if d in res}
             for name, r in res.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            assert state.get(dep) != 1, " -> ".join([*path, node, dep])
            if dep not in state:
                visit(dep, [*path, node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def _as_list(value: Any) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def test_desk_function_may_touch_only_its_tables_and_the_secret(transformed: dict[str, Any]) -> None:
    statements = _statements(transformed, "DeskFunctionRole")
    actions = {a for s in statements for a in s["Action"]}
    # No DeleteItem: a dropped reply reservation is marked (desk/dynamo.py DynamoReservations.drop).
    assert actions == {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchGetItem",
                       "dynamodb:PutItem", "secretsmanager:GetSecretValue",
                       "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
                       "ses:SendRawEmail",  # the e-mail form's answers, from the support address only
                       "lambda:InvokeFunction"}  # the campaign function only (the campaign page)
    assert not any("Scan" in a or "sqs:" in a or "Delete" in a for a in actions)
    text = json.dumps(statements)
    assert "KeywordTable" not in text and "ListenQueue" not in text and "CampaignTable" not in text


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
    statements = _statements(transformed, "ReporterFunctionRole")
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem",
                       "dynamodb:UpdateItem", "ses:SendRawEmail", "kms:Decrypt", "kms:Encrypt",
                       "kms:GenerateDataKey"}
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
    statements = _statements(transformed, "PublisherFunctionRole")
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                       "secretsmanager:GetSecretValue"}
    (dynamo,) = [s for s in statements if "dynamodb:PutItem" in s["Action"]]
    assert dynamo["Resource"] == {"Fn::GetAtt": ["StateTable", "Arn"]}
    leading = dynamo["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert leading == ["cal#*", "post#*", "cap#*", "xpost#*"]


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
    statements = _statements(transformed, "CampaignFunctionRole")
    text = json.dumps(statements)
    assert "CampaignDmSecret" in text and "BearerSecret" not in text and "PostingSecret" not in text
    assert "CampaignTable" in text
    assert not any(t in text for t in ("InquiryTable", "KeywordTable", "Scan"))
    (state,) = [s for s in statements if "StateTable" in json.dumps(s)]  # only the post window (xpost#), written
    assert state["Action"] == ["dynamodb:UpdateItem"]
    for name in _of_type(transformed, "AWS::IAM::Role"):  # nobody else reads the DM secret
        if name != "CampaignFunctionRole":
            assert "CampaignDmSecret" not in json.dumps(_statements(transformed, name)), name


# ---- health ----


def test_an_outage_alert_in_doubt_is_alarmed_on_the_metric_the_radar_emits(transformed: dict[str, Any]) -> None:
    props = transformed["Resources"]["OutageAlertsInDoubtAlarm"]["Properties"]
    assert (props["Namespace"], props["MetricName"]) == ("activecare", "OutageAlertsInDoubt")
    service = transformed["Resources"]["OutageFunction"]["Properties"]["Environment"]["Variables"]
    assert props["Dimensions"] == [{"Name": "service", "Value": service["POWERTOOLS_SERVICE_NAME"]}]
    handler = TEMPLATE.parent / "functions" / "outage" / "app.py"
    assert '"OutageAlertsInDoubt"' in handler.read_text(encoding="utf-8")


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


def test_every_function_has_a_log_group_with_the_stack_s_retention(transformed: dict[str, Any]) -> None:
    """Lambda would make /aws/lambda/<name> itself on first run, kept forever: the stack makes it first."""
    groups = {json.dumps(g["Properties"]["LogGroupName"]): g["Properties"]
              for g in _of_type(transformed, "AWS::Logs::LogGroup").values() if "LogGroupName" in g["Properties"]}
    functions = _of_type(transformed, "AWS::Lambda::Function")
    assert functions
    for name in functions:
        props = groups.get(json.dumps({"Fn::Sub": f"/aws/lambda/${{{name}}}"}))
        assert props is not None, f"{name} has no log group"
        assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
    assert transformed["Parameters"]["LogRetentionDays"]["Default"] == 90


def test_every_table_expires_items_on_expires_at(transformed: dict[str, Any]) -> None:
    tables = _of_type(transformed, "AWS::DynamoDB::Table")
    assert len(tables) == 5
    for name, table in tables.items():
        assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}, name


def test_the_retention_settings_the_functions_get_are_valid_settings(transformed: dict[str, Any]) -> None:
    from activecare.settings import Settings

    for name, fn in _of_type(transformed, "AWS::Lambda::Function").items():
        env = {k: v for k, v in fn["Properties"]["Environment"]["Variables"].items()
               if k.endswith("_RETENTION_DAYS")}
        assert len(env) == 6, name
        settings = Settings.from_env(env)
        assert (settings.inquiry_retention_days, settings.reservation_retention_days, settings.record_retention_days,
                settings.report_retention_days, settings.campaign_retention_days,
                settings.mailform_retention_days) == (180, 7, 35, 60, 180, 90)


def _poller_metric(alarm: dict[str, Any]) -> tuple[str, str]:
    props = alarm["Properties"]
    assert props["Dimensions"] == [{"Name": "service", "Value": "poller"}]  # Powertools' service dimension
    return props["Namespace"], props["MetricName"]


def test_stopped_polls_alarm_on_missing_data(transformed: dict[str, Any]) -> None:
    """Issue #14: polls that stop must alarm. The poller emits Polls every run, day and night, so no data is
    the alarm (the silence alarm's ServiceHourPolls is emitted only in service hours: nights send nothing)."""
    res = transformed["Resources"]
    stopped = res["PollsStoppedAlarm"]["Properties"]
    assert _poller_metric(res["PollsStoppedAlarm"]) == ("activecare", "Polls")
    assert stopped["TreatMissingData"] == "breaching"
    assert stopped["ComparisonOperator"] == "LessThanThreshold" and stopped["Threshold"] == 1
    assert stopped["Period"] * stopped["EvaluationPeriods"] <= 900
    age = res["ListenQueueAgeAlarm"]["Properties"]
    assert (age["Namespace"], age["MetricName"]) == ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert age["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["ListenQueue", "QueueName"]}}]
    assert age["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and age["Threshold"] <= 900


def test_rejected_sources_and_the_search_window_gap_are_alarmed(transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    assert _poller_metric(res["SourcesRejectedAlarm"]) == ("activecare", "SourcesRejected")
    assert _poller_metric(res["SearchWindowGapAlarm"]) == ("activecare", "SearchWindowGapMinutes")
    for name in ("SourcesRejectedAlarm", "SearchWindowGapAlarm"):
        props = res[name]["Properties"]
        assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and props["Threshold"] == 1, name
        assert props["TreatMissingData"] == "notBreaching", name  # no poll is PollsStoppedAlarm's case


def test_poller_emits_the_metrics_its_alarms_watch(transformed: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from activecare.listening.poll import PollReport
    from poller import app

    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "poller")
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)  # a simulated day run earlier in this process
    app.metrics.clear_metrics()  # sets it and leaves its polls' values buffered (as test_handlers_events does)
    capsys.readouterr()
    report = PollReport(rejected=["search#q3"], beyond_window=["search#q1"], beyond_window_minutes=2880,
                        backlogged=["search#q2"])
    app.emit(report)
    app.metrics.flush_metrics()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    merged: dict[str, Any] = {}
    for line in lines:
        merged.update(line)
    assert merged["Polls"] == [1.0] and merged["SourcesRejected"] == [1.0]
    assert merged["SearchWindowGapMinutes"] == [2880.0] and merged["SourcesBacklogged"] == [1.0]
    (per_source,) = [line for line in lines if "SourceRejected" in line]
    assert per_source["source"] == "search#q3"
    assert per_source["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["source", "service"]]
    watched = {a["Properties"].get("MetricName") for a in _of_type(transformed, "AWS::CloudWatch::Alarm").values()}
    assert {"Polls", "SourcesRejected", "SearchWindowGapMinutes"} <= watched


def test_the_reporter_may_e_mail_only_the_routing_files_mailboxes(transformed: dict[str, Any]) -> None:
    """SES sends from the report sender only, and only to addresses matching ReportRecipients (ses:Recipients)."""
    import fnmatch

    from activecare.reporting.routing import load_routing

    role = transformed["Resources"]["ReporterFunctionRole"]["Properties"]
    (ses,) = [stmt for p in role["Policies"] for stmt in p["PolicyDocument"]["Statement"]
              if "ses:SendRawEmail" in stmt["Action"]]
    assert ses["Condition"]["StringEquals"] == {"ses:FromAddress": {"Ref": "ReportSender"}}
    assert ses["Condition"]["ForAllValues:StringLike"] == {
        "ses:Recipients": {"Fn::Split": [",", {"Ref": "ReportRecipients"}]}}
    patterns = transformed["Parameters"]["ReportRecipients"]["Default"].split(",")
    routing = load_routing("")
    recipients = {r for d in routing.departments.values() for r in d.recipients}
    assert recipients and all(any(fnmatch.fnmatchcase(r, p) for p in patterns) for r in recipients)
