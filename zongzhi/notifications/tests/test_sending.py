"""Sending what the outbox holds: a real HTTP server on this machine plays the robot."""

import base64
import hashlib
import hmac
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from zongzhi.cases import services as cases
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.notifications import services, webhooks
from zongzhi.notifications.models import Delivery, DeliveryAttempt, Notification
from zongzhi.notifications.rules import Event
from zongzhi.notifications.tests.conftest import Crew, Robot

OK = (200, {"errcode": 0, "errmsg": "ok"})
DOWN = (500, {"error": "internal"})


def dispatched(crew: Crew) -> Case:
    case = case_in(crew.cast, Status.ACCEPTED, address="右所社区3组")
    return cases.case_dispatch(by=crew.intake, case=case, lead_unit=crew.cast.units.t1_station)


def robot_delivery(case: Case) -> Delivery:
    return Delivery.objects.get(notification__case=case, channel=Delivery.Channel.WEBHOOK)


def test_a_robot_that_fails_twice_gets_the_message_on_the_third_try_logged(
    crew: Crew, robot: Robot
) -> None:
    crew.hook(crew.cast.units.t1_station, robot.url, kind="wecom")
    robot.script(DOWN, DOWN, OK)
    case = dispatched(crew)
    start = timezone.now()

    first = services.send_due(now=start)
    assert (first.sent, first.retrying) == (2, 1)  # the two e-mails went; the robot failed
    assert services.send_due(now=start + timedelta(seconds=59)).retrying == 0  # not yet due
    assert services.send_due(now=start + timedelta(minutes=1)).retrying == 1  # 2nd: fails
    assert services.send_due(now=start + timedelta(minutes=2)).sent == 0  # waits 2 minutes
    assert services.send_due(now=start + timedelta(minutes=3)).sent == 1  # 3rd: delivered

    delivery = robot_delivery(case)
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 3
    assert delivery.sent_at == start + timedelta(minutes=3)
    tries = list(delivery.tries.order_by("at"))
    assert [(t.ok, t.status_code) for t in tries] == [(False, 500), (False, 500), (True, 200)]
    assert [t.at - start for t in tries] == [
        timedelta(0),
        timedelta(minutes=1),
        timedelta(minutes=3),
    ]
    assert "HTTP 500" in tries[0].error and tries[2].error == ""
    assert all(t.duration_ms >= 0 for t in tries)

    # Three POSTs, each the WeCom markdown message for this case.
    assert len(robot.received) == 3
    assert robot.received[0].body == robot.received[2].body
    assert urlsplit(robot.received[2].path).query == "key=secret-key"
    body = robot.received[2].body
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith(f"### 【派单】{case.code} 邻居占道堆放杂物")
    assert "> 地点：右所社区第1网格 右所社区3组" in content
    assert "> 办理期限：" in content and "> 主办单位：宁州派出所" in content
    assert f"(http://127.0.0.1:8000/cases/{case.code}/)" in content

    # Delivered is delivered: later runs never send it again.
    services.send_due(now=start + timedelta(days=1))
    assert len(robot.received) == 3
    assert services.send_delivery(delivery.pk, now=start + timedelta(days=2)) is None


def test_a_robot_that_never_answers_is_given_up_after_the_last_attempt(
    crew: Crew, robot: Robot
) -> None:
    crew.hook(crew.cast.units.t1_station, robot.url, kind="generic")
    robot.script(DOWN)
    case = dispatched(crew)
    now = timezone.now()
    for _ in range(30):
        services.send_due(now=now)
        now += timedelta(hours=1)
    delivery = robot_delivery(case)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == delivery.max_attempts == 10
    assert delivery.next_attempt_at is None
    assert len(robot.received) == 10
    assert DeliveryAttempt.objects.filter(delivery=delivery, ok=False).count() == 10


def test_a_robot_that_answers_200_with_an_error_code_has_not_taken_it(
    crew: Crew, robot: Robot
) -> None:
    crew.hook(crew.cast.units.t1_station, robot.url, kind="dingtalk")
    robot.script((200, {"errcode": 310000, "errmsg": "sign not match"}))
    case = dispatched(crew)
    services.send_due(now=timezone.now())
    delivery = robot_delivery(case)
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    attempt = delivery.tries.get()
    assert (attempt.ok, attempt.status_code) == (False, 200)
    assert "310000" in attempt.error and "sign not match" in attempt.error


