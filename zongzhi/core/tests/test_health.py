"""/healthz tells an outside monitor, without signing in, whether the database answers and
the background work is alive; administrators see the same on the 系统状态 page with the
recent task failures, and nobody else does."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from zongzhi.accounts.rules import Role
from zongzhi.cases.tasks import sweep_deadlines
from zongzhi.conftest import Cast, make_user
from zongzhi.core.heartbeats import SCHEDULER, WORKER, beat


def all_alive(*, worker_age: timedelta = timedelta(0)) -> None:
    now = timezone.now()
    beat(WORKER, instance="w1", started_at=now, now=now - worker_age)
    beat(SCHEDULER, instance="host:1", started_at=now, now=now)
    sweep_deadlines.enqueue()  # the test settings run it at once; it beats when it completes


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers_and_every_heartbeat_is_fresh(
    django_assert_num_queries: Any,
) -> None:
    all_alive()
    with django_assert_num_queries(1):
        response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"database", "worker", "scheduler", "deadline_sweep"}
    assert all(check["ok"] for check in body.values())
    assert body["deadline_sweep"]["age_seconds"] < 60  # the sweep that just ran
    # States and ages only, and no session is started for a monitor's probe.
    assert set(body["worker"]) == {"ok", "age_seconds"}
    assert "Set-Cookie" not in response.headers
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_worker_stopped_beating(settings: Any) -> None:
    settings.ZONGZHI_HEALTH_HEARTBEATS = {**settings.ZONGZHI_HEALTH_HEARTBEATS, "worker": 90}
    all_alive(worker_age=timedelta(minutes=5))
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["worker"] == {"ok": False, "age_seconds": 300}
    assert body["scheduler"]["ok"] and body["database"]["ok"]


@pytest.mark.django_db
def test_healthz_is_503_when_no_sweep_has_ever_completed() -> None:
    now = timezone.now()
    beat(WORKER, instance="w1", started_at=now, now=now)
    beat(SCHEDULER, instance="host:1", started_at=now, now=now)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["deadline_sweep"] == {"ok": False, "age_seconds": None}


@pytest.mark.django_db
def test_healthz_is_503_not_500_when_the_database_is_down() -> None:
    all_alive()

    def down(*args: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(down):
        response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "age_seconds": None}


def failed_task(last_line: str) -> None:
    DBTaskResult.objects.create(
        task_path="zongzhi.notifications.tasks.send_due",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="builtins.ValueError",
        traceback=f'Traceback (most recent call last):\n  File "x.py", line 1\n{last_line}\n',
    )


def test_administrators_see_the_checks_and_recent_failures_without_personal_data(
    cast: Cast,
) -> None:
    all_alive()
    failed_task("ValueError: 张三 13812345678 110101199003070011 zhang@example.cn 无法送达")
    county_admin = make_user("county_admin", Role.ADMINISTRATOR, region=cast.places.county)
    response = cast.client_for(county_admin).get("/system/status/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "一切正常" in page
    assert 'data-check="worker"' in page
    assert "zongzhi.notifications.tasks.send_due" in page
    assert "无法送达" in page
    for personal in ("13812345678", "110101199003070011", "zhang@example.cn"):
        assert personal not in page


# The cast's administrator is a township's: the servers' health is the county's to watch.
@pytest.mark.parametrize("role", list(Role))
def test_nobody_but_a_countys_administrator_opens_the_status_page(cast: Cast, role: Role) -> None:
    response = cast.client_for(cast.by_role[role]).get("/system/status/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_status_page_asks_a_stranger_to_sign_in() -> None:
    response = Client().get("/system/status/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]
