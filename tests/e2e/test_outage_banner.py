"""Crisis mode in a real browser (Debian's headless Chromium, Playwright) against the desk as `make desk` serves
it: an outage the radar detected shows as a banner over the queue (topic, places, counts, a masked sample); an
agent sees no confirm button, a supervisor confirms and the status post goes out once; the incident view groups
the Osaka inquiries while the normal queue stays. Screenshot: out/webdesk_outage_banner.png."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from activecare.outage.dynamo import DynamoRadar, DynamoSignals
from activecare.outage.memory import MemoryAlerts
from activecare.outage.service import Detector, complaint_signal

sync_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is missing (make system-deps)", allow_module_level=True)

from infra.desk_live import LiveDesk  # noqa: E402

expect = sync_api.expect
OUT = Path(__file__).resolve().parents[2] / "out"
PASSWORD = "Local-desk-2026!"


@pytest.fixture(scope="module")
def harness() -> Iterator[LiveDesk]:
    with LiveDesk(password=PASSWORD, intent_links_to_stand_in=False) as h:
        yield h


def _sign_in(browser: Any, harness: LiveDesk, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(harness.url + "/desk")
    page.wait_for_url("**/oauth2/authorize**")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#user .user-name")).to_have_text(username)
    return page


def _detect_osaka_outage(harness: LiveDesk) -> str:
    """Complaints of 12 Osaka customers in the last minutes, through the real signal store and detector."""
    now = harness.clock()
    signals = DynamoSignals()
    for n in range(12):
        at = now - timedelta(minutes=3 - n % 2, seconds=-n)
        found = complaint_signal(tweet_id=str(1_990_000_000_000_000_000 + n), text=f"大阪で圏外 090-1234-{5600 + n}",
                                 author_id=str(1_500_000_000_000_000_000 + n), at=at, topic="signal",
                                 sentiment="complaint")
        assert found
        signals.record(*found)
    result = Detector(signals=signals, radar=DynamoRadar(), alerts=MemoryAlerts(), clock=harness.clock).run()
    assert result.opened
    return result.opened[0]


def test_the_outage_banner_shows_an_alert_and_a_supervisor_confirms_it(browser: Any, harness: LiveDesk) -> None:
    normal = harness.arrive("tokyo_user", "料金プランの変更ってどこからできますか？")
    osaka = [harness.arrive(f"osaka_{n}", f"大阪でずっと圏外、障害？{'、電話もできない' * n}") for n in range(2)]
    incident_id = _detect_osaka_outage(harness)

    agent = _sign_in(browser, harness, "sato")
    banner = agent.locator("#incident-banner")
    expect(banner).to_be_visible()
    expect(banner.locator(".incident-title")).to_have_text("障害の疑い")
    expect(banner.locator(".incident-what")).to_contain_text("大阪府")
    expect(banner.locator(".incident-sample")).to_contain_text("［電話番号］")
    expect(banner).not_to_contain_text("090-1234")
    expect(banner.locator(".incident-confirm")).to_have_count(0)  # agents cannot confirm
    expect(agent.locator(f'.qrow[data-id="{normal}"]')).to_be_visible()  # normal inquiries stay in the queue
    agent.context.close()

    sup = _sign_in(browser, harness, "yamada")
    sup.locator(".incident-confirm").click()
    expect(sup.locator("#incident-banner .incident-title")).to_have_text("障害対応中")
    posts = [p for p in harness.stack.twitter.posted if "【お知らせ" in p["text"]]
    assert len(posts) == 1 and "大阪府" in posts[0]["text"]
    sup.locator(".incident-open").click()
    dialog = sup.locator("#incident-dialog")
    expect(dialog).to_be_visible()
    for iid in osaka:
        expect(dialog.locator(f'.incident-row[data-id="{iid}"]')).to_be_visible()
    expect(dialog.locator(f'.incident-row[data-id="{normal}"]')).to_have_count(0)
    row = dialog.locator(f'.incident-row[data-id="{osaka[0]}"]')
    row.locator(".incident-covered").click()
    expect(row.locator(".incident-row-status")).to_have_text("告知で対応済み")
    expect(row.locator("button")).to_have_count(0)  # answered: only its status, the label once
    assert row.inner_text().count("告知で対応済み") == 1
    other = dialog.locator(f'.incident-row[data-id="{osaka[1]}"]')
    expect(other.locator(".incident-covered")).to_be_visible()  # the next one still has its actions
    OUT.mkdir(exist_ok=True)
    sup.screenshot(path=str(OUT / "webdesk_outage_banner.png"))
    dialog.locator(".dialog-actions button").click()  # closed and opened again: from the stored answers
    sup.locator(".incident-open").click()
    row = dialog.locator(f'.incident-row[data-id="{osaka[0]}"]')
    expect(row.locator(".incident-row-status")).to_have_text("告知で対応済み")
    expect(row.locator("button")).to_have_count(0)
    assert row.inner_text().count("告知で対応済み") == 1
    incident = harness.stack.runtime.crisis().get(incident_id)
    assert [a.action for a in incident.answers] == ["covered"]
    sup.context.close()