def test_two_workers_never_send_the_same_delivery(crew: Crew, robot: Robot) -> None:
    crew.hook(crew.cast.units.t1_station, robot.url)
    case = dispatched(crew)
    pk = robot_delivery(case).pk
    now = timezone.now()
    mine = services._claim(pk, now)
    assert mine is not None
    assert services._claim(pk, now) is None  # a second worker, at the same moment
    assert services.send_due(now=now + timedelta(minutes=1)).sent == 2  # only the e-mails
    # A worker that died holding it loses it once its claim runs out; then it is sent.
    assert services.send_due(now=now + timedelta(minutes=6)).sent == 1
    assert len(robot.received) == 1


def test_e_mails_go_to_each_recipient_once_with_the_message(crew: Crew) -> None:
    case = dispatched(crew)
    services.send_due(now=timezone.now())
    services.send_due(now=timezone.now() + timedelta(hours=1))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "t1_police2@example.org",
        "t1_police@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == f"【派单】{case.code} 邻居占道堆放杂物"
    assert "主办单位：宁州派出所" in message.body
    assert f"http://127.0.0.1:8000/cases/{case.code}/" in message.body


def test_a_robot_switched_off_before_sending_is_not_posted_to(crew: Crew, robot: Robot) -> None:
    crew.hook(crew.cast.units.t1_station, robot.url)
    case = dispatched(crew)
    crew.hook(crew.cast.units.t1_station, robot.url, is_active=False)
    services.send_due(now=timezone.now())
    delivery = robot_delivery(case)
    assert delivery.status == Delivery.Status.CANCELLED
    assert robot.received == []


def test_dingtalk_signed_robots_get_timestamp_and_sign_as_dingtalk_documents(
    crew: Crew, robot: Robot
) -> None:
    secret = "SEC0123456789abcdef"
    crew.hook(crew.cast.units.t1_station, robot.url, kind="dingtalk", secret=secret)
    dispatched(crew)
    services.send_due(now=timezone.now())
    query = parse_qs(urlsplit(robot.received[0].path).query)
    assert query["key"] == ["secret-key"]
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    # DingTalk's check: HMAC-SHA256 of "timestamp\nsecret" keyed with the secret, base64.
    expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    assert sign == base64.b64encode(expected.digest()).decode()
    assert abs(int(timestamp) / 1000 - timezone.now().timestamp()) < 3600
    body = robot.received[0].body
    assert body["msgtype"] == "markdown" and body["markdown"]["title"].startswith("【派单】")


def test_signatures_match_known_values() -> None:
    assert (
        webhooks.dingtalk_sign("SEC123", "1700000000000")
        == "lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ="
    )
    signed = webhooks.target_url(
        "dingtalk",
        "https://oapi.dingtalk.com/robot/send?access_token=T",
        secret="SEC123",
        now=1.7e9,
    )
    assert signed == (
        "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000"
        "&sign=lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ%3D"
    )
    assert webhooks.feishu_sign("SEC123", "1700000000") == (
        "j/tImR0k8vYXRsYw0+GHVQkV1v/J/8obOuMU7PE/KDo="
    )


def test_feishu_and_generic_formats(crew: Crew, robot: Robot) -> None:
    crew.hook(crew.cast.units.t1_station, robot.url, kind="feishu", secret="fs-secret")
    robot.script((200, {"code": 0, "msg": "success"}))
    case = dispatched(crew)
    services.send_due(now=timezone.now())
    body = robot.received[0].body
    assert body["msg_type"] == "text"
    assert body["content"]["text"].startswith(f"【派单】{case.code}")
    key = f"{body['timestamp']}\nfs-secret".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert robot_delivery(case).status == Delivery.Status.SENT

    generic = webhooks.payload(
        "generic",
        webhooks.Message("dispatch", "【派单】X", ["事项：X"], "http://h/cases/X/", "X"),
        now=0,
    )
    assert generic == {
        "event": "dispatch",
        "case": "X",
        "subject": "【派单】X",
        "text": "【派单】X\n事项：X\n查看事项：http://h/cases/X/",
        "lines": ["事项：X"],
        "link": "http://h/cases/X/",
    }


def test_an_unreachable_robot_is_a_logged_failure_not_a_crash(crew: Crew) -> None:
    crew.hook(crew.cast.units.t1_station, "http://127.0.0.1:9/closed")
    case = dispatched(crew)
    report = services.send_due(now=timezone.now())
    assert report.retrying == 1
    attempt = robot_delivery(case).tries.get()
    assert not attempt.ok and attempt.status_code is None and "连接失败" in attempt.error


@pytest.mark.parametrize("status", [Delivery.Status.SENT, Delivery.Status.FAILED])
def test_finished_deliveries_are_never_picked_up(crew: Crew, status: str) -> None:
    dispatched(crew)
    Delivery.objects.update(status=status)
    assert services.send_due(now=timezone.now() + timedelta(days=1)).sent == 0
    assert mail.outbox == []
    assert Notification.objects.filter(event=Event.DISPATCH).count() == 1
