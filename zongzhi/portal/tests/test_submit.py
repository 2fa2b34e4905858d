"""A resident submits a request: one case through the normal intake, or a plain refusal
and nothing written."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zongzhi.cases.models import Case, CaseEvent, Party
from zongzhi.cases.public import ANONYMOUS_NAME
from zongzhi.cases.rules import Status, Step
from zongzhi.categories.models import Category
from zongzhi.conftest import Cast
from zongzhi.portal import rules
from zongzhi.portal.models import Throttle
from zongzhi.portal.tests.conftest import PHONE, form_data, submit, ticket

pytestmark = pytest.mark.django_db


def nothing_written() -> bool:
    return not Case.objects.exists() and not any(t.hits for t in Throttle.objects.all())


def test_the_form_shows_only_active_categories_and_the_townships(
    cast: Cast, resident: Client
) -> None:
    retired = Category.objects.get(code="LLJF01")
    retired.is_active = False
    retired.save()
    html = resident.get("/portal/").content.decode()
    assert "反映问题" in html
    assert f'value="{retired.pk}"' not in html
    assert "宁州街道" in html and "盘溪镇" in html
    assert 'name="ticket"' in html


def test_the_village_list_follows_the_township(cast: Cast, resident: Client) -> None:
    html = resident.get(f"/portal/places/?township={cast.places.t2.pk}").content.decode()
    assert "大龙潭村" in html and "右所社区" not in html


def test_a_submission_registers_one_case_through_intake(cast: Cast, resident: Client) -> None:
    response = submit(resident, form_data(cast))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Case.Channel.ONLINE
    assert case.status == Status.REGISTERED
    assert case.region == cast.places.v1 and case.centre == cast.places.t1
    assert case.idempotency_key and case.idempotency_key.startswith("portal:")
    assert case.title.startswith(f"{case.category.name}：楼上邻居每天夜里")
    assert case.due_on is not None
    applicant = Party.objects.get(case=case)
    assert (applicant.name, applicant.phone, applicant.role) == ("王芳", PHONE, "applicant")
    event = CaseEvent.objects.get(case=case)
    assert (event.step, event.actor_name) == (Step.REGISTER, "群众（网上）")

    page = resident.get(response["Location"])
    html = page.content.decode()
    assert case.code in html
    assert "查看办理进度" in html and f"/portal/track/?code={case.code}" in html
    assert f"{case.due_on.year}年{case.due_on.month}月{case.due_on.day}日" in html


def test_a_retried_form_creates_nothing_new(cast: Cast, resident: Client) -> None:
    data = form_data(cast)
    first = submit(resident, data)
    second = submit(resident, data)
    assert first.status_code == second.status_code == 302
    # Both land on the confirmation of the same case (the signed address carries a
    # timestamp, so the two addresses may differ by a second).
    case = Case.objects.get()
    for response in (first, second):
        assert case.code in resident.get(response["Location"]).content.decode()
    assert CaseEvent.objects.count() == 1
    # The retry did not use up one of the network's submissions either.
    assert len(Throttle.objects.get(scope=rules.SUBMIT_PER_IP.scope).hits) == 1


def test_the_same_form_sent_again_with_other_words_is_not_its_first_case(
    cast: Cast, resident: Client
) -> None:
    data = form_data(cast)
    assert submit(resident, data).status_code == 302
    changed = submit(resident, {**data, "description": "村口路灯坏了一个月，晚上很黑。"})
    assert changed.status_code == 409
    html = changed.content.decode()
    assert "本次内容有改动" in html and "村口路灯坏了一个月" in html
    assert f'value="{data["ticket"]}"' not in html  # a fresh ticket for a deliberate resend
    assert Case.objects.count() == 1


def test_an_anonymous_request_keeps_no_name_and_no_phone(cast: Cast, resident: Client) -> None:
    response = submit(resident, form_data(cast, anonymous="on", name="王芳", phone=PHONE))
    assert response.status_code == 302
    applicant = Party.objects.get()
    assert (applicant.name, applicant.phone) == (ANONYMOUS_NAME, "")
    assert not Throttle.objects.filter(scope=rules.SUBMIT_PER_PHONE.scope).exists()


def test_a_township_without_a_village_is_enough(cast: Cast, resident: Client) -> None:
    assert submit(resident, form_data(cast, village="")).status_code == 302
    assert Case.objects.get().region == cast.places.t1


@pytest.mark.parametrize(
    ("overrides", "field_label", "message"),
    [
        ({"category": ""}, "反映什么问题", "请选择问题类别"),
        ({"township": ""}, "乡镇/街道", "请选择发生在哪个乡镇/街道"),
        ({"description": "吵"}, "发生了什么", "请把情况写得具体一些（至少10个字）"),
        ({"name": ""}, "您的姓名", "请填写您的姓名，或勾选“匿名反映”"),
        ({"phone": "12345"}, "联系电话（选填）", "请填写正确的手机号或固定电话"),
        ({"people_count": "0"}, "涉及多少人（包括您自己）", "涉及人数至少为1"),
    ],
)
def test_a_mistake_is_named_in_chinese_and_nothing_is_written(
    cast: Cast, resident: Client, overrides: dict[str, Any], field_label: str, message: str
) -> None:
    response = submit(resident, form_data(cast, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{field_label}：{message}" in html
    assert "请修改下面标红的内容" in html
    # What was typed is still there.
    assert "多次敲门沟通无果" in html or overrides.get("description")
    assert nothing_written()


def test_a_village_of_another_township_is_refused(cast: Cast, resident: Client) -> None:
    response = submit(resident, form_data(cast, village=cast.places.v2.pk))
    assert response.status_code == 400
    assert "所选村/社区不在该乡镇/街道" in response.content.decode()
    assert nothing_written()


def test_a_retired_category_is_refused(cast: Cast, resident: Client) -> None:
    data = form_data(cast)
    Category.objects.filter(pk=data["category"]).update(is_active=False)
    response = submit(resident, data)
    assert response.status_code == 400
    assert "问题类别不可用" in response.content.decode()
    assert nothing_written()


def test_a_tampered_ticket_is_refused_and_the_form_comes_back_fresh(
    cast: Cast, resident: Client
) -> None:
    response = submit(resident, form_data(cast, ticket="made-up"))
    assert response.status_code == 400
    assert "表单已失效" in response.content.decode()
    assert 'name="ticket"' in response.content.decode()
    assert nothing_written()


# --- The abuse guard ----------------------------------------------------------------------


def test_a_filled_honeypot_is_refused(cast: Cast, resident: Client) -> None:
    response = submit(resident, form_data(cast, homepage="http://spam.example"))
    assert response.status_code == 400
    assert "提交未通过检查" in response.content.decode()
    assert nothing_written()


def test_a_form_sent_faster_than_a_person_fills_it_is_refused(cast: Cast, resident: Client) -> None:
    response = submit(resident, form_data(cast, ticket=ticket(seconds_ago=1)))
    assert response.status_code == 429
    assert int(response["Retry-After"]) <= rules.MIN_FILL_SECONDS
    assert "提交得太快了" in response.content.decode()
    assert nothing_written()


def test_one_network_may_submit_five_an_hour(cast: Cast, resident: Client) -> None:
    for n in range(rules.SUBMIT_PER_IP.count):
        assert submit(resident, form_data(cast, phone=f"1390000{n:04d}")).status_code == 302
    refused = submit(resident, form_data(cast, phone="13911112222"))
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "同一网络每小时最多提交5次" in html and "以后再试" in html
    assert 3500 < int(refused["Retry-After"]) <= 3600
    assert "多次敲门沟通无果" in html  # the resident's words are kept for later
    assert Case.objects.count() == rules.SUBMIT_PER_IP.count
    # Another network is not held up.
    assert submit(resident, form_data(cast, phone="13911112222"), ip="10.0.0.2").status_code == 302


def test_one_ipv6_line_counts_as_one_network(cast: Cast, resident: Client) -> None:
    for n in range(rules.SUBMIT_PER_IP.count):
        # Each a different request: the same one sent again would be recognised instead.
        data = form_data(cast, anonymous="on", description=f"第{n + 1}件事：夜里装修噪音很大。")
        response = submit(resident, data, ip=f"2001:db8:1:2::{n + 1}")
        assert response.status_code == 302
    again = submit(resident, form_data(cast, anonymous="on"), ip="2001:db8:1:2:ffff::9")
    assert again.status_code == 429


def test_one_phone_may_submit_three_a_day_from_anywhere(cast: Cast, resident: Client) -> None:
    for n in range(rules.SUBMIT_PER_PHONE.count):
        data = form_data(cast, description=f"第{n + 1}件事：夜里装修噪音很大。")
        assert submit(resident, data, ip=f"10.1.0.{n}").status_code == 302
    # Written another way, from another network: the same phone.
    data = form_data(cast, phone="139 0000 1111", description="第四件事：楼道堆满杂物。")
    refused = submit(resident, data, ip="10.1.0.99")
    assert refused.status_code == 429
    assert "同一电话号码每天最多提交3次" in refused.content.decode()
    assert Case.objects.count() == rules.SUBMIT_PER_PHONE.count
    # The refused attempt was not counted against its network.
    assert submit(resident, form_data(cast, anonymous="on"), ip="10.1.0.99").status_code == 302


def test_the_counters_keep_digests_not_addresses_or_phones(cast: Cast, resident: Client) -> None:
    submit(resident, form_data(cast), ip="203.0.113.7")
    stored = " ".join(f"{t.scope} {t.digest} {t.hits}" for t in Throttle.objects.all())
    assert Throttle.objects.count() == 2
    assert "203.0.113.7" not in stored and PHONE not in stored and "1111" not in stored


def test_old_counters_are_purged_on_the_next_submission(cast: Cast, resident: Client) -> None:
    Throttle.objects.create(
        scope=rules.SUBMIT_PER_IP.scope,
        digest="old",
        hits=[1.0],
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    submit(resident, form_data(cast))
    assert not Throttle.objects.filter(digest="old").exists()


def test_the_form_and_the_village_list_take_a_fixed_number_of_queries(
    cast: Cast, resident: Client, django_assert_max_num_queries: Any
) -> None:
    # One query for the categories, one for the townships, whatever their number.
    with django_assert_max_num_queries(2):
        assert resident.get("/portal/").status_code == 200
    with django_assert_max_num_queries(2):
        assert resident.get(f"/portal/places/?township={cast.places.t1.pk}").status_code == 200
