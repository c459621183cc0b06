"""The web desk in a real browser: Debian's headless Chromium (Playwright) against the desk as `make desk` serves
it (infra/desk_live.py: the local stack, staff in moto's user pool, the desk function behind the front that
verifies tokens as API Gateway does and stands in for Cognito's hosted UI). Screenshots land in out/webdesk_*.png."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from activecare.twitter.text_rules import weighted_length

sync_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is missing (make system-deps)", allow_module_level=True)

from infra.desk_live import DAY, LiveDesk  # noqa: E402

expect = sync_api.expect
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out"
VIEWPORT = {"width": 1440, "height": 900}
PASSWORD = "Local-desk-2026!"


def shown(h: LiveDesk, iid: str) -> dict:
    """The inquiry as the desk API answers it."""
    return h.desk.show(iid).model_dump(mode="json")


@pytest.fixture(scope="module")
def harness() -> Iterator[LiveDesk]:
    with LiveDesk(password=PASSWORD, intent_links_to_stand_in=False) as h:
        h.seed()
        yield h


@pytest.fixture
def sign_in(browser: object, harness: LiveDesk) -> Iterator[Callable[..., object]]:
    """sign_in("sato") -> a page of a fresh browser context, signed in through the authorize page."""
    contexts = []

    def _sign_in(username: str, path: str = "/desk") -> object:
        context = browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
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


def shot(page: object, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / f"webdesk_{name}.png"))


def open_inquiry(page: object, iid: str) -> None:
    page.click(f'.qrow[data-id="{iid}"]')
    expect(page.locator("#tweet")).to_be_visible()
    expect(page.locator("#inquiry-status")).to_be_visible()


def posted_texts(harness: LiveDesk) -> list[str]:
    return [t["text"] for t in harness.stack.twitter.posted] + [t["text"] for t in harness.stack.twitter.posted_by_hand]


def test_an_agent_signs_in_and_the_queue_shows_the_inquiries_with_their_marks(sign_in, harness) -> None:
    page = sign_in("sato")
    expect(page.locator("#user .user-role")).to_have_text("エージェント")
    rows = page.locator(".qrow")
    expect(rows.first).to_be_visible()
    assert rows.count() == 16  # every seeded inquiry still new
    repeat = page.locator(f'.qrow[data-id="{harness.seeded.last("tanaka_k")}"]')
    expect(repeat.locator(".mark-direct")).to_be_visible()
    expect(repeat.locator(".mark-repeat")).to_have_text("リピーター")
    held = page.locator(f'.qrow[data-id="{harness.seeded.last("taro_t")}"]')
    expect(held.locator(".mark-pii")).to_be_visible()
    expect(held.locator(".holder-chip")).to_have_text("suzuki 対応中")
    expect(rows.first.locator(".age")).to_have_text("54分")
    # Priority order: direct mentions first, returning customers first among them.
    assert rows.first.get_attribute("data-id") == harness.seeded.last("tanaka_k")

    # j/k move through the queue; not while typing; ? shows the keys.
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(f"{harness.url}/desk#/inquiry/{rows.nth(1).get_attribute('data-id')}")
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("jjk")
    expect(rows.nth(0)).to_have_attribute("aria-selected", "true")
    page.fill("#reply-text", "")
    page.keyboard.press("Escape")  # leaves the composer: the keys work again
    expect(page.locator("#reply-text")).not_to_be_focused()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-dialog")).to_be_hidden()

    # A new inquiry shows up without a reload; the selection and the rows stay.
    before = page.locator(".qrow").count()
    iid = harness.arrive("new_face", "@ac_help ギガが足りない…データ容量の追加方法を教えてください")
    expect(page.locator(f'.qrow[data-id="{iid}"]')).to_be_visible(timeout=12_000)
    assert page.locator(".qrow").count() == before + 1
    expect(rows.nth(0)).to_have_attribute("aria-selected", "true")
    shot(page, "queue")


def test_the_customers_history_is_shown_above_the_tweet(sign_in, harness) -> None:
    page = sign_in("sato")
    iid = harness.seeded.last("tanaka_k")
    open_inquiry(page, iid)
    history, tweet = page.locator("#history"), page.locator("#tweet")
    expect(history).to_contain_text("このお客様の過去のお問い合わせ")
    expect(history).to_contain_text("エリアマップでご確認いただけます")  # what we answered
    expect(history).to_contain_text("回答済み")  # the outcome
    expect(history).to_contain_text("担当: tanaka")
    assert history.bounding_box()["y"] + history.bounding_box()["height"] <= tweet.bounding_box()["y"]
    assert page.evaluate("() => !!(document.querySelector('#history').compareDocumentPosition("
                         "document.querySelector('#tweet')) & Node.DOCUMENT_POSITION_FOLLOWING)")
    expect(page.locator("#tweet-link")).to_have_attribute("href", f"https://x.com/tanaka_k/status/{iid}")
    expect(page.locator("#tweet-text mark")).to_have_text(["前にも相談", "圏外"])  # the keywords it matched
    expect(page.locator("#context")).to_contain_text("窓際でしか電話できない生活つらい")  # the tweet before
    shot(page, "inquiry")


def test_a_reply_with_a_phone_number_is_warned_and_refused_by_the_server(sign_in, harness) -> None:
    page = sign_in("sato")
    iid = harness.seeded.last("kenta_run")
    open_inquiry(page, iid)
    text = "kenta_run様、ご不便をおかけしております。詳しくお調べしますので 090-1234-5678 までお電話いただけますか。"
    page.fill("#reply-text", text)
    warning = page.locator("#pii-warning")
    expect(warning).to_contain_text("個人情報が含まれている可能性があります")
    expect(warning.locator(".pii-hit")).to_have_text("090-1234-5678")
    expect(page.locator("#reply-text")).to_have_class("has-pii")
    shot(page, "pii_warning")
    page.click("#send-button")  # the warning advises; the server judges
    error = page.locator("#reply-error")
    expect(error).to_contain_text("返信に個人情報（電話番号）が含まれているため送信できません")
    expect(page.locator("#held-banner")).to_contain_text("あなたが対応中です")  # the try claimed it
    expect(page.locator("#desk-events")).to_contain_text("送信を拒否（sato） 個人情報")
    shot(page, "pii_refused")
    assert text not in posted_texts(harness)
    expect(page.locator("#pii-warning")).to_have_count(0)  # the refusal says it; the warning steps aside
    page.click("#use-offer")  # the e-mail form reply replaces it
    expect(page.locator("#reply-text")).to_have_value(
        "kenta_run様、ご連絡ありがとうございます。ご契約内容の確認が必要なため、お手数ですが下記のメールフォームより"
        "お問い合わせいただけますでしょうか。お電話番号やご契約番号はこちらに書き込まないようお願いいたします。 "
        "https://www.example.co.jp/support/form")
    expect(page.locator("#pii-warning")).to_have_count(0)
    refused = shown(harness, iid)["desk_events"]
    assert [e["kind"] for e in refused] == ["refused"] and refused[0]["agent"] == "sato"


def test_a_template_goes_out_through_the_api_on_a_mention(sign_in, harness) -> None:
    page = sign_in("sato")
    iid = harness.seeded.last("sakura_n")
    open_inquiry(page, iid)
    expect(page.locator("#reply-mode")).to_contain_text("API")
    page.fill("#reply-text", "あ" * 141)  # Japanese characters weigh 2: 282
    expect(page.locator("#reply-counter")).to_have_text("282 / 280")
    expect(page.locator("#reply-counter")).to_have_class("counter over")
    expect(page.locator("#send-button")).to_be_disabled()
    page.fill("#reply-text", "")
    page.click('#templates .tpl[data-key="shop"]')
    value = page.locator("#reply-text").input_value()
    assert value.startswith("sakura_n様、お待たせしてしまい申し訳ございません。")
    expect(page.locator("#reply-counter")).to_have_text(f"{weighted_length(value)} / 280")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#reply-result")).to_contain_text("返信しました（@ac_help）")
    expect(page.locator("#inquiry-status")).to_have_text("返信済み")
    assert value in [t["text"] for t in harness.stack.twitter.posted]
    expect(page.locator("#conversation")).to_contain_text("返信 sato（API）")
    # Resolve with the keyboard: e, then 1 (answered) and Enter.
    page.locator("#inquiry-body").focus()
    page.keyboard.press("e")
    expect(page.locator("#resolve-dialog")).to_be_visible()
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator("#inquiry-status")).to_have_text("解決済み")
    assert shown(harness, iid)["inquiry"]["outcome"] == "answered"


def test_an_active_support_find_is_prepared_as_an_intent_link_and_confirmed(sign_in, harness) -> None:
    page = sign_in("sato")
    iid = harness.seeded.last("hiro_cafe")  # found by keyword search: the API may not reply (pro)
    open_inquiry(page, iid)
    expect(page.locator("#reply-mode .tag")).to_have_text("手動送信")
    page.click('#templates .tpl[data-key="wifi_router"]')
    text = page.locator("#reply-text").input_value()
    assert "https://" not in text  # the steps only: a post with a URL costs $0.20 on X, $0.015 without
    page.fill("#reply-text", "")
    page.check("#tpl-link")  # the customer needs the page: the agent adds it
    page.click('#templates .tpl[data-key="wifi_router"]')
    assert page.locator("#reply-text").input_value() == f"{text} https://www.example.co.jp/support/wifi"
    page.uncheck("#tpl-link")
    page.fill("#reply-text", text)
    page.click("#send-button")
    step = page.locator("#intent-step")
    expect(step).to_contain_text("手動送信の準備ができました")
    link = page.locator("#intent-link")
    href = link.get_attribute("href")
    assert href.startswith(f"https://x.com/intent/post?in_reply_to={iid}&text=")
    assert parse_qs(urlsplit(href).query)["text"] == [text]
    expect(link).to_have_attribute("target", "_blank")
    expect(page.locator("#reply-text")).to_have_attribute("readonly", "")
    shot(page, "intent_step")
    page.click("#confirm-button")  # not sent yet
    expect(page.locator("#confirm-error")).to_contain_text("まだ X のタイムラインで返信が確認できません")
    # The agent opens the link (x.com stands in: the harness's page) and posts it by hand.
    page.context.route("https://x.com/intent/post**", lambda route: route.fulfill(
        status=302, headers={"Location": f"{harness.x_url}/intent/post?{urlsplit(route.request.url).query}"}))
    with page.expect_popup() as popup_info:
        link.click()
    popup = popup_info.value
    popup.click("#post")
    expect(popup.locator("#done")).to_have_text("ポストしました")
    popup.close()
    page.click("#confirm-button")
    expect(page.locator("#reply-result")).to_contain_text("手動送信を確認")
    expect(page.locator("#inquiry-status")).to_have_text("返信済み")
    assert text in [t["text"] for t in harness.stack.twitter.posted_by_hand]
    assert text not in [t["text"] for t in harness.stack.twitter.posted]  # never through the API
    expect(page.locator("#conversation")).to_contain_text("返信 sato（手動送信）")


def test_a_second_agent_sees_the_claim_and_cannot_reply(sign_in, harness) -> None:
    sato = sign_in("sato")
    iid = harness.seeded.last("nao_photo")
    open_inquiry(sato, iid)
    sato.keyboard.press("c")
    expect(sato.locator("#held-banner")).to_contain_text("あなたが対応中です")
    suzuki = sign_in("suzuki")
    expect(suzuki.locator(f'.qrow[data-id="{iid}"] .holder-chip')).to_have_text("sato 対応中")
    open_inquiry(suzuki, iid)
    expect(suzuki.locator("#held-banner")).to_contain_text("sato さんが対応中です")
    expect(suzuki.locator("#reply-text")).to_be_disabled()
    expect(suzuki.locator("#reply-text")).to_have_attribute("placeholder", "sato さんが対応中のため返信できません")
    expect(suzuki.locator("#send-button")).to_be_disabled()
    expect(suzuki.locator("#claim-button")).to_be_disabled()
    expect(suzuki.locator("#resolve-button")).to_be_disabled()
    suzuki.keyboard.press("c")  # the key does what the button would: the server says who holds it
    expect(suzuki.locator(".toast.error")).to_contain_text("sato さんが対応中です")
    shot(suzuki, "held_by_other")


def test_a_supervisor_reopens_reassigns_and_sees_the_teams_figures(sign_in, harness) -> None:
    agent = sign_in("sato", "/desk#/figures")
    expect(agent.locator("#figure-cards")).to_be_visible()
    expect(agent.locator("#team-table")).to_have_count(0)  # an agent sees their own figures only
    expect(agent.locator("h1")).to_have_text("あなたの実績")

    page = sign_in("yamada")
    expect(page.locator("#user .user-role")).to_have_text("スーパーバイザー")
    page.click('.segmented button[data-value="resolved"]')
    earlier = harness.seeded.ids["tanaka_k"][0]  # resolved by tanaka
    open_inquiry(page, earlier)
    expect(page.locator("#inquiry-status")).to_have_text("解決済み")
    page.click("#reopen-button")
    page.fill("#reopen-reason", "回答の補足が必要")
    page.keyboard.press("Enter")
    expect(page.locator("#inquiry-status")).to_have_text("未対応")
    assert shown(harness, earlier)["desk_events"][-1]["detail"] == "回答の補足が必要"

    page.click('.segmented button[data-value="new"]')
    held = harness.seeded.last("koji_m")  # tanaka holds it
    open_inquiry(page, held)
    expect(page.locator("#held-banner")).to_contain_text("tanaka さんが対応中です")
    page.click("#reassign-button")
    page.fill("#reassign-to", "takahashi")
    page.keyboard.press("Enter")
    expect(page.locator("#held-banner")).to_contain_text("takahashi さんが対応中です")
    last = shown(harness, held)["desk_events"][-1]
    assert (last["kind"], last["agent"], last["detail"]) == ("reassign", "yamada", "tanaka -> takahashi")

    page.click('.tabs a[data-route="figures"]')
    table = page.locator("#team-table")
    expect(table).to_be_visible()
    for name in ("tanaka", "suzuki"):
        expect(table.locator(f'tr[data-agent="{name}"]')).to_be_visible()
    expect(table.locator("tr.total")).to_contain_text("デスク全体")
    expect(page.locator("#api-cost")).to_contain_text("$")
    shot(page, "figures_supervisor")


def test_an_expired_session_goes_back_to_sign_in_and_returns_to_the_inquiry(sign_in, harness) -> None:
    real_clock = harness.api.authorizer.clock
    page = sign_in("suzuki")
    iid = harness.seeded.last("ryo_dev")
    open_inquiry(page, iid)
    harness.expire_sessions()  # access and refresh tokens no longer work: the next poll gets a 401
    try:
        page.wait_for_url("**/oauth2/authorize**", timeout=15_000)
    finally:
        harness.api.authorizer.clock = real_clock
    page.fill("#username", "suzuki")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{harness.url}/desk#/inquiry/{iid}")
    expect(page.locator("#tweet-text")).to_contain_text("パケ詰まり")


def test_the_access_token_is_refreshed_before_it_expires(sign_in, harness) -> None:
    ui = harness.api.hosted_ui
    ui.stated_ttl_s = 62  # the page refreshes 60 s before the stated expiry: about two seconds after sign-in
    try:
        page = sign_in("tanaka")
        deadline = time.time() + 10
        while "refresh_token" not in ui.grants and time.time() < deadline:
            page.wait_for_timeout(200)
        assert "refresh_token" in ui.grants
        expect(page.locator(".qrow").first).to_be_visible()
    finally:
        ui.stated_ttl_s = None


def test_when_x_is_unavailable_the_same_reply_is_resent_with_the_same_token_and_posted_once(sign_in, harness) -> None:
    page = sign_in("suzuki")
    iid = harness.seeded.last("aya_h")  # a mention: the API may reply
    open_inquiry(page, iid)
    page.click('#templates .tpl[data-key="thanks"]')
    text = page.locator("#reply-text").input_value()
    harness.stack.twitter.faults.inject("post", "disconnect")  # the post reaches X, its answer is lost
    page.click("#send-button")
    expect(page.locator("#x-unavailable")).to_contain_text("X に接続できませんでした")
    expect(page.locator("#reply-text")).to_have_attribute("readonly", "")  # the text is what may be on X
    page.click("#retry-button")
    expect(page.locator("#reply-result")).to_contain_text("返信しました")
    assert [t["text"] for t in harness.stack.twitter.posted].count(text) == 1


def test_next_claims_the_most_urgent_and_release_lets_it_go(sign_in, harness) -> None:
    page = sign_in("takahashi")
    expect(page.locator(".qrow").first).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#held-banner")).to_contain_text("あなたが対応中です")
    iid = page.url.rsplit("/", 1)[-1]
    assert shown(harness, iid)["inquiry"]["claimed_by"] == "takahashi"
    expect(page.locator(f'.qrow[data-id="{iid}"] .holder-chip')).to_have_text("あなたが対応中")
    page.keyboard.press("u")
    expect(page.locator("#held-banner")).to_have_count(0)
    assert shown(harness, iid)["inquiry"]["claimed_by"] is None


def test_a_customers_markup_is_shown_as_text_never_run(sign_in, harness) -> None:
    iid = harness.arrive("mallory", '@ac_signal ずっと圏外です <img src=x onerror="window.__pwned=1"><b>太字</b>')
    page = sign_in("sato")
    expect(page.locator(f'.qrow[data-id="{iid}"]')).to_contain_text("img src=x")
    open_inquiry(page, iid)
    expect(page.locator("#tweet-text")).to_contain_text("onerror")
    assert page.locator("#tweet-text img, #tweet-text b, .qrow img, #context img").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_sign_out_ends_the_session(sign_in, harness) -> None:
    page = sign_in("tanaka")
    page.click("#signout")
    expect(page.locator("#boot-message")).to_have_text("サインアウトしました。")
    assert page.evaluate("() => sessionStorage.getItem('activecare.desk.session')") is None
    page.click("#sign-in-again")
    page.wait_for_url("**/oauth2/authorize**")


def test_outside_service_hours_an_agent_waits_and_a_supervisor_may_override(sign_in, harness) -> None:
    iid = harness.seeded.last("emi_k")
    now = harness.clock()
    harness.clock.set(DAY.replace(hour=20, minute=5))
    try:
        page = sign_in("takahashi")
        open_inquiry(page, iid)
        page.fill("#reply-text", "ルーターの電源を入れ直していただけますでしょうか。")
        expect(page.locator("#hours-notice")).to_contain_text("受付時間外です（受付 09:00-20:00）")
        expect(page.locator("#send-button")).to_be_disabled()
        expect(page.locator("#hours-status")).to_contain_text("受付時間外")

        sup = sign_in("yamada")
        open_inquiry(sup, iid)
        sup.fill("#reply-text", "emi_k様、ご不便をおかけしております。ルーターの電源を入れ直していただけますか。")
        expect(sup.locator("#send-button")).to_be_disabled()
        sup.check("#override-hours")
        sup.click("#send-button")
        expect(sup.locator("#reply-result")).to_contain_text("返信しました")
        kinds = [e["kind"] for e in shown(harness, iid)["desk_events"]]
        assert kinds == ["override_hours", "reply"]
    finally:
        harness.clock.set(max(now, harness.clock() - timedelta(hours=10)))


def test_the_campaign_page_lists_winners_with_dm_links_and_confirms_only_what_the_dm_events_show(
        sign_in, harness) -> None:
    from infra.campaign_sim import SALT, SALT_SHA256, seed_campaign

    twitter = harness.stack.twitter
    world = seed_campaign(twitter, at=harness.clock(), retweeters=30, dm_closed=0, first_id=1_770_000_000_000_000_000)
    harness.stack.runtime.campaign().draw({
        "campaign_id": "web-xmas", "tweet_id": world.tweet_id, "account": world.account.key, "winners": 2,
        "rules": world.rules(), "salt": SALT, "salt_sha256": SALT_SHA256})  # notify: hand, the default
    page = sign_in("sato", "/desk#/campaign/web-xmas")
    rows = page.locator("#winners-table tr.winner")
    expect(rows).to_have_count(2)
    expect(page.locator("#campaign-progress")).to_have_text("web-xmas: 0 / 2 名 送信確認済み")
    first = rows.nth(0)
    user_id = first.get_attribute("data-user")
    link = urlsplit(first.locator("a.dm-link").get_attribute("href"))
    query = parse_qs(link.query)
    assert (link.netloc, link.path, query["recipient_id"]) == ("x.com", "/messages/compose", [user_id])
    assert "ご当選" in query["text"][0]
    expect(first.locator("a.dm-link")).to_have_attribute("target", "_blank")

    first.locator("button.confirm").click()  # before the DM was sent: refused, the row says so
    expect(first.locator("td.state")).to_have_attribute("data-state", "not_found")
    expect(page.locator(".toast.error")).to_contain_text("まだ見つかりません")
    twitter.social.user_dm(world.account.user_id, user_id, query["text"][0])  # the agent sends it in X's app
    first.locator("button.confirm").click()
    expect(first.locator("td.state")).to_have_attribute("data-state", "confirmed")
    expect(page.locator("#campaign-progress")).to_have_text("web-xmas: 1 / 2 名 送信確認済み")
    expect(first.locator("button.confirm")).to_be_disabled()
    shot(page, "campaign")
    assert twitter.stats.snapshot()["unsolicited_dms"] == 0
    assert harness.stack.runtime.campaign().status("web-xmas").dms["sent"] == 1
