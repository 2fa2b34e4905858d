"""A care worker records a home visit on a phone: from their list of due visits, through
the visit form, back to the list with the next due date."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
from zongzhi.care import rules, services
from zongzhi.care.models import CareFile, CareVisit
from zongzhi.care.tests.conftest import CareCast, open_file
from zongzhi.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def login(page: Any, base: str, username: str) -> None:
    sign_in(page, base, username, PASSWORD)


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"care-visit-{name}.png"), full_page=True)


def test_a_care_worker_records_a_home_visit_on_a_phone(
    live_server: Any, phone_page: Any, care: CareCast
) -> None:
    today = timezone.localdate()
    every = rules.MENTAL_HEALTH.rules_on(today).every_days("2")
    # A person last visited 35 days ago at a monthly level: the visit is 5 days overdue.
    late = open_file(
        care.worker,
        care.cast.places.v1,
        identity_number="",
        person_name="王秀英",
        address="右所社区5组8号",
        enrolled_on=today - timedelta(days=90),
    )
    services.care_file_record_visit(
        by=care.worker,
        file=late,
        visited_on=today - timedelta(days=every + 5),
        method="phone",
        seen="电话随访，情况稳定",
    )

    page = phone_page
    login(page, live_server.url, "v1_care")
    page.goto(f"{live_server.url}/care/visits/")
    card = page.get_by_test_id("visit-card").filter(has_text="王秀英")
    assert "逾期5天" in card.inner_text()
    assert "右所社区5组8号" in card.inner_text()
    assert fits_the_phone(page)
    shot(page, "01-my-visits")

    card.get_by_role("button", name="记录走访").click()
    page.wait_for_url(f"{live_server.url}/care/{late.code}/visit/")
    assert page.get_by_test_id("person").inner_text() == "王秀英"
    assert page.get_by_label("走访日期").input_value() == today.isoformat()
    assert page.get_by_label("入户走访").is_checked()
    page.get_by_label("走访情况").fill("入户见到本人，按时服药，情绪平稳；女儿在家照看。")
    page.get_by_label("提出的需求").fill("希望办理门诊慢特病报销")
    page.get_by_label("后续跟进").fill("联系卫生院协助办理")
    assert fits_the_phone(page)
    shot(page, "02-form")

    page.get_by_role("button", name="保存走访记录").click()
    page.wait_for_url(f"{live_server.url}/care/visits/")
    due = today + timedelta(days=every)
    assert f"下次走访截止 {due:%Y-%m-%d}" in page.locator(".flash").inner_text()
    # Visited: no longer on the list of due visits.
    assert "王秀英" not in page.get_by_test_id("visits").inner_text()
    assert fits_the_phone(page)
    shot(page, "03-saved")

    visit = CareVisit.objects.filter(file=late).latest("pk")
    assert (visit.visited_on, visit.method, visit.by_id) == (today, "home", care.worker.pk)
    assert CareFile.objects.get(pk=late.pk).next_visit_due == due
