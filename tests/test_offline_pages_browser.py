"""What finance opens from disk, in a real browser with the network cut: the scorecard page and
the GX Data Docs. Headless Debian chromium through Playwright (skipped without it, as in
tests/test_ui_browser.py); any request that is not file:// is aborted and recorded, and the
test fails if there was one. Screenshots are kept in the test's tmp folder (path printed).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.test_quality import _journal
from tests.test_scorecard_page import warehouse_with_metrics  # noqa: F401 - fixture
from tests.test_ui_browser import CHROMIUM, _chromium_or_skip


@pytest.fixture
def offline_page(tmp_path):
    """A chromium page with the network off; yields (page, the URLs it tried to fetch)."""
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots: {shots}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = browser.new_context(offline=True, viewport={"width": 1400, "height": 1000})
        fetched: list[str] = []

        def refuse(route):
            fetched.append(route.request.url)
            route.abort()

        context.route(lambda url: not url.startswith("file:"), refuse)
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            yield page, fetched, shots
        except Exception:
            page.screenshot(path=shots / "failure.png", full_page=True)
            raise
        finally:
            browser.close()


def _size(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return (box["width"], box["height"]) if box else (0, 0)


def test_scorecard_page_shows_every_business_and_its_charts_offline(
    warehouse_with_metrics,  # noqa: F811 - the fixture imported above
    home,
    offline_page,
):
    from assets.scorecard_page import scorecard_html
    from resources.warehouse import WarehouseResource

    scorecard_html(warehouse=WarehouseResource(path=str(warehouse_with_metrics)))
    page, fetched, shots = offline_page
    page.goto((home / "exports" / "scorecard.html").as_uri())
    page.wait_for_load_state("load")
    for business, name in (("boutique", "Fern & Thread <Boutique>"), ("cafe", "Juniper Cafe")):
        section = page.locator(f'section[data-business="{business}"]')
        assert section.locator("h2").inner_text() == name
        chart = section.locator("div.charts svg")
        width, height = _size(chart)
        assert width > 600 and height > 150, (business, width, height)
        # Each metric's chart drew its line: one axes group per metric with a path in it.
        assert section.locator('svg g[id^="axes_"] g[id^="line2d_"] path').count() > 0
        assert section.locator("table tbody tr").count() >= 2
    boutique = page.locator('section[data-business="boutique"]')
    # Data through Wed 18: the week so far, not coloured against the whole week before.
    assert boutique.locator("td.week").nth(2).inner_text() == "33"
    assert boutique.locator("td.week.worse").count() == 0
    assert "Week so far (3 of 7 days)" in boutique.locator("thead").inner_text()
    page.screenshot(path=shots / "scorecard.png", full_page=True)
    assert fetched == []


def test_data_docs_list_validations_by_date_styled_offline(home, offline_page):
    from pipeline.store.quality import journal_lines_for, run_journal_suite

    con = _journal(home)
    try:
        days = {d: journal_lines_for(con, (d, d)) for d in ("2026-11-19", "2026-11-20")}
    finally:
        con.close()
    at = datetime(2026, 11, 21, 12, tzinfo=UTC)
    for day, lines in days.items():
        run_journal_suite(lines, home, run_name=f"journal {day}", run_time=at)

    page, fetched, shots = offline_page
    site = home / "gx" / "uncommitted" / "data_docs" / "local_site"
    page.goto((site / "index.html").as_uri())
    page.wait_for_load_state("load")
    # bootstrap-table (a local script now) draws the list of validations from the page's data.
    rows = page.locator("table tbody tr")
    page.wait_for_function("document.querySelectorAll('table tbody tr').length >= 4")
    text = " ".join(rows.all_inner_texts())
    assert "journal 2026-11-19" in text and "journal 2026-11-20" in text
    # Bootstrap's stylesheet applied (its font stack), and Font Awesome's status icons drawn.
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Segoe UI" in font, font
    icon = page.locator("table tbody i.fa-check-circle").first
    icon.wait_for(state="visible")
    assert _size(icon)[0] > 0
    solid = (
        "document.fonts.ready.then(() => document.fonts.check('900 16px \"Font Awesome 6 Free\"'))"
    )
    assert page.evaluate(solid)
    page.screenshot(path=shots / "data-docs-index.png", full_page=True)

    # A validation page: the failed balance of 19 Nov, styled.
    failed = site.glob("validations/journal_entry_balance/journal 2026-11-19/*/*.html")
    page.goto(next(failed).as_uri())
    page.wait_for_load_state("load")
    assert page.get_by_text("Failed").first.is_visible()
    assert "Segoe UI" in page.evaluate("getComputedStyle(document.body).fontFamily")
    page.screenshot(path=shots / "data-docs-validation.png", full_page=True)
    assert fetched == []
