"""The e-mail form end to end on the local stack: the desk's e-mail-form reply posts a single-use link, a
customer fills the form in real Chromium at a phone's size, the submission joins the inquiry (decrypted only for
staff, each read recorded), the agent answers by e-mail through SES (once, however often the call is retried),
logs a call-back, the customer's e-mail answer comes back through SES receiving (a raw MIME message in the
bucket, the S3 event to the inbound function) and joins the case; an unknown reference goes to triage."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests

from activecare.mailform.dynamo import DynamoMailStore

sync_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is missing (make system-deps)", allow_module_level=True)

from infra.desk_live import LiveDesk  # noqa: E402
from infra.local_mailform import deliver  # noqa: E402
from infra.reporting_sim import sent_mail  # noqa: E402

expect = sync_api.expect
PHONE = {"width": 390, "height": 844}
PASSWORD = "Local-desk-2026!"
OUT = Path(__file__).resolve().parents[2] / "out"
CUSTOMER = {"name": "山田 花子", "email": "hanako@example.jp", "phone": "090-1234-5678", "contract": "AB-123456",
            "message": "先月の請求額がいつもより高いです。内訳を教えてください。"}


@pytest.fixture(scope="module")
def harness() -> Iterator[LiveDesk]:
    with LiveDesk(password=PASSWORD, intent_links_to_stand_in=False, staff={"sato": ("agents",)}) as h:
        h.stack.configure(mailform_url=f"{h.url}/form")
        yield h


def form_link(h: LiveDesk, text: str = "@ac_help 料金がおかしいので契約内容を確認してほしいです") -> tuple[str, str]:
    """A customer's inquiry answered with the e-mail-form reply: (inquiry id, the link in the posted reply)."""
    iid = h.arrive(f"cust{len(h.seeded.ids)}", text)
    reply = h.desk.templates.email_form.render("cust")
    h.answer(iid, "sato", reply, outcome="email_form")
    posts = [t["text"] for t in h.stack.twitter.posted] + [t["text"] for t in h.stack.twitter.posted_by_hand]
    links = re.findall(rf"{re.escape(h.url)}/form/[A-Za-z0-9_-]+", posts[-1])
    assert len(links) == 1 and "https://www.example.co.jp/support/form" not in posts[-1]
    return iid, links[0]


def submissions(iid: str) -> int:
    return len([e for e in DynamoMailStore().entries(iid) if e.kind == "submission"])


