from typing import Any

import pytest
from django.conf import settings

from zongzhi.browser import ARTIFACTS
from zongzhi.demo.county import DEMO_PASSWORD, load_demo
from zongzhi.regions.models import Region

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback: the seeded categories and rules come back after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_township_officer_logs_in_on_a_phone_and_sees_their_township(
    live_server: Any, phone_page: Any
) -> None:
    load_demo(settings.ZONGZHI_DIVISIONS_DIR, cases=0)  # places and people are enough
    page = phone_page
    page.goto(f"{live_server.url}/regions/")
    # Not logged in: the login page, in Chinese.
    page.get_by_label("用户名").fill("ningzhou_intake")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.screenshot(path=str(ARTIFACTS / "login-phone.png"), full_page=True)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/regions/530424001000/")
    assert page.get_by_role("heading", level=1).inner_text() == "宁州街道"
    assert "受理员 · 宁州街道" in page.get_by_test_id("scope").inner_text()
    rows = page.get_by_test_id("children").locator("tbody tr")
    villages = Region.objects.filter(parent__code="530424001000").count()
    assert rows.count() == villages
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "township-phone.png"), full_page=True)

    first_village = rows.first.get_by_role("link")
    first_village.click()
    page.wait_for_selector("#grid-map .leaflet-interactive")
    page.screenshot(path=str(ARTIFACTS / "village-phone.png"), full_page=True)
