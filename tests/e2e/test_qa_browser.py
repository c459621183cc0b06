"""The QA pages in Chromium (issue 17) against the desk as `make desk` serves it (infra/desk_live.py): a trainee's
reply waits, a supervisor edits and approves it on 承認待ち, and it is posted once."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is missing (make system-deps)", allow_module_level=True)

from infra.desk_live import LiveDesk  # noqa: E402

expect = sync_api.expect
OUT = Path(__file__).resolve().parents[2] / "out"
PASSWORD = "Local-desk-2026!"
STAFF = {"sato": ("agents",), "kobayashi": ("agents", "trainees"), "yamada": ("agents", "supervisors")}


@pytest.fixture(scope="module")
def harness() -> Iterator[LiveDesk]:
    with LiveDesk(password=PASSWORD, staff=STAFF, intent_links_to_stand_in=False) as h:
        yield h


@pytest.fixture
def sign_in(browser: object, harness: LiveDesk) -> Iterator[Callable[..., object]]:
    contexts = []

    def _sign_in(username: str, path: str = "/desk") -> object:
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="ja-JP",  # type: ignore[attr-defined]
                                      timezone_id="Asia/Tokyo")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(harness.url + path)
        page.wait_for_url("**/oauth2/authorize**")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#user .user-name")).to_have_text(username)
        return page

    yield _sign_in
    for c in contexts:
        c.close()


def test_a_trainees_reply_waits_and_a_supervisor_edits_and_approves_it(sign_in, harness) -> None:
    iid = harness.arrive("okada_m", "@ac_help 自宅で通話がすぐ途切れます")
    trainee = sign_in("kobayashi", f"/desk#/inquiry/{iid}")
    expect(trainee.locator("#user .user-role")).to_contain_text("研修中")
    expect(trainee.locator("#tweet")).to_be_visible()
    expect(trainee.locator('.tabs a[data-route="approvals"]')).to_have_count(0)  # not a supervisor's page
    trainee.fill("#reply-text", "ご不便をおかけしております。お使いの機種を教えていただけますか。")
    trainee.click("#send-button")
    expect(trainee.locator("#reply-held")).to_contain_text("承認待ち")
    assert harness.stack.twitter.posted == []

    sup = sign_in("yamada", "/desk#/approvals")
    card = sup.locator(f'.approval[data-inquiry="{iid}"]')
    expect(card).to_contain_text("kobayashi さんの返信")
    expect(card.locator("blockquote")).to_contain_text("自宅で通話が")
    expect(sup.locator("#approvals-badge")).to_have_text("1", timeout=20_000)
    edited = "ご不便をおかけしております。お手数ですが、お使いの機種と、電波が弱くなる時間帯を教えていただけますか。"
    card.locator("textarea").fill(edited)
    card.locator("button.approve").click()
    expect(sup.locator("#approvals-empty")).to_be_visible()
    expect(sup.locator("#approvals-badge")).to_be_hidden()
    OUT.mkdir(exist_ok=True)
    sup.screenshot(path=str(OUT / "webdesk_approvals.png"))
    assert [p["text"] for p in harness.stack.twitter.posted] == [edited]

    trainee.reload()
    expect(trainee.locator("#tweet")).to_be_visible()
    expect(trainee.locator("#inquiry-body")).to_contain_text(edited)  # posted as their reply, the edit applied
    expect(trainee.locator(".events")).to_contain_text("承認して投稿（yamada）")
    card.page.reload()
    expect(sup.locator("#approvals-empty")).to_be_visible()
    assert len(harness.stack.twitter.posted) == 1


def test_a_supervisor_scores_a_reply_and_the_agent_sees_it_unread_and_acknowledges_it(sign_in, harness) -> None:
    from activecare.qa.standards import default_standards

    every = default_standards()
    harness.stack.runtime.qa().import_standards(type(every)(every.criteria, 1.0, 1.0))  # sample every reply
    iid = harness.arrive("mori_k", "@ac_signal 地下鉄の駅でずっと圏外です")
    text = "ご不便をおかけしております。駅構内の電波状況を確認いたします。"
    harness.answer(iid, "sato", text, outcome=None)

    sup = sign_in("yamada", "/desk#/reviews")
    item = sup.locator(".review-item", has_text=text)
    expect(item).to_contain_text("未レビュー")
    item.get_by_role("button", name="レビューする").click()
    form = sup.locator("#review-form")
    expect(form.locator(".review-conversation")).to_contain_text("地下鉄の駅でずっと圏外です")  # the conversation
    expect(form).to_contain_text("名乗り・挨拶")
    for n, key in enumerate(c.key for c in every.criteria):
        form.locator(f'input[name="score-{key}"][value="{4 if n % 2 else 5}"]').check()
    form.locator('textarea[name="comment"]').fill("お詫びから入れていて良いです。障害情報の確認手順もあるとなお良いです。")
    form.locator("#save-review").click()
    expect(item).to_contain_text("レビュー済み v1")
    expect(sup.locator('#qa-figures tr[data-agent="sato"]')).to_contain_text("89%")  # 5,4,5,4,5,4,5 of 1-5
    expect(sup.locator("#qa-weekly")).to_contain_text("週次チームレポート")
    expect(sup.locator("#qa-weekly tbody")).to_contain_text("89%")
    item.get_by_role("button", name="修正する").click()  # the case library, from the review form
    sup.locator("#review-form .case-kind").select_option("good")
    sup.locator("#review-form .case-note").fill("お詫びから入る良い例")
    sup.locator("#review-form .add-case").click()
    expect(sup.locator("#review-form .case-result")).to_contain_text("事例集に追加しました")
    OUT.mkdir(exist_ok=True)
    sup.screenshot(path=str(OUT / "webdesk_reviews.png"), full_page=True)

    agent = sign_in("sato")
    expect(agent.locator("#feedback-badge")).to_have_text("1")
    agent.click('.tabs a[data-route="feedback"]')
    card = agent.locator(".feedback-item.unread")
    expect(card).to_contain_text("yamada さんのレビュー")
    expect(card).to_contain_text("障害情報の確認手順")
    expect(card.locator("blockquote")).to_have_text(text)
    agent.screenshot(path=str(OUT / "webdesk_feedback.png"), full_page=True)
    card.locator("button.ack").click()
    expect(agent.locator("#feedback-counts")).to_contain_text("未確認 0件")
    expect(agent.locator("#feedback-badge")).to_be_hidden()
    (review,) = harness.stack.runtime.qa().feedback(type("W", (), {"name": "sato", "roles": frozenset()})()).items
    assert review.acknowledged_version == 1 and not review.unread


def test_the_queue_shows_the_time_left_and_the_breach(sign_in, harness) -> None:
    from datetime import timedelta

    iid = harness.arrive("ueda_s", "@ac_signal 朝から圏外のままです")  # direct: 15 minutes of service time
    page = sign_in("sato")
    chip = page.locator(f'.qrow[data-id="{iid}"] .sla')
    expect(chip).to_have_text("残り14分")
    harness.clock.advance(timedelta(minutes=18))
    expect(chip).to_have_text("SLA超過 4分", timeout=12_000)  # the next poll
    expect(chip).to_have_class("sla breached")
    page.screenshot(path=str(OUT / "webdesk_sla.png"))


def test_an_approved_search_find_is_sent_by_hand_from_the_approval_card(sign_in, harness) -> None:
    import uuid

    from activecare.desk.models import Actor

    iid = harness.arrive("noda_t", "また圏外…駅前なのに電波が悪い")  # a search find: X allows a reply by hand only
    text = "ご不便をおかけしております。駅前の電波状況を確認いたします。"
    held = harness.desk.reply(iid, Actor("kobayashi", frozenset({"agents", "trainees"})), text, uuid.uuid4().hex)
    assert held.status == "held"
    sup = sign_in("yamada", "/desk#/approvals")
    card = sup.locator(f'.approval[data-inquiry="{iid}"]')
    card.locator("button.approve").click()
    link = card.locator("a.intent-link")
    expect(link).to_be_visible()
    harness.send_by_hand(link.get_attribute("href"))  # the supervisor sends it from the X app
    card.locator("button.confirm").click()
    expect(sup.locator(f'.approval[data-inquiry="{iid}"]')).to_have_count(0)
    assert [t["text"] for t in harness.stack.twitter.posted_by_hand] == [text]
    assert harness.desk.show(iid).conversation[-1].agent == "kobayashi"
