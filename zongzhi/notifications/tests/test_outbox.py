"""What a case step leaves in the outbox: the right people and units, nobody else, in the
step's own transaction, at a cost that does not grow with the recipients."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.models import User
from zongzhi.accounts.rules import Role
from zongzhi.cases import services as cases
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.services import steps
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import make_user
from zongzhi.notifications import services
from zongzhi.notifications.models import Delivery, Notification
from zongzhi.notifications.rules import Event
from zongzhi.notifications.tests.conftest import Clock, Crew

# `make test` runs this on SQLite too (-m sqlite): row locks, which SQLite lacks.
pytestmark = pytest.mark.sqlite


def told(case: Case, event: Event) -> tuple[set[str], set[str]]:
    """(usernames e-mailed, unit names whose robot is posted to) for the case's `event`."""
    deliveries = Delivery.objects.filter(notification__case=case, notification__event=event)
    people = {d.user.username for d in deliveries.select_related("user") if d.user}
    units = {d.webhook.unit.name for d in deliveries.select_related("webhook__unit") if d.webhook}
    return people, units


@pytest.fixture
def robots(crew: Crew) -> Crew:
    u = crew.cast.units
    for unit in (u.t1_station, u.t2_station, u.v1_committee, u.county_bureau, crew.centre_unit):
        crew.hook(unit, f"http://127.0.0.1:9/{unit.pk}")
    return crew


def test_a_dispatch_reaches_the_lead_and_co_units_people_and_robots_and_nobody_else(
    robots: Crew,
) -> None:
    crew = robots
    case = case_in(crew.cast, Status.ACCEPTED)
    cases.case_dispatch(
        by=crew.intake,
        case=case,
        lead_unit=crew.cast.units.t1_station,
        co_units=[crew.cast.units.v1_committee],
    )
    people, units = told(case, Event.DISPATCH)
    assert people == {"t1_police", "t1_police2", "v1_mediator"}
    assert units == {"宁州派出所", "右所社区调委会"}
    notification = Notification.objects.get(case=case, event=Event.DISPATCH)
    assert notification.subject == f"【派单】{case.code} {case.title}"
    assert "主办单位：宁州派出所" in notification.text
    assert "协办单位：右所社区调委会" in notification.text
    assert notification.link.endswith(f"/cases/{case.code}/")
    # Addresses are the people's own; every delivery waits to be sent, none sent yet.
    emails = Delivery.objects.filter(notification=notification, channel="email")
    assert {d.address for d in emails} == {
        "t1_police@example.org",
        "t1_police2@example.org",
        "v1_mediator@example.org",
    }
    assert all(d.status == Delivery.Status.PENDING and d.attempts == 0 for d in emails)


def test_a_transfer_reaches_the_new_lead_unit_not_the_one_it_left(robots: Crew) -> None:
    crew = robots
    case = case_in(crew.cast, Status.IN_PROGRESS)
    cases.case_transfer(
        by=crew.intake, case=case, lead_unit=crew.cast.units.v1_committee, note="属村内纠纷"
    )
    people, units = told(case, Event.TRANSFER)
    assert people == {"v1_mediator"}
    assert units == {"右所社区调委会"}
    text = Notification.objects.get(case=case, event=Event.TRANSFER).text
    assert "由宁州派出所转至右所社区调委会" in text
    assert "转办说明：属村内纠纷" in text


def test_a_whistle_reaches_each_summoned_unit_only(robots: Crew) -> None:
    crew = robots
    case = case_in(crew.cast, Status.IN_PROGRESS)
    cases.case_whistle(
        by=crew.intake, case=case, units=[crew.cast.units.county_bureau], reason="涉及欠薪"
    )
    people, units = told(case, Event.WHISTLE)
    assert people == {"county_hr"}
    assert units == {"华宁县人社局"}
    assert "吹哨事由：涉及欠薪" in Notification.objects.get(case=case, event=Event.WHISTLE).text


def test_a_leaders_supervision_reaches_the_lead_unit_or_before_dispatch_the_centre(
    robots: Crew,
) -> None:
    crew = robots
    with_unit = case_in(crew.cast, Status.IN_PROGRESS)
    cases.case_supervise(by=crew.leader, case=with_unit, text="请三日内反馈进展")
    assert told(with_unit, Event.SUPERVISE) == ({"t1_police", "t1_police2"}, {"宁州派出所"})
    text = Notification.objects.get(case=with_unit, event=Event.SUPERVISE).text
    assert "督办要求：请三日内反馈进展" in text and "反馈期限：" in text

    at_centre = case_in(crew.cast, Status.ACCEPTED)
    cases.case_supervise(by=crew.leader, case=at_centre, text="尽快派单")
    # The intake officer held at the centre's own region; not the one in a village below.
    assert told(at_centre, Event.SUPERVISE) == ({"t1_intake"}, {"宁州街道综治中心"})


def test_the_sweep_warns_the_holder_and_raises_overdue_to_the_lead_unit_and_leaders(
    robots: Crew, clock: Clock
) -> None:
    crew = robots
    with_unit = case_in(crew.cast, Status.IN_PROGRESS)
    at_centre = case_in(crew.cast, Status.ACCEPTED)
    assert with_unit.due_on == at_centre.due_on == date(2026, 3, 23)

    clock.set(date(2026, 3, 20))
    cases.sweep_deadlines(today=date(2026, 3, 20))
    assert told(with_unit, Event.WARN) == ({"t1_police", "t1_police2"}, {"宁州派出所"})
    assert told(at_centre, Event.WARN) == ({"t1_intake"}, {"宁州街道综治中心"})
    assert (
        "办理期限：2026年3月23日" in Notification.objects.get(case=with_unit, event=Event.WARN).text
    )

    clock.set(date(2026, 3, 24))
    cases.sweep_deadlines(today=date(2026, 3, 24))
    assert told(with_unit, Event.OVERDUE) == (
        {"t1_police", "t1_police2", "t1_leader"},
        {"宁州派出所"},
    )
    assert told(at_centre, Event.OVERDUE) == ({"t1_intake", "t1_leader"}, {"宁州街道综治中心"})
    assert not Notification.objects.filter(event=Event.SUPERVISE).exists()

    # The sweep run again raises nothing new, so nobody is told twice.
    before = Delivery.objects.count()
    cases.sweep_deadlines(today=date(2026, 3, 24))
    assert Delivery.objects.count() == before


