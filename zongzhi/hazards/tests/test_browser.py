"""A grid worker registers a hazard on a phone and records its review; the township's
officer picks a place and is offered only the units that may answer for it."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
from zongzhi.conftest import PASSWORD, Cast
from zongzhi.hazards.models import Hazard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def login(page: Any, base: str, username: str) -> None:
    sign_in(page, base, username, PASSWORD)


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"hazard-{name}.png"), full_page=True)


def test_a_grid_worker_registers_a_hazard_and_records_a_review_on_a_phone(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    page = phone_page
    login(page, live_server.url, "g1_grid")
    page.goto(f"{live_server.url}/hazards/new/")
    # The grid worker's own grid is already chosen, and the units above it are offered.
    assert page.get_by_label("所在地").input_value() == str(cast.places.g1.pk)
    page.get_by_label("隐患名称").fill("建筑工地拖欠工资苗头")
    page.get_by_label("隐患类别").select_option(label="劳资纠纷/欠薪 / 拖欠工资")
    page.get_by_label("隐患描述").fill("工程款未结清，12名务工人员担心工资拖欠，情绪不稳。")
    page.get_by_label("风险等级").select_option(label="高")
    assert page.get_by_label("复查周期（天）").get_attribute("placeholder") == "15"
    page.get_by_label("定级理由（高、重大必填）").fill("涉及12人，临近春节")
    page.get_by_label("责任单位").select_option(label="宁州派出所（公安/派出所）")
    page.get_by_role("textbox", name="包保责任人", exact=True).fill("李明")
    page.get_by_label("包保责任人电话").fill("13987700002")
    page.get_by_label("涉及人数").fill("12")
    assert fits_the_phone(page)
    shot(page, "phone-register")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(f"{live_server.url}/hazards/*/")
    hazard = Hazard.objects.get()
    assert page.get_by_test_id("status").inner_text() == "管控中"
    assert page.get_by_test_id("level").inner_text() == "高风险"
    today = timezone.localdate()
    assert (
        f"{today + timedelta(days=15):%Y-%m-%d}" in page.get_by_test_id("next-review").inner_text()
    )

    # 复查: the risk has eased; the next review follows the medium level's 30 days.
    block = page.locator('details[data-step="review"]')
    block.locator("summary").click()
    block.get_by_label("复查情况").fill("项目方已承诺月底前结清，工人情绪平稳")
    block.get_by_label("复查后风险等级").select_option(label="中")
    assert fits_the_phone(page)
    shot(page, "phone-review-form")
    block.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("level").inner_text() == "中风险"
    assert (
        f"{today + timedelta(days=30):%Y-%m-%d}" in page.get_by_test_id("next-review").inner_text()
    )
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "项目方已承诺月底前结清" in timeline
    assert "风险等级：高 → 中" in timeline
    assert fits_the_phone(page)
    shot(page, "phone-reviewed")
    hazard.refresh_from_db()
    assert (hazard.level, hazard.next_review_on) == ("medium", today + timedelta(days=30))

    # The list, on the phone.
    page.goto(f"{live_server.url}/hazards/")
    assert hazard.code in page.get_by_test_id("hazards").inner_text()
    assert fits_the_phone(page)
    shot(page, "phone-list")


def test_choosing_a_township_leaves_out_the_village_units_below_it(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    page = phone_page
    login(page, live_server.url, "t1_intake")
    page.goto(f"{live_server.url}/hazards/new/")
    unit = page.get_by_label("责任单位")
    assert "右所社区调委会" in unit.inner_text()
    with page.expect_response(lambda r: "/hazards/new/units/" in r.url):
        page.get_by_label("所在地").select_option(label="宁州街道")
    page.wait_for_function(
        "!document.getElementById('id_responsible_unit').textContent.includes('右所社区调委会')"
    )
    options = page.get_by_label("责任单位").inner_text()
    assert "宁州派出所" in options and "华宁县人社局" in options
