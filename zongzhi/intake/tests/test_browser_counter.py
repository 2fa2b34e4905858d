"""At the counter, on a phone: as the officer types a repeated request the likely
duplicate appears before saving, and 并入此事项 registers the report into it at once."""

from typing import Any

import pytest

from zongzhi.accounts.rules import Role
from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import registered
from zongzhi.conftest import PASSWORD, Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_counter_sees_the_repeat_before_saving_and_attaches_it(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    first = registered(cast)  # 张三 about 李四's things in the shared passage
    page, base = phone_page, live_server.url
    sign_in(page, base, cast.by_role[Role.INTAKE_OFFICER].username, PASSWORD)
    page.goto(f"{base}/cases/new/")
    page.get_by_label("事项分类").select_option(label="邻里纠纷 / 相邻关系")
    page.get_by_label("发生地").select_option(value=str(cast.places.g1.pk))
    page.get_by_label("事项标题").fill("邻居又把杂物堆在通道上")
    page.get_by_label("申请人/反映人姓名").fill("张三")
    page.get_by_label("联系电话", exact=True).fill("13800000001")
    page.get_by_label("事项描述").fill("张三再次反映，邻居李四在共用通道上堆放杂物，出入不便。")
    # The panel follows the typing; once the phone is in, the reasons name it.
    duplicate = page.get_by_test_id("duplicate").filter(has_text="相同电话")
    duplicate.wait_for()
    assert first.code in duplicate.inner_text()
    assert Case.objects.count() == 1  # nothing saved yet
    assert fits_the_phone(page)
    page.screenshot(path=ARTIFACTS / "intake-01-repeat-seen.png", full_page=True)
    duplicate.get_by_role("button", name="并入此事项").click()
    page.wait_for_url(f"{base}/cases/{first.code}/")
    assert "已登记并并入事项" in page.content()
    page.screenshot(path=ARTIFACTS / "intake-02-attached.png", full_page=True)
    report = Case.objects.exclude(pk=first.pk).get()
    assert report.status == Status.MERGED and report.merged_into_id == first.pk
