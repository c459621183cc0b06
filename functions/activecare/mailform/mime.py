"""E-mail in and out: the answer we send (UTF-8, the reference in the subject) and the customer's e-mail SES
receiving stored (sender, subject, text; attachments separated, never inlined into the case)."""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

FOOTER = ("\n\n――――――――――――――――\n"
          "このメールにご返信いただく際は、件名のお問い合わせ番号を消さずにお送りください。\n"
          "お電話番号やご契約番号をX（旧Twitter）に書き込まないようお願いいたします。\n")


def answer_subject(reference: str) -> str:
    return f"【お問い合わせ番号 {reference}】お問い合わせへのご回答"


def answer_message(sender: str, to: str, subject: str, text: str, reference: str, at: datetime) -> bytes:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Reply-To"] = sender
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["X-Activecare-Reference"] = reference
    msg.set_content(text + FOOTER, charset="utf-8")
    return msg.as_bytes()


@dataclass(frozen=True)
class Part:
    filename: str
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Inbound:
    sender: str
    subject: str
    text: str
    attachments: tuple[Part, ...]


def _text_of_html(value: str) -> str:
    value = re.sub(r"(?is)<(script|style).*?</\1>", "", value)
    value = re.sub(r"(?i)<br\s*/?>|</p>", "\n", value)
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def parse_inbound(raw: bytes, text_max: int) -> Inbound:
    """A raw MIME message as SES receiving writes it to S3."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    sender = parseaddr(str(msg.get("From", "")))[1]
    subject = " ".join(str(msg.get("Subject", "")).split())
    text = ""
    if isinstance(msg, EmailMessage):
        body = msg.get_body(preferencelist=("plain", "html"))
        if body is not None:
            try:
                content = body.get_content()
            except (LookupError, UnicodeError):
                payload = body.get_payload(decode=True)
                content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
            text = _text_of_html(content) if body.get_content_subtype() == "html" else str(content)
        parts = []
        for n, part in enumerate(msg.iter_attachments(), 1):
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            name = part.get_filename() or f"attachment-{n}"
            parts.append(Part(" ".join(name.split())[:120], part.get_content_type(), payload))
    else:  # pragma: no cover - policy.default always builds EmailMessage
        parts = []
    return Inbound(sender=sender[:254], subject=subject[:300], text=text.strip()[:text_max],
                   attachments=tuple(parts))
