"""The visit schedule through the services: each level's interval, a change of level,
missed visits and their escalation to the supervisors."""

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.timezone import get_current_timezone

from zongzhi.care import rules, selectors, services
from zongzhi.care.models import CareAlert, CareAssessment, CareEvent, CareFile
from zongzhi.care.rules import PROGRAMMES, Programme
from zongzhi.care.tests.conftest import CareCast, open_file

Kind = CareAlert.Kind


def identity(serial: int, born: str = "19800115") -> str:
    """A valid number of 华宁县, distinct per `serial` (the care fixture's file uses 123)."""
    assert serial != 123
    return rules.with_check_digit(f"530424{born}{serial:03d}")


def enrol(care: CareCast, prog: Programme, level: str, serial: int, **overrides: Any) -> CareFile:
    """A file of `prog` in V1, led by the V1 care worker: an adult's, or a child's (born
    2015) for the children's programmes; a guardian is always given."""
    values: dict[str, Any] = {
        "programme": prog.code,
        "level": level,
        "level_reasons": [prog.level_reasons[0][0]],
        "identity_number": identity(serial, "20150607" if prog.for_minors else "19800115"),
    }
    values.update(overrides)
    return open_file(care.worker, care.cast.places.v1, **values)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=get_current_timezone())


def levels(prog: Programme, today: date) -> list[str]:
    return [rule.code for rule in prog.rules_on(today).levels]


# --- The schedule for each level and a change of level ------------------------------------


@pytest.mark.parametrize("prog", PROGRAMMES.values(), ids=lambda p: p.code)
def test_each_level_sets_the_interval_from_the_last_visit(care: CareCast, prog: Programme) -> None:
    today = timezone.localdate()
    current = prog.rules_on(today)
    enrolled = today - timedelta(days=1)
    for serial, level in enumerate(levels(prog, today), start=1):
        f = enrol(care, prog, level, serial, enrolled_on=enrolled)
        # The first visit is owed within the programme's deadline after enrolment.
        assert f.next_visit_due == enrolled + timedelta(days=current.first_visit_days), level
        assert CareAssessment.objects.get(file=f).next_visit_due == f.next_visit_due
        services.care_file_record_visit(
            by=care.worker, file=f, visited_on=enrolled, method="home", seen="在家，情况平稳"
        )
        f.refresh_from_db()
        assert f.last_visit_on == enrolled
        assert f.next_visit_due == enrolled + timedelta(days=current.every_days(level)), level
        # A later visit moves the date on; an earlier one recorded late does not move it back.
        services.care_file_record_visit(
            by=care.worker, file=f, visited_on=today, method="phone", seen="电话随访"
        )
        services.care_file_record_visit(
            by=care.worker, file=f, visited_on=enrolled, method="phone", seen="补录"
        )
        f.refresh_from_db()
        assert f.next_visit_due == today + timedelta(days=current.every_days(level)), level


def test_raising_the_level_shortens_the_interval_and_lowering_lengthens_it(
    care: CareCast,
) -> None:
    today = timezone.localdate()
    prog = rules.MENTAL_HEALTH
    f = enrol(care, prog, "0", 1, enrolled_on=today - timedelta(days=60))
    visited = today - timedelta(days=2)
    services.care_file_record_visit(
        by=care.worker, file=f, visited_on=visited, method="home", seen="稳定"
    )
    f.refresh_from_db()
    assert f.next_visit_due == visited + timedelta(days=90)

    services.care_file_assess(
        by=care.worker, file=f, level="2", reasons=["relapse"], note="近期失眠"
    )
    f.refresh_from_db()
    assert (f.level, f.next_visit_due) == ("2", visited + timedelta(days=30))
    latest = CareAssessment.objects.filter(file=f).first()
    assert latest is not None
    assert (latest.level, latest.rules_version, latest.next_visit_due) == (
        "2",
        prog.rules_on(today).version,
        f.next_visit_due,
    )

    services.care_file_assess(by=care.worker, file=f, level="0", reasons=["stable_treatment"])
    f.refresh_from_db()
    assert f.next_visit_due == visited + timedelta(days=90)
    events = CareEvent.objects.filter(file=f, kind=CareEvent.Kind.ASSESS)
    assert [e.data["to"] for e in events] == ["2", "0"]


