"""The report as a person sees it: the simulated day's reporter runs at 14:00 on the local stack, the
e-mails SES received are written to disk (infra/reporting_sim.py), and the HTML one is rendered in
headless Chromium (Debian's `chromium`) to a screenshot: out/report_screenshot.png."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from datetime import timedelta
from pathlib import Path

from activecare.clock import ManualClock
from infra.local_stack import LocalStack
from infra.reporting_sim import DayReports, jst, seed_inquiries

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "out" / "report_screenshot.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _png_facts(data: bytes) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values in the decompressed image (a blank page has ~2)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def screenshot(html: Path, png: Path, tmp: Path) -> None:
    assert CHROMIUM, ("Debian's chromium is missing: `apt-get install -y chromium fonts-ipafont-gothic` "
                      "(.ci/run installs it)")
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                    f"--user-data-dir={tmp / 'chromium-profile'}", f"--screenshot={png}", "--window-size=1000,1400",
                    html.resolve().as_uri()], check=True, capture_output=True, timeout=120)


def test_the_days_reports_are_written_and_the_html_renders_in_chromium(tmp_path: Path) -> None:
    clock = ManualClock(jst(2026, 11, 25, 13, 58))
    with LocalStack(clock) as stack:
        seed_inquiries(jst(2026, 11, 25, 9), count=30)
        reports = DayReports(stack, out_dir=tmp_path / "reports")
        runs = []
        for _ in range(3):  # 13:59, 14:00, 14:01: the report runs once, at 14:00
            runs.append(reports.tick(clock.advance(timedelta(minutes=1))))
        assert [r is not None for r in runs] == [False, True, False]
        rows = dict(reports.summary_rows())
    assert rows["reports 14:00: e-mails sent (departments) / recipients"] == "8 / 10"
    folder = tmp_path / "reports" / "2026-11-25" / "1400"
    html = folder / "network.html"
    assert sorted(p.name for p in folder.glob("*.html")) == sorted(
        f"{d}.html" for d in ("network", "home_internet", "billing", "contracts", "devices", "digital", "retail",
                              "customer_care"))
    text = html.read_text(encoding="utf-8")
    assert "ネットワーク本部" in text and "090-1234-5678" not in text and "［電話番号］" in text
    assert (folder / "network.txt").exists() and (folder / "network.eml").exists()
    assert "http://" not in text and "https://" not in text and "<script" not in text  # nothing to fetch

    screenshot(html, SCREENSHOT, tmp_path)
    data = SCREENSHOT.read_bytes()
    width, height, distinct = _png_facts(data)
    assert (width, height) == (1000, 1400)
    assert len(data) > 20_000 and distinct > 50, "the screenshot looks blank"
    shutil.copytree(folder, ROOT / "out" / "reports" / "example", dirs_exist_ok=True)


def test_a_blank_page_is_told_apart(tmp_path: Path) -> None:
    """The screenshot check above can fail: an empty page does not pass it."""
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body></body></html>", encoding="utf-8")
    png = tmp_path / "blank.png"
    screenshot(blank, png, tmp_path)
    data = png.read_bytes()
    assert not (len(data) > 20_000 and _png_facts(data)[2] > 50)

