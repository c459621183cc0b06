"""The mail form's rules with in-memory fakes: single-use, expiring links; every bad input stores nothing; a
crash between storing and joining loses nothing; answers go out once; inbound mail joins its case or triage;
and the desk's e-mail-form reply carries a link that passes the personal-data guard and the length rules."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest

from activecare.clock import JST, ManualClock
from activecare.desk.policy import personal_data
from activecare.errors import Conflict, Forbidden
from activecare.mailform.memory import (
    MemoryBucket,
    MemoryCipher,
    MemoryInquiries,
    MemoryMailer,
    MemoryMailStore,
)
from activecare.mailform.models import MESSAGE_MAX
from activecare.mailform.service import MailformService, token_hash
from activecare.twitter.text_rules import MAX_WEIGHTED_LENGTH, weighted_length

START = datetime(2026, 11, 25, 10, 0, tzinfo=JST)
URL = "https://www.example.co.jp/support/form"
INQ = "1862000000000000001"
STAFF = frozenset({"agents"})
GOOD = {"name": "山田 花子", "email": "hanako@example.jp", "phone": "090-1234-5678", "contract": "AB-123456",
        "message": "先月の請求額が高いので内訳を確認したいです。", "consent": "yes"}


class World:
    def __init__(self) -> None:
        self.clock = ManualClock(START)
        self.store = MemoryMailStore()
        self.cipher = MemoryCipher()
        self.mailer = MemoryMailer()
        self.bucket = MemoryBucket()
        self.inquiries = MemoryInquiries({INQ: "billing"})
        self.svc = MailformService(store=self.store, cipher=self.cipher, clock=self.clock, form_url=URL,
                                   sender="support@activecare.example.jp", mailer=self.mailer, bucket=self.bucket,
                                   inquiries=self.inquiries)

    def token(self) -> str:
        return self.svc.issue(INQ).rsplit("/", 1)[1]

    def stored(self) -> int:
        return len([k for k in self.store.items if k[1].startswith("sub#")])


@pytest.fixture
def w() -> World:
    return World()


def test_a_link_is_unguessable_says_nothing_and_only_its_hash_is_stored(w: World) -> None:
    url = w.svc.issue(INQ)
    token = url.rsplit("/", 1)[1]
    assert url == f"{URL}/{token}" and re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 192 bits
    assert INQ not in url and "billing" not in url
    assert list(w.store.links) == [token_hash(token)] and token not in repr(w.store.links)
    assert w.store.links[token_hash(token)].expires == START + timedelta(days=7)
    assert len({w.token() for _ in range(50)}) == 50


def test_the_form_page_and_a_good_submission_join_the_inquiry(w: World) -> None:
    token = w.token()
    page = w.svc.form_page(token)
    assert page.status == 200 and "個人情報の取り扱い" in page.html and "<script" not in page.html
    done = w.svc.submit(token, GOOD)
    assert done.status == 200 and "受け付けました" in done.html
    (note,) = w.inquiries.notes
    assert note[0] == INQ and note[1] == "mail_form"
    view = w.svc.case(INQ, "sato", STAFF)
    (sub,) = view.submissions
    assert (sub.name, sub.phone, sub.contract) == ("山田 花子", "09012345678", "AB-123456")
    assert view.reply_to == "hanako@example.jp" and view.reference and view.reference in done.html
    raw = repr(w.store.items)  # nothing typed is stored in the clear
    assert "山田" not in raw and "hanako" not in raw and "09012345678" not in raw
    assert w.svc.figures("2026-11-25").forms_received == 1
    assert w.svc.figures("2026-11-25").by_department["billing"]["forms_received"] == 1


def test_a_link_is_single_use_and_expires(w: World) -> None:
    token = w.token()
    assert w.svc.submit(token, GOOD).status == 200
    again = w.svc.submit(token, GOOD)
    assert again.status == 410 and "送信済み" in again.html and w.stored() == 1
    assert w.svc.form_page(token).status == 410
    late = w.token()
    w.clock.advance(timedelta(days=7))
    assert w.svc.form_page(late).status == 410 and "有効期限" in w.svc.submit(late, GOOD).html
    assert w.svc.submit("x" * 40, GOOD).status == 404
    assert w.svc.submit("../../etc/passwd", GOOD).status == 404
    assert w.stored() == 1


@pytest.mark.parametrize("field, value, shown", [
    ("consent", "", "同意が必要"),
    ("name", "", "お名前を入力"),
    ("name", "あ" * 51, "50文字以内"),
    ("email", "hanako@", "メールアドレスの形式"),
    ("email", "a" * 250 + "@example.jp", "メールアドレスの形式"),
    ("phone", "123", "電話番号"),
    ("contract", "<script>", "ご契約番号"),
    ("message", "", "お問い合わせ内容を入力"),
    ("message", "長" * (MESSAGE_MAX + 1), f"{MESSAGE_MAX}文字以内"),
    ("message", "こんにちは\x00", f"{MESSAGE_MAX}文字以内"),
])
def test_bad_input_gets_a_friendly_page_and_stores_nothing(w: World, field: str, value: str, shown: str) -> None:
    token = w.token()
    page = w.svc.submit(token, {**GOOD, field: value})
    assert page.status == 422 and shown in page.html
    assert w.stored() == 0 and w.inquiries.notes == [] and w.store.links[token_hash(token)].used_at is None
    assert w.svc.submit(token, GOOD).status == 200  # the link still works


def test_what_is_shown_back_is_escaped(w: World) -> None:
    page = w.svc.submit(w.token(), {**GOOD, "name": '"><script>alert(1)</script>', "consent": ""})
    assert "<script>alert" not in page.html and "&lt;script&gt;" in page.html


def test_an_unknown_field_is_refused(w: World) -> None:
    assert w.svc.submit(w.token(), {**GOOD, "admin": "1"}).status == 422 and w.stored() == 0


def test_a_crash_between_storing_and_joining_loses_nothing(w: World) -> None:
    token = w.token()
    w.store.fail_after_submit = True
    with pytest.raises(RuntimeError):
        w.svc.submit(token, GOOD)
    assert w.stored() == 1 and w.inquiries.notes == [] and w.store.pending_links()
    assert w.svc.submit(token, GOOD).status == 410  # used: the customer is not asked to type it again
    assert w.inquiries.notes and w.inquiries.notes[0][1] == "mail_form"  # the retry's sweep joined it
    assert w.store.pending_links() == [] and w.svc.link_pending() == 0
    assert w.svc.case(INQ, "sato", STAFF).submissions[0].name == "山田 花子"
    assert w.svc.figures("2026-11-25").forms_received == 1


def test_only_staff_decrypt_and_every_access_is_recorded(w: World) -> None:
    w.svc.submit(w.token(), GOOD)
    with pytest.raises(Forbidden):
        w.svc.case(INQ, "bot", frozenset())
    w.svc.case(INQ, "sato", STAFF)
    view = w.svc.case(INQ, "kimura", frozenset({"supervisors"}))
    assert [a.agent for a in view.accesses] == ["sato", "kimura", "kimura"][:len(view.accesses)]
    assert {a.agent for a in view.accesses} == {"sato", "kimura"}


def test_an_answer_goes_out_once_with_the_reference_and_is_recorded(w: World) -> None:
    w.svc.submit(w.token(), GOOD)
    w.clock.advance(timedelta(minutes=30))
    first = w.svc.answer(INQ, "sato", STAFF, "内訳をご案内いたします。", "answer-token-1")
    again = w.svc.answer(INQ, "sato", STAFF, "内訳をご案内いたします。", "answer-token-1")
    assert first.status == "sent" and again.replayed and again.message_id == first.message_id
    (sent,) = w.mailer.sent
    msg = email.message_from_bytes(sent[2], policy=email.policy.default)
    assert sent[0] == "support@activecare.example.jp" and sent[1] == ("hanako@example.jp",)
    assert first.reference in str(msg["Subject"]) and "内訳をご案内" in msg.get_body().get_content()
    assert any(n[1] == "mail_answer" for n in w.inquiries.notes)
    with pytest.raises(Conflict):
        w.svc.answer(INQ, "sato", STAFF, "別の文面", "answer-token-1")
    f = w.svc.figures("2026-11-25")
    assert (f.email_answers, f.first_answers, f.first_answer_mean_s) == (1, 1, 1800.0)
    assert w.svc.resolved_by_email(INQ) and not w.svc.resolved_by_email(INQ)
    assert w.svc.figures("2026-11-25").resolved_by_email == 1


def test_an_answer_whose_send_is_in_doubt_is_never_sent_again(w: World) -> None:
    w.svc.submit(w.token(), GOOD)
    real = w.mailer.send

    def crash(sender: str, recipients: tuple[str, ...], raw: bytes) -> str:
        real(sender, recipients, raw)
        raise RuntimeError("crash after SES accepted the mail")

    w.mailer.send = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        w.svc.answer(INQ, "sato", STAFF, "ご回答です。", "answer-token-2")
    w.mailer.send = real  # type: ignore[method-assign]
    retry = w.svc.answer(INQ, "sato", STAFF, "ご回答です。", "answer-token-2")
    assert retry.status == "in_doubt" and len(w.mailer.sent) == 1


def test_a_callback_is_logged_with_its_time_result_and_sealed_memo(w: World) -> None:
    w.svc.submit(w.token(), GOOD)
    r = w.svc.callback(INQ, "sato", STAFF, "2026-11-25T11:00:00+09:00", "reached", "折り返し済み、請求内訳を説明",
                       "callback-token-1")
    assert not r.replayed
    assert w.svc.callback(INQ, "sato", STAFF, "2026-11-25T11:00:00+09:00", "reached", "x", "callback-token-1").replayed
    (cb,) = [e for e in w.svc.case(INQ, "sato", STAFF).entries if e.kind == "callback"]
    assert (cb.call_result, cb.text) == ("reached", "折り返し済み、請求内訳を説明")
    assert cb.call_at == "2026-11-25T11:00:00+09:00"
    assert "請求内訳" not in repr(w.store.items)


def _mail(subject: str, text: str, attachment: bytes | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "山田 花子 <hanako@example.jp>"
    msg["To"] = "support@activecare.example.jp"
    msg["Subject"] = subject
    msg.set_content(text)
    if attachment is not None:
        msg.add_attachment(attachment, maintype="image", subtype="png", filename="請求書.png")
    return msg.as_bytes()


def test_an_inbound_email_joins_its_case_by_the_reference_and_keeps_attachments_apart(w: World) -> None:
    w.svc.submit(w.token(), GOOD)
    ref = w.svc.case(INQ, "sato", STAFF).reference
    w.bucket.put("inbound/msg-1", _mail(f"Re: 【お問い合わせ番号 {ref}】ご回答", "ありがとうございます。解決しました。",
                                        b"\x89PNG-bytes"), "message/rfc822")
    got = w.svc.receive("inbound/msg-1")
    assert (got.placed, got.inquiry_id, got.attachments, got.duplicate) == ("case", INQ, 1, False)
    assert w.svc.receive("inbound/msg-1").duplicate  # S3 events may come twice
    (mail,) = [e for e in w.svc.case(INQ, "sato", STAFF).entries if e.kind == "inbound"]
    assert "解決しました" in mail.text and mail.attachments == ["請求書.png"] and "PNG" not in mail.text
    assert w.bucket.get("attachments/" + w.store.entries(INQ)[-2].attachments[0].split("/", 1)[1]) == b"\x89PNG-bytes"
    assert w.svc.figures("2026-11-25").inbound_emails == 1


def test_an_inbound_email_without_a_known_reference_goes_to_triage(w: World) -> None:
    w.bucket.put("inbound/msg-2", _mail("料金について", "番号が分かりません AC-ZZZZZZZZZZ"), "message/rfc822")
    got = w.svc.receive("inbound/msg-2")
    assert got.placed == "triage" and got.inquiry_id is None
    (item,) = w.svc.triage_list(STAFF).items
    assert item.sender == "hanako@example.jp" and "番号が分かりません" in item.text
    assert w.svc.figures("2026-11-25").triaged == 1


def test_the_desk_email_form_reply_carries_a_fresh_link_that_passes_the_guards() -> None:
    from tests.unit.test_desk_service import World as DeskWorld

    desk_world = DeskWorld("enterprise")
    mail = World()
    desk_world.desk.form_links = mail.svc
    inq = desk_world.inquiry("契約内容を確認したいです", topic="billing")
    text = desk_world.desk.templates.email_form.render(inq.author_username)
    desk_world.desk.claim(inq.inquiry_id, "sato")
    result = desk_world.desk.reply(inq.inquiry_id, "sato", text, "reply-token-form-1")
    (post,) = desk_world.posted
    link = re.search(rf"{re.escape(URL)}/([A-Za-z0-9_-]+)", post.text)
    assert link and result.status == "posted" and post.text != text
    assert personal_data(post.text) == () and weighted_length(post.text) == weighted_length(text) <= MAX_WEIGHTED_LENGTH
    assert mail.store.get_link(token_hash(link.group(1))) is not None
    again = desk_world.desk.reply(inq.inquiry_id, "sato", text, "reply-token-form-1")  # a retry: the same post
    assert again.replayed and len(desk_world.posted) == 1 and len(mail.store.links) == 1
    assert desk_world.desk.figures("2026-11-25").desk.email_form_guidance == 1