def test_a_raised_level_whose_date_has_passed_is_due_today(care: CareCast) -> None:
    today = timezone.localdate()
    prog = rules.COMMUNITY_CORRECTIONS
    f = enrol(care, prog, "low", 1, enrolled_on=today - timedelta(days=30))
    visited = today - timedelta(days=10)
    services.care_file_record_visit(
        by=care.worker, file=f, visited_on=visited, method="home", seen="在家"
    )
    f.refresh_from_db()
    assert f.next_visit_due == visited + timedelta(days=30)
    assert f not in selectors.visits_due(care.worker, today)

    services.care_file_assess(by=care.worker, file=f, level="medium", reasons=["no_job"])
    f.refresh_from_db()
    # visited + 7 lies three days back: due today, not "three days late".
    assert f.next_visit_due == today
    assert not f.is_overdue(today)
    assert f in selectors.visits_due(care.worker, today)
    counts = selectors.home_counts(care.worker, today)
    assert counts is not None and (counts.due_today, counts.overdue) == (1, 0)


def test_a_level_outside_the_programme_is_refused_and_changes_nothing(care: CareCast) -> None:
    before = care.file.next_visit_due
    with pytest.raises(ValidationError) as refused:
        services.care_file_assess(by=care.worker, file=care.file, level="high", reasons=["relapse"])
    assert "level" in refused.value.message_dict
    care.file.refresh_from_db()
    assert (care.file.level, care.file.next_visit_due) == ("2", before)
    assert CareAssessment.objects.filter(file=care.file).count() == 1


# --- Missed-visit alerts and escalation ---------------------------------------------------


def overdue_file(care: CareCast, prog: Programme, serial: int, due_back: int) -> CareFile:
    """A file of `prog` at its mildest level whose next visit fell due `due_back` days ago."""
    today = timezone.localdate()
    level = levels(prog, today)[-1]
    interval = prog.rules_on(today).every_days(level)
    visited = today - timedelta(days=due_back + interval)
    f = enrol(care, prog, level, serial, enrolled_on=visited - timedelta(days=5))
    services.care_file_record_visit(
        by=care.worker, file=f, visited_on=visited, method="home", seen="在家"
    )
    f.refresh_from_db()
    assert f.next_visit_due == today - timedelta(days=due_back)
    return f


def test_a_missed_visit_alerts_the_team_then_the_supervisors_of_the_place(
    care: CareCast,
) -> None:
    prog = rules.MENTAL_HEALTH
    f = overdue_file(care, prog, 1, due_back=10)
    due = f.next_visit_due
    assert due is not None

    # The day after the due date: the team is told, once.
    result = services.sweep_care(now=noon(due + timedelta(days=1)))
    assert (result.missed, result.escalated) == (1, 0)
    missed = CareAlert.objects.get(file=f)
    assert (missed.kind, missed.for_date, missed.to_supervisors) == (Kind.VISIT_MISSED, due, False)
    assert missed.region_prefix == f.region_prefix
    assert CareEvent.objects.filter(file=f, kind=CareEvent.Kind.VISIT_MISSED).count() == 1
    again = services.sweep_care(now=noon(due + timedelta(days=1)))
    assert (again.missed, again.escalated) == (0, 0)
    assert CareAlert.objects.filter(file=f).count() == 1
    assert not selectors.escalated_alerts(care.supervisor).exists()

    # The last day of grace: still only the team's.
    grace = prog.escalate_after_days
    assert services.sweep_care(now=noon(due + timedelta(days=grace))).escalated == 0
    # The day after: the supervisors of the place are told too, once.
    result = services.sweep_care(now=noon(due + timedelta(days=grace + 1)))
    assert (result.missed, result.escalated) == (0, 1)
    assert services.sweep_care(now=noon(due + timedelta(days=grace + 2))).escalated == 0
    escalated = CareAlert.objects.get(file=f, kind=Kind.VISIT_ESCALATED)
    assert escalated.to_supervisors and escalated.for_date == due
    assert CareEvent.objects.filter(file=f, kind=CareEvent.Kind.VISIT_ESCALATED).count() == 1

    assert list(selectors.escalated_alerts(care.supervisor)) == [escalated]
    assert list(selectors.escalated_alerts(care.county_supervisor)) == [escalated]
    assert not selectors.escalated_alerts(care.supervisor2).exists()
    assert not selectors.escalated_alerts(care.worker).exists()  # not a supervisor

    today = timezone.localdate()
    mine = selectors.home_counts(care.worker, today)
    assert mine is not None and mine.overdue == 1 and mine.escalated is None
    assert list(selectors.visits_due(care.worker, today)) == [f]  # the fixture file is not due
    theirs = selectors.home_counts(care.supervisor, today)
    assert theirs is not None and theirs.escalated == 1
    other = selectors.home_counts(care.supervisor2, today)
    assert other is not None and other.escalated == 0

    # The visit, made at last, clears both alerts.
    services.care_file_record_visit(
        by=care.worker, file=f, visited_on=today, method="home", seen="已走访"
    )
    assert not CareAlert.objects.filter(file=f, cleared_at__isnull=True).exists()
    assert not selectors.escalated_alerts(care.supervisor).exists()
    cleared = selectors.home_counts(care.worker, today)
    assert cleared is not None and cleared.overdue == 0
    assert services.sweep_care(now=timezone.now()).missed == 0