def test_steps_that_are_not_events_notify_nobody(robots: Crew) -> None:
    case_in(robots.cast, Status.ARCHIVED)  # register … dispatch … archive
    assert set(Notification.objects.values_list("event", flat=True)) == {Event.DISPATCH}


def test_people_receive_only_the_events_they_chose(robots: Crew) -> None:
    crew = robots
    services.preferences_save(by=crew.handler2, receive=[Event.WARN, Event.OVERDUE])
    case = case_in(crew.cast, Status.DISPATCHED)
    assert told(case, Event.DISPATCH)[0] == {"t1_police"}
    services.preferences_save(by=crew.handler2, receive=[str(e) for e in Event])
    cases.case_supervise(by=crew.leader, case=case, text="加快办理")
    assert told(case, Event.SUPERVISE)[0] == {"t1_police", "t1_police2"}


def test_nobody_without_an_address_and_no_robot_that_does_not_push_the_event(
    robots: Crew,
) -> None:
    crew = robots
    crew.handler2.email = ""
    crew.handler2.save()
    crew.hook(crew.cast.units.t1_station, "http://127.0.0.1:9/x", events=[Event.WARN])
    case = case_in(crew.cast, Status.DISPATCHED)
    assert told(case, Event.DISPATCH) == ({"t1_police"}, set())


def test_the_robot_of_a_unit_switched_off_is_not_posted_to(robots: Crew) -> None:
    crew = robots
    crew.hook(crew.cast.units.t1_station, "http://127.0.0.1:9/x", is_active=False)
    case = case_in(crew.cast, Status.DISPATCHED)
    assert told(case, Event.DISPATCH)[1] == set()


def test_a_refused_step_leaves_no_notification(robots: Crew) -> None:
    crew = robots
    case = case_in(crew.cast, Status.ACCEPTED)
    with pytest.raises(ValidationError):
        # Outside the township's centre: refused.
        cases.case_dispatch(by=crew.intake, case=case, lead_unit=crew.cast.units.t2_station)
    assert not Notification.objects.exists() and not Delivery.objects.exists()


def test_the_outbox_rows_roll_back_with_the_step_and_nothing_is_enqueued(
    robots: Crew, django_capture_on_commit_callbacks: object
) -> None:
    crew = robots
    case = case_in(crew.cast, Status.ACCEPTED)
    capture = django_capture_on_commit_callbacks  # type: ignore[operator]
    with capture() as callbacks, transaction.atomic():
        cases.case_dispatch(by=crew.intake, case=case, lead_unit=crew.cast.units.t1_station)
        assert Delivery.objects.count() == 3  # written with the step …
        transaction.set_rollback(True)  # … and gone when it is undone
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert callbacks == []
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_a_committed_step_enqueues_sending(
    robots: Crew, django_capture_on_commit_callbacks: object
) -> None:
    crew = robots
    case = case_in(crew.cast, Status.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        cases.case_dispatch(by=crew.intake, case=case, lead_unit=crew.cast.units.t1_station)
    assert len(callbacks) == 1
    # The test settings run tasks at once: the e-mails went; the robot (a closed port on
    # this machine) refused and waits for its retry.
    statuses = dict(Delivery.objects.values_list("channel", "status").distinct())
    assert statuses == {"email": Delivery.Status.SENT, "webhook": Delivery.Status.PENDING}


def _dispatch_queries(crew: Crew, monkeypatch: pytest.MonkeyPatch, *, hooked: bool) -> int:
    if not hooked:
        monkeypatch.setattr(steps, "on_case_event", lambda case, event: None)
    case = case_in(crew.cast, Status.ACCEPTED)
    with CaptureQueriesContext(connection) as queries:
        cases.case_dispatch(
            by=crew.intake,
            case=case,
            lead_unit=crew.cast.units.t1_station,
            co_units=[crew.cast.units.v1_committee],
        )
    monkeypatch.undo()
    return len(queries)


def test_the_hook_adds_a_few_queries_to_a_step_however_many_are_told(
    robots: Crew, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew = robots
    bare = _dispatch_queries(crew, monkeypatch, hooked=False)
    few = _dispatch_queries(crew, monkeypatch, hooked=True)
    for i in range(20):
        make_user(f"t1_more{i}", Role.UNIT_HANDLER, unit=crew.cast.units.t1_station)
    User.objects.filter(username__startswith="t1_more").update(email="more@example.org")
    many = _dispatch_queries(crew, monkeypatch, hooked=True)
    assert Delivery.objects.filter(channel="email").count() == 3 + 23
    # The co-units, the people, the robots, the notification, the deliveries.
    assert few - bare == 5
    assert many == few


def test_a_step_that_notifies_nobody_costs_no_query(crew: Crew) -> None:
    case = case_in(crew.cast, Status.DISPATCHED)
    with CaptureQueriesContext(connection) as hooked:
        cases.case_start(by=crew.handler, case=case)
    assert not any("notifications_" in q["sql"] for q in hooked.captured_queries)
    assert case.events.filter(step=Step.START).exists()
