"""The AWS adapters besides DynamoDB: KMS field-level encryption, SES sending, the S3 bucket of inbound mail.

Why kms:Encrypt per field and not a data key (envelope encryption): no crypto library in the functions (the
Lambda runtime has none; KMS does the AES-GCM), every field bound to its record and field name through the
encryption context (a ciphertext moved to another record or field does not decrypt), and every decryption is
one CloudTrail event naming the role - the access trail the desk's own access log is checked against. The cost:
one KMS request per field (a form has at most five; the desk opens a case in ~10), well within KMS's quotas at a
desk's volume. KMS encrypts at most 4,096 bytes at once: longer values (a message, an e-mail's text) are split
into chunks on UTF-8 boundaries, each its own ciphertext, joined with "." (not a base64 character)."""

from __future__ import annotations

import base64
from typing import Any

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from activecare.mailform.models import Sealed
from activecare.mailform.ports import MailInDoubt, MailRejected

KMS_MAX = 4096
CHUNK = 4000


def _chunks(value: str) -> list[bytes]:
    data = value.encode("utf-8")
    out: list[bytes] = []
    start = 0
    while start < len(data) or not out:
        end = min(start + CHUNK, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a character
            end -= 1
        out.append(data[start:end])
        start = end
        if start >= len(data):
            break
    return out


class KmsCipher:
    def __init__(self, client: Any, key_id: str) -> None:
        self.client = client
        self.key_id = key_id

    def seal(self, record: str, values: dict[str, str]) -> Sealed:
        sealed = {}
        for name, value in values.items():
            context = {"purpose": "activecare-mailform", "record": record, "field": name}
            parts = [self.client.encrypt(KeyId=self.key_id, Plaintext=chunk, EncryptionContext=context)[
                "CiphertextBlob"] for chunk in _chunks(value)]
            sealed[name] = ".".join(base64.b64encode(p).decode("ascii") for p in parts)
        return sealed

    def open(self, record: str, sealed: Sealed) -> dict[str, str]:
        out = {}
        for name, value in sealed.items():
            context = {"purpose": "activecare-mailform", "record": record, "field": name}
            data = b"".join(self.client.decrypt(CiphertextBlob=base64.b64decode(p), EncryptionContext=context,
                                                KeyId=self.key_id)["Plaintext"] for p in value.split("."))
            out[name] = data.decode("utf-8")
        return out


def single_attempt(service: str, region: str) -> Any:
    """A client that never repeats a request on its own (a resent SendRawEmail could send twice)."""
    import boto3
    from botocore.config import Config

    return boto3.client(service, region_name=region,  # type: ignore[call-overload]
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                                      read_timeout=20))


class SesMailer:
    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, sender: str, recipients: tuple[str, ...], raw: bytes) -> str:
        if not recipients:
            raise MailRejected("NoRecipients")
        try:
            response = self.client.send_raw_email(Source=sender, Destinations=list(recipients),
                                                  RawMessage={"Data": raw})
        except (EndpointConnectionError, ConnectTimeoutError) as exc:  # never reached SES
            raise MailRejected(type(exc).__name__) from exc
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            if 400 <= int(status) < 500:
                raise MailRejected(code) from exc
            raise MailInDoubt(f"SES answered {status} {code}") from exc
        except Exception as exc:  # a read timeout, a reset after the request left: maybe sent
            raise MailInDoubt(type(exc).__name__) from exc
        return str(response["MessageId"])


class S3Bucket:
    """The encrypted bucket: objects written with SSE-KMS under the mail form's key."""

    def __init__(self, client: Any, bucket: str, key_id: str) -> None:
        self.client = client
        self.bucket = bucket
        self.key_id = key_id

    def get(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type,
                               ServerSideEncryption="aws:kms", SSEKMSKeyId=self.key_id)