def test_a_customer_fills_the_form_on_a_phone_and_the_desk_answers_by_email(
        harness: LiveDesk, browser: Any, capfd: pytest.CaptureFixture[str]) -> None:
    h = harness
    iid, link = form_link(h)
    assert iid not in link
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="ja-JP")
    context.set_default_timeout(10_000)
    requested: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: requested.append(r.url))
    try:
        page.goto(link)
        expect(page.locator("h1")).to_have_text("メールでのお問い合わせ")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
        for field, value in CUSTOMER.items():
            page.fill(f"#{field}", value)
        page.click("button[type=submit]")  # without the consent: a friendly page, what was typed kept
        expect(page.locator(".alert")).to_contain_text("同意が必要です")
        expect(page.locator("#name")).to_have_value(CUSTOMER["name"])
        OUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUT / "mailform_phone_form.png"), full_page=True)
        assert submissions(iid) == 0
        page.check("#consent")
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("お問い合わせを受け付けました")
        reference = page.locator("strong").inner_text()
        assert re.fullmatch(r"AC-[0-9A-Z]{10}", reference)
        OUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUT / "mailform_phone.png"), full_page=True)
        page.goto(link)  # single use
        expect(page.locator("h1")).to_have_text("このフォームは送信済みです")
    finally:
        context.close()
    assert all(u.startswith(h.url) for u in requested), requested  # no external assets
    assert submissions(iid) == 1

    staff = h.pool.session("sato")
    assert staff.get(f"{h.url}/inquiries/{iid}", timeout=10).json()["inquiry"]["status"] == "new"  # back in the queue
    case = staff.get(f"{h.url}/inquiries/{iid}/mail", timeout=10).json()
    assert case["reference"] == reference and case["reply_to"] == CUSTOMER["email"]
    assert case["submissions"][0]["name"] == CUSTOMER["name"] and case["submissions"][0]["phone"] == "09012345678"
    assert [a["agent"] for a in case["accesses"]] == ["sato"]  # this read, recorded
    assert requests.get(f"{h.url}/inquiries/{iid}/mail", timeout=10).status_code == 401  # no token, no data

    body = {"text": "山田様、お問い合わせありがとうございます。先月分の内訳をご案内いたします。",
            "client_token": "mail-answer-0001"}
    first = staff.post(f"{h.url}/inquiries/{iid}/mail/answer", json=body, timeout=10)
    again = staff.post(f"{h.url}/inquiries/{iid}/mail/answer", json=body, timeout=10)  # a retry
    assert (first.status_code, again.status_code) == (201, 200) and again.json()["replayed"]
    mails = [m for m in sent_mail(h.stack.aws_endpoint) if reference in str(m["message"]["Subject"])]
    assert len(mails) == 1 and mails[0]["source"] == h.stack.settings.support_sender
    assert mails[0]["message"]["To"] == CUSTOMER["email"]
    events = staff.get(f"{h.url}/inquiries/{iid}", timeout=10).json()["desk_events"]
    assert {"mail_form", "mail_answer"} <= {e["kind"] for e in events}  # the history stays whole

    callback = {"call_at": "2026-11-25T11:30:00+09:00", "result": "reached", "memo": "内訳を口頭でも説明",
                "client_token": "callback-0001"}
    assert staff.post(f"{h.url}/inquiries/{iid}/mail/callback", json=callback, timeout=10).status_code == 200

    answer = EmailMessage()
    answer["From"] = f"山田 花子 <{CUSTOMER['email']}>"
    answer["To"] = h.stack.settings.support_sender
    answer["Subject"] = f"Re: 【お問い合わせ番号 {reference}】お問い合わせへのご回答"
    answer.set_content("ご説明ありがとうございました。納得しました。")
    answer.add_attachment(b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="明細.pdf")
    got = deliver(h.stack.settings, answer.as_bytes())
    assert got["case"] == 1
    stray = EmailMessage()
    stray["From"] = "someone@example.jp"
    stray["Subject"] = "問い合わせ番号が分かりません"
    stray.set_content("前に問い合わせた件です")
    assert deliver(h.stack.settings, stray.as_bytes())["triage"] == 1

    case = staff.get(f"{h.url}/inquiries/{iid}/mail", timeout=10).json()
    kinds = [e["kind"] for e in case["entries"]]
    assert kinds == ["answer", "callback", "inbound"]
    inbound = case["entries"][-1]
    assert "納得しました" in inbound["text"] and inbound["attachments"] == ["明細.pdf"] and "PDF" not in inbound["text"]
    triage = staff.get(f"{h.url}/mail/triage", timeout=10).json()["items"]
    assert [t["subject"] for t in triage] == ["問い合わせ番号が分かりません"]

    staff.post(f"{h.url}/inquiries/{iid}/claim", timeout=10)
    assert staff.post(f"{h.url}/inquiries/{iid}/mail/resolve", timeout=10).json()["status"] == "resolved"
    figures = staff.get(f"{h.url}/mail/figures", params={"day": "2026-11-25"}, timeout=10).json()
    assert {k: figures[k] for k in ("forms_received", "email_answers", "first_answers", "resolved_by_email",
                                    "inbound_emails", "triaged")} == {
        "forms_received": 1, "email_answers": 1, "first_answers": 1, "resolved_by_email": 1, "inbound_emails": 1,
        "triaged": 1}
    logs = capfd.readouterr()
    for secret in (CUSTOMER["email"], CUSTOMER["name"], "09012345678", "AB-123456", "内訳を口頭", "納得しました"):
        assert secret not in logs.out + logs.err, secret


