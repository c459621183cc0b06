"""The e-mail form's resources on the local stack (moto): the customer-managed key, the encrypted bucket SES
receiving writes to, the support address verified in SES - as template.yaml's "e-mail form" block makes them -
and the inbound path done as SES does it: the raw MIME message put in the bucket under inbound/, then the
mailin function invoked with the bucket's S3 event.

    settings = provision(settings)                 # LocalStack.start does this
    deliver(settings, raw_mime)                    # an e-mail arrives -> the mailin handler's result
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote_plus

import boto3

from activecare.settings import Settings
from infra.lambda_runtime import context_for

BUCKET = "activecare-mail-local"


def provision(settings: Settings) -> Settings:
    kms = boto3.client("kms", region_name=settings.region)
    key = kms.create_key(Description="activecare - the e-mail form's personal fields (local)")["KeyMetadata"]
    kms.create_alias(AliasName="alias/activecare-mailform", TargetKeyId=key["KeyId"])
    s3 = boto3.client("s3", region_name=settings.region)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": settings.region})
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]},
        "BucketKeyEnabled": True}]})
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    boto3.client("ses", region_name=settings.region).verify_email_identity(EmailAddress=settings.support_sender)
    return settings.model_copy(update={"mailform_key_id": key["Arn"], "mailform_bucket": BUCKET})


def s3_event(bucket: str, key: str, size: int) -> dict[str, Any]:
    """An S3 ObjectCreated:Put notification as the bucket sends it to Lambda."""
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "ap-northeast-1",
        "eventName": "ObjectCreated:Put", "userIdentity": {"principalId": "AWS:ses"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "inbound-mail",
               "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": quote_plus(key), "size": size, "sequencer": uuid.uuid4().hex[:16].upper()}},
    }]}


def deliver(settings: Settings, raw: bytes, *, message_id: str | None = None) -> dict[str, Any]:
    """SES receiving's S3 action (the object inbound/<message id>), then the bucket's event to mailin."""
    from mailin.app import handler

    key = f"inbound/{message_id or uuid.uuid4().hex}"
    boto3.client("s3", region_name=settings.region).put_object(Bucket=settings.mailform_bucket, Key=key, Body=raw)
    result: dict[str, Any] = handler(s3_event(settings.mailform_bucket, key, len(raw)), context_for("mailin"))
    return {"key": key, **result}
