"""The pages: a person's choices, and a unit's robot with its delivery log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zongzhi.accounts.models import User
from zongzhi.accounts.rules import Role
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.notifications import services
from zongzhi.notifications.models import Delivery, Preference, UnitWebhook
from zongzhi.notifications.rules import Event
from zongzhi.notifications.tests.conftest import Crew, Robot

PREFERENCES = reverse("notifications:preferences")


def page_of(crew: Crew) -> str:
    return reverse("notifications:unit_webhook", args=[crew.cast.units.t1_station.pk])


def test_preferences_show_the_address_and_everything_ticked_at_first(
    crew: Crew, django_assert_max_num_queries: object
) -> None:
    client = crew.cast.client_for(crew.handler)
    # Session, user, the choices, the roles in the header, and the nav's grants.
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        html = client.get(PREFERENCES).content.decode()
    assert "t1_police@example.org" in html
    assert html.count('type="checkbox"') == html.count("checked") == len(Event)


def test_preferences_saved_are_what_the_outbox_respects(crew: Crew) -> None:
    client = crew.cast.client_for(crew.handler)
    response = client.post(PREFERENCES, {"events": [Event.WARN, Event.OVERDUE]})
    assert response.status_code == 302
    assert services.received_events(crew.handler) == {Event.WARN, Event.OVERDUE}
    html = client.get(PREFERENCES).content.decode()
    assert html.count("checked") == 2
    case = case_in(crew.cast, Status.DISPATCHED)
    addressed = set(
        Delivery.objects.filter(notification__case=case).values_list("user__username", flat=True)
    )
    assert addressed == {"t1_police2"}
    # Nothing ticked is a choice too: no e-mails at all.
    client.post(PREFERENCES, {})
    assert Preference.objects.get(user=crew.handler).muted == [str(e) for e in Event]


def test_someone_without_an_address_is_told_so(crew: Crew) -> None:
    User.objects.filter(pk=crew.handler.pk).update(email="")
    html = crew.cast.client_for(crew.handler).get(PREFERENCES).content.decode()
    assert "没有登记邮箱" in html


def test_an_administrator_sets_the_units_robot_and_bad_addresses_are_refused(
    crew: Crew,
) -> None:
    admin = crew.cast.client_for(crew.cast.by_role[Role.ADMINISTRATOR])
    page = page_of(crew)
    refused = admin.post(page, {"kind": "wecom", "url": "ftp://x.org/h", "events": ["warn"]})
    assert refused.status_code == 200
    assert "机器人地址（Webhook 地址）须以 http:// 或 https:// 开头" in refused.content.decode()
    assert not UnitWebhook.objects.exists()

    saved = admin.post(
        page,
        {
            "kind": "dingtalk",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=T0KEN",
            "secret": "SECabc",
            "events": ["dispatch", "warn"],
            "is_active": "on",
        },
    )
    assert saved.status_code == 302
    hook = UnitWebhook.objects.get(unit=crew.cast.units.t1_station)
    assert (hook.kind, hook.secret, hook.events, hook.is_active) == (
        "dingtalk",
        "SECabc",
        ["dispatch", "warn"],
        True,
    )
    html = admin.get(page).content.decode()
    assert "SECabc" not in html  # the secret is never shown back
    # Saving without typing the secret keeps it; ticking "clear" removes it.
    admin.post(page, {"kind": "dingtalk", "url": hook.url, "events": ["warn"]})
    hook.refresh_from_db()
    assert (hook.secret, hook.events, hook.is_active) == ("SECabc", ["warn"], False)
    admin.post(page, {"kind": "dingtalk", "url": hook.url, "clear_secret": "on"})
    hook.refresh_from_db()
    assert hook.secret == ""


def test_the_units_own_people_read_it_without_the_key_others_cannot(crew: Crew) -> None:
    crew.hook(crew.cast.units.t1_station, "https://qyapi.weixin.qq.com/send?key=ROBOTKEY")
    page = page_of(crew)
    own = crew.cast.client_for(crew.handler).get(page)
    html = own.content.decode()
    assert own.status_code == 200
    assert "qyapi.weixin.qq.com" in html and "ROBOTKEY" not in html
    assert "<form" not in html.split("<main", 1)[1].split("发送记录", 1)[0]
    assert crew.cast.client_for(crew.handler).post(page, {"url": "x"}).status_code == 403
    # The centre's intake officer sees the unit but is not in it; others do not see it.
    assert crew.cast.client_for(crew.intake).get(page).status_code == 403
    assert crew.cast.client_for(crew.mediator).get(page).status_code == 404
    assert crew.cast.client_for(crew.t2_handler).get(page).status_code == 404
    test_url = reverse("notifications:unit_webhook_test", args=[crew.cast.units.t1_station.pk])
    assert crew.cast.client_for(crew.handler).post(test_url).status_code == 403


def test_the_unit_page_links_to_the_robot_for_those_who_may_see_it(crew: Crew) -> None:
    detail = reverse("units:detail", args=[crew.cast.units.t1_station.pk])
    link = page_of(crew)
    for user in (crew.cast.by_role[Role.ADMINISTRATOR], crew.handler):
        assert link in crew.cast.client_for(user).get(detail).content.decode()
    assert link not in crew.cast.client_for(crew.intake).get(detail).content.decode()


def test_the_test_button_posts_at_once_and_logs_it(crew: Crew, robot: Robot) -> None:
    crew.hook(crew.cast.units.t1_station, robot.url, kind="wecom")
    admin = crew.cast.client_for(crew.cast.by_role[Role.ADMINISTRATOR])
    test_url = reverse("notifications:unit_webhook_test", args=[crew.cast.units.t1_station.pk])
    response = admin.post(test_url, follow=True)
    assert "测试消息已送达" in response.content.decode()
    assert "【测试消息】宁州派出所" in robot.received[0].body["markdown"]["content"]
    robot.script((500, {}))
    html = admin.post(test_url, follow=True).content.decode()
    assert "测试消息未送达：HTTP 500" in html
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED).get()
    assert failed.attempts == 1  # a test is tried once, not retried
    assert "发送失败" in html and "HTTP 500" in html


@pytest.mark.parametrize("deliveries", [1, 25])
def test_the_robot_page_costs_the_same_however_long_the_log(
    crew: Crew, robot: Robot, deliveries: int, django_assert_num_queries: object
) -> None:
    crew.hook(crew.cast.units.t1_station, robot.url)
    robot.script((500, {}))
    for _ in range(deliveries):
        case_in(crew.cast, Status.DISPATCHED)
    now = timezone.now()
    for i in range(3):
        services.send_due(now=now + timedelta(hours=i))
    admin = crew.cast.client_for(crew.cast.by_role[Role.ADMINISTRATOR])
    admin.get(page_of(crew))  # the session and the user's grants, once
    # Session, user, unit, grants, robot, the roles in the header, deliveries, attempts.
    with django_assert_num_queries(8):  # type: ignore[operator]
        html = admin.get(page_of(crew)).content.decode()
    assert html.count('<li class="bad">') == 3 * min(deliveries, 20)
