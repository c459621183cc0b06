"""The mail form's operations, with every rule in one place.

Links: `issue` mints a token (secrets.token_urlsafe, 192 bits) for one inquiry; only its SHA-256 is stored, with
the inquiry id and an expiry (`link_days`, default 7). The URL is `<form_url>/<token>`: nothing in it names the
customer or the inquiry. A link is single-use: the submission and the "used" mark are one DynamoDB transaction.

Submissions: checked before anything is stored (a bad one stores nothing); the personal fields are sealed
field by field with the customer-managed KMS key (each ciphertext bound to its record and field name by the
encryption context) and kept `retention_days` (TTL). The submission is stored with a pending-link marker in the
same transaction; joining it to the inquiry (a desk event, back to the queue) comes after, and `link_pending`
finishes whatever a crash left between the two (run by every form page, submission and inbound e-mail) -
nothing a customer sent is lost.

Answers by e-mail go out once per client token: the answer is recorded (pending) before SES is called; a retry
of a sent one replays it, and one whose send may or may not have happened (a timeout) is marked in doubt and
never sent again by a retry.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from activecare.clock import Clock
from activecare.errors import AppError, BadRequest, Conflict, Forbidden, NotFound, Unavailable
from activecare.hours import jst_date
from activecare.mailform import mime, render
from activecare.mailform.models import (
    ANSWER_MAX,
    CALL_RESULTS,
    CLIENT_TOKEN_PATTERN,
    CONTRACT_MAX,
    EMAIL_MAX,
    INBOUND_TEXT_MAX,
    MEMO_MAX,
    MESSAGE_MAX,
    NAME_MAX,
    PHONE_MAX,
    REFERENCE_PATTERN,
    TOKEN_BYTES,
    TOKEN_PATTERN,
    AccessView,
    AnswerResult,
    CallbackResult,
    Case,
    Entry,
    FormInput,
    FormLink,
    InboundResult,
    LinkState,
    MailCaseView,
    MailEntryView,
    MailFigures,
    Page,
    SubmissionView,
    TriageItem,
    TriageList,
    TriageView,
)
from activecare.mailform.ports import Bucket, Cipher, Inquiries, Mailer, MailInDoubt, MailRejected, MailStore
from activecare.roles import GROUPS

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
_PHONE = re.compile(r"^(0\d{9,10}|\+81\d{9,10})$")
_CONTRACT = re.compile(r"^[A-Za-z0-9-]{4,20}$")
_CLIENT_TOKEN = re.compile(CLIENT_TOKEN_PATTERN)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e]")
_REF_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SUBMIT_FIELDS = ("name", "email", "phone", "contract", "message", "consent")


class FormRejected(Exception):
    """The form's input is not acceptable: the messages per field, in Japanese (nothing was stored)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _clean(value: str, *, multiline: bool = False) -> str:
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return value if multiline else " ".join(value.split())


def check_form(raw: dict[str, str]) -> FormInput:
    """The customer's input, normalised and checked; FormRejected with a Japanese message per bad field."""
    errors: dict[str, str] = {}
    unknown = set(raw) - set(SUBMIT_FIELDS)
    if unknown:
        errors["form"] = "フォームの内容を読み取れませんでした。ページを開き直してください。"
    name = _clean(raw.get("name", ""))
    email = unicodedata.normalize("NFKC", raw.get("email", "")).strip()
    phone = re.sub(r"[\s()\-ー－‐]", "", unicodedata.normalize("NFKC", raw.get("phone", "")))
    contract = unicodedata.normalize("NFKC", raw.get("contract", "")).strip()
    message = _clean(raw.get("message", ""), multiline=True)
    if not name:
        errors["name"] = "お名前を入力してください。"
    elif len(name) > NAME_MAX or _CONTROL.search(name):
        errors["name"] = f"お名前は{NAME_MAX}文字以内で入力してください。"
    if not email:
        errors["email"] = "連絡先のメールアドレスを入力してください。"
    elif len(email) > EMAIL_MAX or not _EMAIL.match(email):
        errors["email"] = "メールアドレスの形式をご確認ください（例: taro@example.jp）。"
    if phone and (len(phone) > PHONE_MAX or not _PHONE.match(phone)):
        errors["phone"] = "電話番号は数字10〜11桁で入力してください（任意）。"
    if contract and (len(contract) > CONTRACT_MAX or not _CONTRACT.match(contract)):
        errors["contract"] = f"ご契約番号は英数字とハイフン{CONTRACT_MAX}文字以内で入力してください（任意）。"
    if not message:
        errors["message"] = "お問い合わせ内容を入力してください。"
    elif len(message) > MESSAGE_MAX or _CONTROL.search(message.replace("\n", "").replace("\t", "")):
        errors["message"] = f"お問い合わせ内容は{MESSAGE_MAX}文字以内で入力してください。"
    if raw.get("consent") != "yes":
        errors["consent"] = "個人情報の取り扱いへの同意が必要です。"
    if errors:
        raise FormRejected(errors)
    return FormInput(name=name, email=email, phone=phone, contract=contract, message=message)


