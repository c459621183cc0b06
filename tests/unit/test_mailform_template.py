"""template.yaml's e-mail form block (issue #19): who may open the personal fields, the encrypted private bucket
SES receiving writes to, the public form's throttled routes on their own function."""

from __future__ import annotations

import json
from typing import Any


def _statements(res: dict[str, Any], policy: str) -> list[dict[str, Any]]:
    return list(res[policy]["Properties"]["PolicyDocument"]["Statement"])


def test_only_the_desk_decrypts_the_personal_fields(transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    key = res["MailKey"]
    assert key["Properties"]["EnableKeyRotation"] is True and key["DeletionPolicy"] == "Retain"
    decrypting = {}
    for stmt in key["Properties"]["KeyPolicy"]["Statement"][1:]:  # [0]: the account administers (AWS requires it)
        if "kms:Decrypt" in stmt["Action"]:
            principals = stmt["Principal"].get("AWS", [])
            for p in principals if isinstance(principals, list) else [principals]:
                decrypting[p["Fn::GetAtt"][0]] = stmt.get("Condition", {})
    assert set(decrypting) == {"DeskFunctionRole", "MailinFunctionRole"}
    assert decrypting["MailinFunctionRole"]["StringEquals"]["kms:ViaService"] == {
        "Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}  # the inbound function reads the bucket, never a field
    form = [s for s in _statements(res, "FormMailPolicy") if any(a.startswith("kms:") for a in s["Action"])]
    assert {(tuple(s["Action"]), json.dumps(s["Resource"])) for s in form} == {
        (("kms:Encrypt",), json.dumps({"Fn::GetAtt": ["MailKey", "Arn"]})),
        (("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"), json.dumps({"Fn::GetAtt": ["DataKey", "Arn"]}))}
    desk = _statements(res, "DeskMailPolicy")
    assert {"ses:SendRawEmail"} in [set(s["Action"]) for s in desk]
    (ses,) = [s for s in desk if s["Action"] == ["ses:SendRawEmail"]]
    assert "identity/${SupportSender}" in ses["Resource"]["Fn::Sub"]  # from the support address only


def test_the_mail_bucket_is_private_encrypted_and_expiring(transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    props = res["MailBucket"]["Properties"]
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                     "KMSMasterKeyID": {"Fn::GetAtt": ["MailKey", "Arn"]}}
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 90
    (ses_write,) = [s for s in _statements(res, "MailBucketPolicy") if s["Effect"] == "Allow"]
    assert ses_write["Principal"] == {"Service": "ses.amazonaws.com"} and ses_write["Action"] == ["s3:PutObject"]
    assert ses_write["Resource"] == {"Fn::Sub": "${MailBucket.Arn}/inbound/*"}
    rule_props = res["MailReceiptRule"]["Properties"]["Rule"]
    assert rule_props["Recipients"] == [{"Ref": "SupportSender"}] and rule_props["TlsPolicy"] == "Require"
    table = res["MailformTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_the_form_is_public_throttled_and_the_inbound_mail_invokes_its_function(transformed: dict[str, Any]) -> None:
    res = transformed["Resources"]
    stage = next(r for r in res.values() if r["Type"] == "AWS::ApiGatewayV2::Stage")["Properties"]
    limits = stage["RouteSettings"]
    for key in ("GET /form/{token}", "POST /form/{token}"):
        assert limits[key]["ThrottlingRateLimit"] <= 5 and limits[key]["ThrottlingBurstLimit"] <= 10, key
    assert res["FormFunction"]["Properties"]["ReservedConcurrentExecutions"] == 5
    notification = res["MailBucket"]["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert [n["Function"] for n in notification] == [{"Fn::GetAtt": ["MailinFunction", "Arn"]}]
    assert notification[0]["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "inbound/"}]