@pytest.mark.parametrize("prog", PROGRAMMES.values(), ids=lambda p: p.code)
def test_each_programme_escalates_after_its_own_grace_days(care: CareCast, prog: Programme) -> None:
    f = overdue_file(care, prog, 2, due_back=20)
    due = f.next_visit_due
    assert due is not None
    services.sweep_care(now=noon(due + timedelta(days=prog.escalate_after_days)))
    assert list(CareAlert.objects.filter(file=f).values_list("kind", flat=True)) == [
        Kind.VISIT_MISSED
    ]
    services.sweep_care(now=noon(due + timedelta(days=prog.escalate_after_days + 1)))
    assert CareAlert.objects.filter(file=f, kind=Kind.VISIT_ESCALATED).count() == 1
    # A child's file goes to the township's supervisor, not to the county's.
    assert selectors.escalated_alerts(care.supervisor).filter(file=f).exists()
    county_sees = selectors.escalated_alerts(care.county_supervisor).filter(file=f).exists()
    assert county_sees is not prog.for_minors


def test_a_new_due_date_missed_again_raises_a_new_alert(care: CareCast) -> None:
    prog = rules.RESETTLEMENT
    f = overdue_file(care, prog, 3, due_back=40)
    first_due = f.next_visit_due
    assert first_due is not None
    services.sweep_care(now=noon(first_due + timedelta(days=1)))
    # Visited late; then the next date (a month on) was missed as well.
    services.care_file_record_visit(
        by=care.worker, file=f, visited_on=first_due + timedelta(days=2), method="home", seen="在家"
    )
    f.refresh_from_db()
    assert f.next_visit_due is not None and f.next_visit_due < timezone.localdate()
    assert services.sweep_care(now=noon(f.next_visit_due + timedelta(days=1))).missed == 1
    open_alerts = CareAlert.objects.filter(file=f, cleared_at__isnull=True)
    assert [a.for_date for a in open_alerts] == [f.next_visit_due]


def test_a_closed_file_raises_no_alert_and_closing_clears_them(care: CareCast) -> None:
    f = overdue_file(care, rules.HOMELESS_ASSISTANCE, 4, due_back=5)
    services.sweep_care(now=timezone.now())
    assert CareAlert.objects.filter(file=f, cleared_at__isnull=True).count() == 2
    services.care_file_close(by=care.worker, file=f, reason="returned_home")
    assert not CareAlert.objects.filter(file=f, cleared_at__isnull=True).exists()
    result = services.sweep_care(now=timezone.now() + timedelta(days=30))
    assert not CareAlert.objects.filter(file=f, cleared_at__isnull=True).exists()
    assert result.missed == 1  # the fixture's open file, now late too; not the closed one
