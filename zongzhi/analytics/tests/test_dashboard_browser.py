"""The dashboard in Chromium, on a phone and on a desktop: the charts draw, the grid map
draws its grids, nothing sticks out sideways on the phone. Screenshots go to
test-artifacts/analytics-dashboard-*.png for people to look at."""

from typing import Any

import pytest
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.analytics import indicators, selectors
from zongzhi.analytics.tests.seeds import seed_cases
from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
from zongzhi.cases.tests.factories import category
from zongzhi.conftest import PASSWORD, Cast, make_user

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback: the seeded categories and rules come back after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHARTS = ("chart-trend", "chart-category", "chart-channel", "chart-unit")


def check_dashboard(page: Any, name: str) -> None:
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart} canvas")
    page.wait_for_selector("#dash-map[data-ready] path.leaflet-interactive")
    grids = page.locator("#dash-map path.leaflet-interactive").count()
    assert grids >= 2
    assert page.locator("#dash-map .dash-legend").inner_text().startswith("在办事项（件）")
    page.screenshot(path=str(ARTIFACTS / f"analytics-dashboard-{name}.png"), full_page=True)


def test_the_dashboard_draws_its_charts_and_map_on_a_phone_and_a_desktop(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    # Both townships' grids (with their boundaries), two categories, two units: enough for
    # every chart, the map and the table of places (the demo county would take a minute).
    p, u = cast.places, cast.units
    county = p.county
    make_user("county_leader", Role.LEADER, region=county)
    seed_cases(p.g1, category("FCWY01"), total=30, resolved=24, unit=u.t1_station, rebuild=False)
    seed_cases(p.g2, category("LZJF01"), total=12, resolved=7, unit=u.t2_station)
    page = phone_page
    sign_in(page, live_server.url, "county_leader", PASSWORD)
    page.goto(f"{live_server.url}/analytics/?period=last12")
    assert page.get_by_role("heading", level=1).inner_text() == f"统计分析 · {county.name}"
    check_dashboard(page, "phone")
    assert fits_the_phone(page)

    # The figure on the page is the indicator's, and its link opens the cases behind it.
    period = selectors.period_of("last12", timezone.localdate())
    tile = page.locator('[data-indicator="resolution_rate"] .n')
    figures = indicators.figures(county.prefix, period.start, period.end, period.end)
    assert tile.inner_text() == figures["resolution_rate"].display
    page.locator('[data-indicator="resolution_rate"] [data-part="denominator"]').click()
    page.wait_for_selector('[data-testid="count"]')
    assert page.get_by_test_id("count").inner_text() == str(figures["resolution_rate"].denominator)
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "analytics-dashboard-records-phone.png"), full_page=True)

    # The same dashboard on a desktop.
    desktop = page.context.browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN"
    )
    try:
        wide = desktop.new_page()
        wide.set_default_timeout(15_000)
        sign_in(wide, live_server.url, "county_leader", PASSWORD)
        wide.goto(f"{live_server.url}/analytics/?period=last12")
        check_dashboard(wide, "desktop")
        # A township from the table of places below opens its own dashboard.
        wide.get_by_test_id("places").locator("tbody th a").first.click()
        wide.wait_for_selector("#chart-trend canvas")
        wide.wait_for_selector("#dash-map[data-ready] path.leaflet-interactive")
        wide.screenshot(
            path=str(ARTIFACTS / "analytics-dashboard-township-desktop.png"), full_page=True
        )
        assert "统计分析 · " in wide.get_by_role("heading", level=1).inner_text()
        assert wide.get_by_role("heading", level=1).inner_text() != f"统计分析 · {county.name}"
    finally:
        desktop.close()
