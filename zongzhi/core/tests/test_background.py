"""Background work that survives: the worker and the scheduler wait out a database outage
instead of exiting, a task whose worker died is taken up again after its lease, the
administrators hear once of a stale heartbeat, and old task results are pruned."""

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet, get_date_max

from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast
from zongzhi.core import reconnect
from zongzhi.core.health import alert_stale
from zongzhi.core.heartbeats import WORKER, beat
from zongzhi.core.leases import prune, recover_lost_tasks, release_own
from zongzhi.core.management.commands.run_worker import ResilientWorker
from zongzhi.core.models import HealthAlert, PeriodicRun

DROPPED = "server closed the connection unexpectedly"


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between reconnection tries, instead of sleeping them; the test database's
    connection is kept (closing it would lose the test's transaction)."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        assert len(slept) < 100, "waiting for ever"

    monkeypatch.setattr(reconnect.time, "sleep", sleep)
    monkeypatch.setattr(reconnect, "close_connections", lambda: None)
    return slept


def task_row(*, status: str = "READY", started: timedelta | None = None, **fields: Any) -> Any:
    now = timezone.now()
    return DBTaskResult.objects.create(
        task_path="zongzhi.core.tasks.hold",
        args_kwargs={"args": [0], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status=status,
        started_at=None if started is None else now - started,
        **fields,
    )


def test_a_loop_waits_out_a_database_outage_doubling_its_wait_up_to_30_seconds(
    waits: list[float], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    answers = iter([False] * 6 + [True])
    monkeypatch.setattr(reconnect, "database_answers", lambda: next(answers))
    calls = []

    def step() -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError(DROPPED)
        return False

    with caplog.at_level(logging.WARNING):
        reconnect.keep_running(step, log=logging.getLogger("test"))
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    assert len(calls) == 2  # carried on after the outage instead of exiting
    # Each try logged once, and the recovery.
    assert len([r for r in caplog.records if "unavailable: try" in r.message]) == 7
    assert any("answers again after 7 tries" in r.message for r in caplog.records)


@pytest.mark.django_db
def test_the_worker_survives_a_dropped_connection_and_runs_the_task_afterwards(
    waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    row = task_row()
    original = DBTaskResultQuerySet.get_locked
    dropped = []

    def get_locked(self: DBTaskResultQuerySet) -> Any:
        if not dropped:
            dropped.append(1)
            raise OperationalError(DROPPED)  # PostgreSQL restarted under the worker
        return original(self)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", get_locked)
    # The library drops a connection that is not in autocommit mode, as the test's own
    # transaction is not: that would lose the test's data on PostgreSQL.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    worker = ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )
    worker.run()  # the library's own Worker.run would raise here
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    # One reconnection wait (the library's own idle waits are of --interval, 0 here).
    assert [w for w in waits if w] == [1.0]


@pytest.mark.django_db
def test_a_task_whose_worker_died_goes_back_to_the_queue_after_its_lease() -> None:
    now = timezone.now()
    beat(WORKER, instance="alive", started_at=now, now=now)
    dead = task_row(status="RUNNING", started=timedelta(minutes=10), worker_ids=["dead"])
    long_on_live = task_row(status="RUNNING", started=timedelta(minutes=10), worker_ids=["alive"])
    young = task_row(status="RUNNING", started=timedelta(minutes=1), worker_ids=["dead"])
    lost_thrice = task_row(
        status="RUNNING", started=timedelta(minutes=10), worker_ids=["x", "y", "dead"]
    )
    assert recover_lost_tasks(now=now) == {str(dead.pk): "READY", str(lost_thrice.pk): "FAILED"}
    statuses = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert statuses[long_on_live.pk] == "RUNNING"
    assert statuses[young.pk] == "RUNNING"
    # Back in the queue: the next worker claims it like any other.
    assert DBTaskResult.objects.ready().filter(pk=dead.pk).exists()
    failed = DBTaskResult.objects.get(pk=lost_thrice.pk)
    assert "WorkerLost" in failed.traceback
    assert failed.finished_at is not None


@pytest.mark.django_db
def test_after_an_outage_a_worker_gives_back_at_once_the_task_it_was_running() -> None:
    mine = task_row(status="RUNNING", started=timedelta(seconds=5), worker_ids=["w1"])
    theirs = task_row(status="RUNNING", started=timedelta(seconds=5), worker_ids=["w2"])
    assert release_own("w1", now=timezone.now()) == {str(mine.pk): "READY"}
    assert DBTaskResult.objects.get(pk=theirs.pk).status == "RUNNING"


@pytest.mark.django_db
def test_administrators_are_mailed_once_per_stale_episode(cast: Cast) -> None:
    admin = cast.by_role[Role.ADMINISTRATOR]
    admin.email = "admin@example.cn"
    admin.save(update_fields=["email"])
    cast.by_role[Role.LEADER].email = "leader@example.cn"
    cast.by_role[Role.LEADER].save(update_fields=["email"])
    now = timezone.now()
    long_ago = now - timedelta(days=1)
    beat(WORKER, instance="w1", started_at=long_ago, now=now - timedelta(minutes=10))

    assert alert_stale([WORKER], watching_since=long_ago, now=now) == [WORKER]
    assert alert_stale([WORKER], watching_since=long_ago, now=now + timedelta(minutes=1)) == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin@example.cn"]
    assert "worker" in mail.outbox[0].body

    # The worker comes back: the episode ends; when it stops again, a new mail.
    beat(WORKER, instance="w1", started_at=long_ago, now=now + timedelta(minutes=2))
    assert alert_stale([WORKER], watching_since=long_ago, now=now + timedelta(minutes=2)) == []
    assert not HealthAlert.objects.exists()
    later = now + timedelta(minutes=20)
    assert alert_stale([WORKER], watching_since=long_ago, now=later) == [WORKER]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_watcher_just_started_does_not_call_a_process_that_is_still_starting_dead() -> None:
    now = timezone.now()
    assert alert_stale([WORKER], watching_since=now - timedelta(seconds=10), now=now) == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_finished_task_results_older_than_the_retention_are_pruned(
    settings: Any,
) -> None:
    settings.ZONGZHI_TASK_RESULTS_DAYS = 14
    now = timezone.now()
    old = task_row(status="SUCCESSFUL", finished_at=now - timedelta(days=15))
    old_failure = task_row(status="FAILED", finished_at=now - timedelta(days=15))
    recent = task_row(status="FAILED", finished_at=now - timedelta(days=13))
    waiting = task_row()  # never finished: never pruned, however old
    PeriodicRun.objects.create(name="x", period_start=now - timedelta(days=20), enqueued_at=now)
    assert prune(now=now)["task_results"] == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk}
    assert old.pk not in left and old_failure.pk not in left
    assert not PeriodicRun.objects.exists()