def _staff(roles: frozenset[str] | set[str], what: str) -> None:
    if not set(roles) & set(GROUPS):
        raise Forbidden(f"only staff may {what}", code="staff_only")


class MailformService:
    def __init__(self, *, store: MailStore, cipher: Cipher, clock: Clock, form_url: str, sender: str = "",
                 mailer: Mailer | None = None, bucket: Bucket | None = None, inquiries: Inquiries | None = None,
                 link_days: int = 7, retention_days: int = 90) -> None:
        self.store = store
        self.cipher = cipher
        self.clock = clock
        self.base_url = form_url.rstrip("/")
        self.sender = sender
        self.mailer = mailer
        self.bucket = bucket
        self.inquiries = inquiries
        self.link_days = link_days
        self.retention_days = retention_days

    # --- links (the desk's e-mail-form reply) -------------------------------------------------------

    def issue(self, inquiry_id: str) -> str:
        """A new single-use link to the form for the inquiry: `<form_url>/<token>`."""
        now = self.clock()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        expires = now + timedelta(days=self.link_days)
        self.store.put_link(FormLink(token_hash(token), inquiry_id, now, expires),
                            keep_until=expires + timedelta(days=1))
        return f"{self.base_url}/{token}"

    def _link(self, token: str) -> tuple[LinkState, FormLink | None]:
        if not TOKEN_PATTERN.fullmatch(token or ""):
            return "unknown", None
        link = self.store.get_link(token_hash(token))
        if link is None:
            return "unknown", None
        if link.used_at is not None:
            return "used", link
        if self.clock() >= link.expires:
            return "expired", link
        return "ok", link

    # --- the public form ---------------------------------------------------------------------------

    def form_page(self, token: str) -> Page:
        self.link_pending()
        state, _ = self._link(token)
        if state != "ok":
            return render.link_problem(state)
        return render.form(token)

    def submit(self, token: str, raw: dict[str, str]) -> Page:
        """The customer sends the form: a thank-you page, or a friendly page saying what to fix (nothing stored)."""
        self.link_pending()  # finish what a crash left (cheap: one query of the pending partition)
        state, link = self._link(token)
        if state != "ok" or link is None:
            return render.link_problem(state)
        try:
            form = check_form(raw)
        except FormRejected as bad:
            return render.form(token, values=raw, errors=bad.errors)
        now = self.clock()
        case = self._case(link.inquiry_id)
        sk = f"sub#{link.token_hash[:32]}"
        entry = Entry(link.inquiry_id, sk, "submission", now,
                      sealed=self.cipher.seal(f"{link.inquiry_id}/{sk}", form.fields()), status="pending")
        if not self.store.submit(entry, link.token_hash, now, self._keep(now)):
            return render.link_problem("used")
        self._join(link.inquiry_id, sk, now, case)
        return render.thanks(case.reference)

    def link_pending(self) -> int:
        """Join every stored submission that is not joined to its inquiry yet (a crash between the two)."""
        done = 0
        for inquiry_id, sk in self.store.pending_links():
            entry = self.store.get_entry(inquiry_id, sk)
            if entry is not None:
                self._join(inquiry_id, sk, entry.at, self._case(inquiry_id))
                done += 1
        return done

    def _join(self, inquiry_id: str, sk: str, at: datetime, case: Case) -> None:
        if self.inquiries is not None:
            self.inquiries.note(inquiry_id, "mail_form", at, f"{case.reference} {sk}")
        self.store.update_case(inquiry_id, first_form_at=at)
        if self.store.mark_linked(inquiry_id, sk):  # counted once, by whoever joined it
            self.store.count(jst_date(at), case.department, {"forms_received": 1})

    def _case(self, inquiry_id: str) -> Case:
        """The inquiry's case, made on first use with a fresh reference."""
        case = self.store.get_case(inquiry_id)
        if case is not None:
            return case
        department = (self.inquiries.department(inquiry_id) if self.inquiries else None) or ""
        now = self.clock()
        reference = "AC-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(10))
        made = Case(inquiry_id, reference, now, department)
        if self.store.put_case(made, self._keep(now)):
            return made
        found = self.store.get_case(inquiry_id)  # another request made it first
        if found is None:
            raise Unavailable("the case could not be read back; retry", code="case_unavailable")
        return found

    def _keep(self, at: datetime) -> datetime:
        return at + timedelta(days=self.retention_days)

    # --- the desk ----------------------------------------------------------------------------------

    def case(self, inquiry_id: str, agent: str, roles: frozenset[str]) -> MailCaseView:
        """The case with its personal data decrypted, for staff; every such read is recorded."""
        _staff(roles, "read the e-mail form's personal data")
        if self.inquiries is not None and self.inquiries.department(inquiry_id) is None:
            raise NotFound(f"no inquiry {inquiry_id[:40]!r}", code="unknown_inquiry")
        case = self.store.get_case(inquiry_id)
        entries = self.store.entries(inquiry_id) if case else []
        now = self.clock()
        if case is not None:
            self.store.put_entry(Entry(inquiry_id, f"acc#{now.isoformat()}#{agent}", "access", now, agent=agent,
                                       detail="personal_data"), self._keep(now))
        submissions: list[SubmissionView] = []
        views: list[MailEntryView] = []
        accesses: list[AccessView] = []
        reply_to: str | None = None
        for e in sorted(entries, key=lambda e: (e.at, e.sk)):
            plain = self.cipher.open(f"{inquiry_id}/{e.sk}", e.sealed) if e.sealed else {}
            if e.kind == "submission":
                submissions.append(SubmissionView(at=e.at, name=plain.get("name", ""), email=plain.get("email", ""),
                                                  phone=plain.get("phone", ""), contract=plain.get("contract", ""),
                                                  message=plain.get("message", "")))
                reply_to = plain.get("email") or reply_to
            elif e.kind == "access":
                accesses.append(AccessView(agent=e.agent, at=e.at))
            else:
                if e.kind == "inbound":
                    reply_to = plain.get("from") or reply_to
                views.append(MailEntryView(kind=e.kind, at=e.at, agent=e.agent, status=e.status,
                                           subject=plain.get("subject", ""), text=plain.get("text", ""),
                                           sender=plain.get("from", ""), call_at=plain.get("call_at", ""),
                                           call_result=e.detail if e.kind == "callback" else "",
                                           attachments=list(e.attachment_names)))
        accesses.append(AccessView(agent=agent, at=now))
        return MailCaseView(inquiry_id=inquiry_id, reference=case.reference if case else None,
                            department=case.department if case else "", submissions=submissions, entries=views,
                            accesses=accesses, reply_to=reply_to)

    def answer(self, inquiry_id: str, agent: str, roles: frozenset[str], text: str, client_token: str) -> AnswerResult:
        """E-mail the customer from the support address, the reference in the subject; once per client token."""
        _staff(roles, "answer by e-mail")
        if not _CLIENT_TOKEN.match(client_token or ""):
            raise BadRequest("client_token must be 8-64 characters of letters, digits, - and _",
                             code="bad_client_token")
        text = _clean(text or "", multiline=True)
        if not 1 <= len(text) <= ANSWER_MAX:
            raise BadRequest(f"the answer must be 1-{ANSWER_MAX} characters", code="bad_text")
        case = self.store.get_case(inquiry_id)
        if case is None:
            raise NotFound("this inquiry has no e-mail case (no form received)", code="no_mail_case")
        sk = f"ans#{client_token}"
        digest = hashlib.sha256(text.encode()).hexdigest()
        existing = self.store.get_entry(inquiry_id, sk)
        if existing is not None:
            return self._answer_replay(case, existing, digest, client_token)
        view = self.case(inquiry_id, agent, roles)
        if not view.reply_to:
            raise Conflict("the customer left no e-mail address", code="no_address")
        if self.mailer is None or not self.sender:
            raise Unavailable("no mailer is configured", code="no_mailer")
        now = self.clock()
        subject = mime.answer_subject(case.reference)
        pending = Entry(inquiry_id, sk, "answer", now, agent=agent, status="pending", digest=digest,
                        sealed=self.cipher.seal(f"{inquiry_id}/{sk}", {"text": text, "subject": subject,
                                                                       "to": view.reply_to}))
        if not self.store.put_entry(pending, self._keep(now)):
            found = self.store.get_entry(inquiry_id, sk)
            if found is None:
                raise Conflict("the client token is being used by another request; retry", code="token_busy")
            return self._answer_replay(case, found, digest, client_token)
        raw = mime.answer_message(self.sender, view.reply_to, subject, text, case.reference, now)
        try:
            message_id = self.mailer.send(self.sender, (view.reply_to,), raw)
        except MailRejected as exc:
            self.store.update_entry(inquiry_id, sk, status="rejected")
            raise Unavailable(f"SES refused the message ({exc}); nothing was sent - retry with the same client_token",
                              code="mail_rejected", client_token=client_token) from None
        except MailInDoubt:
            self.store.update_entry(inquiry_id, sk, status="in_doubt")
            return AnswerResult(inquiry_id=inquiry_id, reference=case.reference, status="in_doubt", message_id=None,
                                client_token=client_token, replayed=False)
        self.store.update_entry(inquiry_id, sk, status="sent", detail=message_id)
        self._answered(case, agent, sk, now)
        return AnswerResult(inquiry_id=inquiry_id, reference=case.reference, status="sent", message_id=message_id,
                            client_token=client_token, replayed=False)

    def _answer_replay(self, case: Case, entry: Entry, digest: str, client_token: str) -> AnswerResult:
        if entry.digest != digest:
            raise Conflict("this client_token was used for another answer; use a new token", code="token_reused")
        if entry.status == "rejected":  # SES refused it: nothing went out, so this retry may send it
            raise Conflict("this answer was refused by SES; send it again with a new client_token",
                           code="mail_rejected")
        if entry.status == "sent":
            return AnswerResult(inquiry_id=case.inquiry_id, reference=case.reference, status="sent",
                                message_id=entry.detail or None, client_token=client_token, replayed=True)
        # pending (a crash after the send, perhaps) or in doubt: never sent a second time by a retry
        if entry.status == "pending":
            self.store.update_entry(case.inquiry_id, entry.sk, status="in_doubt")
        return AnswerResult(inquiry_id=case.inquiry_id, reference=case.reference, status="in_doubt", message_id=None,
                            client_token=client_token, replayed=True)

    def _answered(self, case: Case, agent: str, sk: str, at: datetime) -> None:
        counts: dict[str, int | float] = {"email_answers": 1}
        if case.first_answer_at is None and self.store.update_case(case.inquiry_id, first_answer_at=at):
            start = case.first_form_at or case.created_at
            counts |= {"first_answers": 1, "first_answer_s": max(0.0, (at - start).total_seconds())}
        self.store.count(jst_date(at), case.department, counts)
        if self.inquiries is not None:
            self.inquiries.note(case.inquiry_id, "mail_answer", at, f"{case.reference} {sk}", agent=agent)

    def callback(self, inquiry_id: str, agent: str, roles: frozenset[str], call_at: str, result: str, memo: str,
                 client_token: str) -> CallbackResult:
        """Log a call-back: when (時刻), how it went (結果), a memo (メモ, encrypted: it may hold personal data)."""
        _staff(roles, "log a call-back")
        if not _CLIENT_TOKEN.match(client_token or ""):
            raise BadRequest("client_token must be 8-64 characters of letters, digits, - and _",
                             code="bad_client_token")
        if result not in CALL_RESULTS:
            raise BadRequest(f"result must be one of {', '.join(CALL_RESULTS)}", code="bad_result")
        try:
            when = datetime.fromisoformat(call_at)
        except (TypeError, ValueError):
            raise BadRequest("call_at must be an ISO 8601 time with its offset", code="bad_call_at") from None
        if when.tzinfo is None:
            raise BadRequest("call_at needs its UTC offset (+09:00)", code="bad_call_at")
        memo = _clean(memo or "", multiline=True)
        if len(memo) > MEMO_MAX:
            raise BadRequest(f"the memo must be at most {MEMO_MAX} characters", code="bad_memo")
        case = self._case_for_staff(inquiry_id)
        now = self.clock()
        sk = f"cb#{client_token}"
        entry = Entry(inquiry_id, sk, "callback", now, agent=agent, detail=result,
                      sealed=self.cipher.seal(f"{inquiry_id}/{sk}", {"call_at": when.isoformat(), "text": memo}))
        made = self.store.put_entry(entry, self._keep(now))
        if made and self.inquiries is not None:
            self.inquiries.note(inquiry_id, "callback", now, f"{case.reference} {result}", agent=agent)
        return CallbackResult(inquiry_id=inquiry_id, call_at=when.isoformat(), result=result, replayed=not made)

    def _case_for_staff(self, inquiry_id: str) -> Case:
        if self.inquiries is not None and self.inquiries.department(inquiry_id) is None:
            raise NotFound(f"no inquiry {inquiry_id[:40]}", code="unknown_inquiry")
        return self._case(inquiry_id)

    def resolved_by_email(self, inquiry_id: str) -> bool:
        """Count the inquiry resolved by e-mail (once), if an e-mail answer went out; called when it is resolved."""
        case = self.store.get_case(inquiry_id)
        if case is None or case.first_answer_at is None:
            return False
        now = self.clock()
        if self.store.update_case(inquiry_id, resolved_by_email_at=now):
            self.store.count(jst_date(now), case.department, {"resolved_by_email": 1})
            return True
        return False

    def triage_list(self, roles: frozenset[str]) -> TriageList:
        _staff(roles, "read the triage list")
        items = []
        for t in self.store.triage():
            plain = self.cipher.open(f"triage/{t.sk}", t.sealed) if t.sealed else {}
            items.append(TriageView(at=t.at, s3_key=t.s3_key, sender=plain.get("from", ""),
                                    subject=plain.get("subject", ""), text=plain.get("text", ""),
                                    attachments=list(t.attachments)))
        return TriageList(items=sorted(items, key=lambda i: i.at))

    def figures(self, day: str | None = None) -> MailFigures:
        day = day or jst_date(self.clock())
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise BadRequest("day must be YYYY-MM-DD", code="bad_day")
        rows = self.store.counts(day)
        desk = rows.get("", {})
        firsts = int(desk.get("first_answers", 0))
        return MailFigures(
            day=day, forms_received=int(desk.get("forms_received", 0)), email_answers=int(desk.get("email_answers", 0)),
            first_answers=firsts,
            first_answer_mean_s=round(desk.get("first_answer_s", 0.0) / firsts, 1) if firsts else None,
            resolved_by_email=int(desk.get("resolved_by_email", 0)), inbound_emails=int(desk.get("inbound_emails", 0)),
            triaged=int(desk.get("triaged", 0)),
            by_department={d: {k: int(v) for k, v in c.items() if k != "first_answer_s"}
                           for d, c in rows.items() if d})

    # --- e-mail coming back (SES receiving -> S3 -> here) --------------------------------------------

    def receive(self, key: str) -> InboundResult:
        """An e-mail SES stored in the bucket: joined to its case by the reference, else to the triage list."""
        if self.bucket is None:
            raise Unavailable("no bucket is configured", code="no_bucket")
        self.link_pending()  # a form stored but not joined yet (a crash) is joined by whichever comes next
        raw = self.bucket.get(key)
        mail = mime.parse_inbound(raw, INBOUND_TEXT_MAX)
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        now = self.clock()
        keys = []
        for n, part in enumerate(mail.attachments, 1):
            part_key = f"attachments/{digest}/{n}"
            self.bucket.put(part_key, part.body, part.content_type)
            keys.append(part_key)
        names = tuple(p.filename for p in mail.attachments)
        found = REFERENCE_PATTERN.search(mail.subject) or REFERENCE_PATTERN.search(mail.text)
        inquiry_id = self.store.case_by_reference(found.group(0)) if found else None
        values = {"from": mail.sender, "subject": mail.subject, "text": mail.text}
        if inquiry_id is None:
            item = TriageItem(digest, now, key, sealed=self.cipher.seal(f"triage/{digest}", values),
                              attachments=tuple(keys))
            made = self.store.put_triage(item, self._keep(now))
            if made:
                self.store.count(jst_date(now), "", {"triaged": 1})
            return InboundResult(s3_key=key, placed="triage", inquiry_id=None, attachments=len(keys),
                                 duplicate=not made)
        sk = f"in#{digest}"
        entry = Entry(inquiry_id, sk, "inbound", now, sealed=self.cipher.seal(f"{inquiry_id}/{sk}", values),
                      detail=key, attachments=tuple(keys), attachment_names=names)
        made = self.store.put_entry(entry, self._keep(now))
        case = self._case(inquiry_id)
        if made:
            self.store.count(jst_date(now), case.department, {"inbound_emails": 1})
        if self.inquiries is not None:
            self.inquiries.note(inquiry_id, "mail_in", now, f"{case.reference} {sk}")
        return InboundResult(s3_key=key, placed="case", inquiry_id=inquiry_id, attachments=len(keys),
                             duplicate=not made)


__all__ = ["AppError", "FormRejected", "MailformService", "check_form", "token_hash"]
