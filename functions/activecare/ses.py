"""The SES adapter shared by the departments' reports and the e-mail form's answers: SendRawEmail with
botocore's automatic retries off, so a send is never repeated behind our back; SES's answers sorted into
"not sent" (MailRejected) and "don't know" (MailInDoubt)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError


class MailRejected(Exception):
    """The mail service refused the message: it was not sent (safe to retry later)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class MailInDoubt(Exception):
    """The send may or may not have gone out (timeout, connection lost after the request)."""


def ses_client(region: str) -> Any:
    import boto3
    from botocore.config import Config

    # One attempt: botocore would otherwise resend after a 5xx or a read timeout (a possible double send).
    # `total_max_attempts` counts the first request; `max_attempts` counts retries (1 would still resend once).
    return boto3.client("ses", region_name=region,
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                                      read_timeout=20))


class SesMailer:
    """`envelope=False`: SES takes the recipients from the message's To header (the one list both SES and the
    reader see: the reports); `envelope=True`: they are passed as Destinations too (the e-mail form's answers)."""

    def __init__(self, client: Any, *, envelope: bool = False) -> None:
        self.client = client
        self.envelope = envelope

    def send(self, sender: str, recipients: tuple[str, ...], raw: bytes) -> str:
        if not recipients:
            raise MailRejected("NoRecipients")
        extra: dict[str, Any] = {"Destinations": list(recipients)} if self.envelope else {}
        try:
            response = self.client.send_raw_email(Source=sender, RawMessage={"Data": raw}, **extra)
        except (EndpointConnectionError, ConnectTimeoutError) as exc:  # never reached SES
            raise MailRejected(type(exc).__name__) from exc
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            if 400 <= int(status) < 500:  # SES refused it: nothing was sent
                raise MailRejected(code) from exc
            raise MailInDoubt(f"SES answered {status} {code}") from exc
        except Exception as exc:  # read timeout, connection reset after the request left
            raise MailInDoubt(type(exc).__name__) from exc
        return str(response["MessageId"])
