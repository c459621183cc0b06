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

from activecare.mailform.models import Sealed

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