def test_every_bad_input_gets_a_friendly_page_and_stores_nothing(harness: LiveDesk) -> None:
    h = harness
    iid, link = form_link(h, "@ac_help 請求について契約を確認したいです")
    good = {**CUSTOMER, "consent": "yes"}
    cases: list[tuple[str, dict[str, str] | bytes, int, str]] = [
        ("no consent", {**CUSTOMER}, 422, "同意が必要"),
        ("bad e-mail", {**good, "email": "hanako@@example"}, 422, "メールアドレスの形式"),
        ("bad phone", {**good, "phone": "12-34"}, 422, "電話番号"),
        ("oversize message", {**good, "message": "長" * 2001}, 422, "2000文字以内"),
        ("oversize body", b"message=" + b"a" * 60_000, 413, "長すぎます"),
        ("not a form", b"\xff\xfe%%%", 400, "読み取れませんでした"),
        ("markup shown back escaped", {**good, "consent": "", "name": "<img src=x onerror=alert(1)>"}, 422,
         "&lt;img src=x"),
    ]
    for name, data, status, shown in cases:
        r = requests.post(link, data=data, timeout=10,
                          headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == status and shown in r.text, name
        assert "<img src=x" not in r.text, name
        assert r.headers["content-security-policy"].startswith("default-src 'none'"), name
    assert submissions(iid) == 0
    token = link.rsplit("/", 1)[1]
    unknown = requests.post(link.replace(token, "A" * 32), data=good, timeout=10)
    assert unknown.status_code == 404 and "見つかりません" in unknown.text
    assert requests.post(link, data=good, timeout=10).status_code == 200
    used = requests.post(link, data=good, timeout=10)
    assert used.status_code == 410 and "送信済み" in used.text and submissions(iid) == 1
    late_iid, late = form_link(h, "@ac_help 契約の名義を確認したいです")
    h.clock.set(h.clock() + timedelta(days=7, minutes=1))
    try:
        expired = requests.post(late, data=good, timeout=10)
        assert expired.status_code == 410 and "有効期限" in expired.text and submissions(late_iid) == 0
    finally:
        h.clock.set(h.clock() - timedelta(days=7, minutes=1))


def test_a_crash_between_storing_and_joining_the_inquiry_loses_nothing(harness: LiveDesk) -> None:
    h = harness
    iid, link = form_link(h, "@ac_help 解約について契約内容を確認したいです")
    service = h.stack.runtime.mailform()
    real = service.inquiries
    assert real is not None

    class Crashing:
        def department(self, inquiry_id: str) -> str | None:
            return real.department(inquiry_id)

        def note(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("the function died before joining the submission to its inquiry")

    service.inquiries = Crashing()  # type: ignore[assignment]
    try:
        crashed = requests.post(link, data={**CUSTOMER, "consent": "yes"}, timeout=10)
    finally:
        service.inquiries = real
    assert crashed.status_code == 500 and submissions(iid) == 1  # stored, not yet joined
    events = {e.kind for e in h.desk.inquiries.get(iid).events}  # type: ignore[union-attr]
    assert "mail_form" not in events
    retry = requests.post(link, data={**CUSTOMER, "consent": "yes"}, timeout=10)  # the customer tries again
    assert retry.status_code == 410  # used: nothing is asked twice, and the sweep joined the stored one
    events = {e.kind for e in h.desk.inquiries.get(iid).events}  # type: ignore[union-attr]
    assert "mail_form" in events and DynamoMailStore().pending_links() == []


def test_the_agent_reads_the_case_and_answers_by_email_in_the_web_desk(harness: LiveDesk, browser: Any) -> None:
    h = harness
    iid, link = form_link(h, "@ac_help 支払い方法の変更で契約を確認したいです")
    assert requests.post(link, data={**CUSTOMER, "consent": "yes"}, timeout=10).status_code == 200
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{h.url}/desk#/inquiry/{iid}")
        page.wait_for_url("**/oauth2/authorize**")
        page.fill("#username", "sato")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#mail-case")).to_be_visible()
        expect(page.locator("#mail-case")).not_to_contain_text(CUSTOMER["name"])  # not before the agent asks
        page.click("#mail-open")
        expect(page.locator("#mail-case .mail-name")).to_have_text(CUSTOMER["name"])
        page.fill("#mail-answer-text", "お支払い方法の変更手順をご案内します。")
        page.click("#mail-answer button[type=submit]")
        expect(page.locator("#mail-case .mail-answer")).to_contain_text("送信済み")
        page.fill("#callback-at", "2026-11-25T11:45")
        page.select_option("#callback-result", "no_answer")
        page.fill("#callback-memo", "不在のため再度おかけします")
        page.click("#mail-callback button[type=submit]")
        expect(page.locator("#mail-case .mail-callback")).to_contain_text("不在")
        page.screenshot(path=str(OUT / "mailform_desk_panel.png"))
        page.click('a[data-route="figures"]')  # the figures page: the e-mail form's counts
        expect(page.locator("#mail-figures")).to_contain_text("メールで回答")
        expect(page.locator("#mail-figures")).to_contain_text("フォーム受信")
    finally:
        context.close()
    reference = h.stack.runtime.mailform().store.get_case(iid).reference  # type: ignore[union-attr]
    assert len([m for m in sent_mail(h.stack.aws_endpoint) if reference in str(m["message"]["Subject"])]) == 1


def test_erasing_a_customer_removes_their_email_case(harness: LiveDesk) -> None:
    from activecare.storage.erasure import erase

    h = harness
    iid, link = form_link(h, "@ac_help 名義変更のため契約内容を確認したいです")
    assert requests.post(link, data={**CUSTOMER, "consent": "yes"}, timeout=10).status_code == 200
    service = h.stack.runtime.mailform()
    reference = service.store.get_case(iid).reference  # type: ignore[union-attr]
    author = h.desk.inquiries.get(iid).author_id  # type: ignore[union-attr]
    report = erase(author)
    assert report.counts["e-mail records"] >= 3  # the case, its submission, its reference (and any access record)
    assert DynamoMailStore().entries(iid) == [] and service.store.get_case(iid) is None
    assert service.store.case_by_reference(reference) is None
    assert erase(author).counts["e-mail records"] == 0
