"""The review-overdue warning: the sweep, its command, and the count for the home page."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast, make_user
from zongzhi.hazards import selectors, services
from zongzhi.hazards.models import Hazard, HazardEvent
from zongzhi.hazards.rules import Status, Step
from zongzhi.hazards.tests.factories import hazard_in, registered


def warnings(hazard: Hazard) -> list[HazardEvent]:
    return list(HazardEvent.objects.filter(hazard=hazard, step=Step.REVIEW_OVERDUE))


def test_a_missed_review_is_warned_once_however_often_the_sweep_runs(cast: Cast) -> None:
    hazard = registered(cast)
    assert hazard.next_review_on is not None
    later = hazard.next_review_on + timedelta(days=1)
    assert services.sweep_hazard_reviews(hazard.next_review_on) == 0  # due today: not late
    assert services.sweep_hazard_reviews(later) == 1
    assert services.sweep_hazard_reviews(later) == 0
    assert services.sweep_hazard_reviews(later + timedelta(days=5)) == 0
    [warning] = warnings(hazard)
    assert warning.for_review_on == hazard.next_review_on
    assert warning.actor_name == "系统"
    assert warning.data["unit"] == "宁州派出所"
    assert f"应于{hazard.next_review_on:%Y-%m-%d}复查" in warning.note
    hazard.refresh_from_db()
    assert hazard.status == Status.CONTROLLED  # a warning, not a change of status


def test_each_missed_date_is_warned_again_after_a_review_sets_the_next(cast: Cast) -> None:
    hazard = registered(cast)
    today = timezone.localdate()
    Hazard.objects.filter(pk=hazard.pk).update(next_review_on=today - timedelta(days=2))
    assert services.sweep_hazard_reviews(today) == 1
    services.hazard_review(
        by=cast.by_role[Role.GRID_WORKER], hazard=hazard, finding="已复查", level="medium"
    )
    assert services.sweep_hazard_reviews(today) == 0  # reviewed: nothing owed now
    assert hazard.next_review_on is not None
    assert services.sweep_hazard_reviews(hazard.next_review_on + timedelta(days=1)) == 1
    assert [w.for_review_on for w in warnings(hazard)] == [
        today - timedelta(days=2),
        hazard.next_review_on,
    ]


def test_closed_hazards_are_never_warned(cast: Cast) -> None:
    for status in (Status.RESOLVED, Status.ELIMINATED, Status.ESCALATED):
        hazard_in(cast, status)
    assert services.sweep_hazard_reviews(timezone.localdate() + timedelta(days=365)) == 0
    assert not HazardEvent.objects.filter(step=Step.REVIEW_OVERDUE).exists()


def test_the_command_says_how_many_were_warned(cast: Cast) -> None:
    registered(cast)
    registered(cast, level="major", level_reasons="群体性")
    out = StringIO()
    day = (timezone.localdate() + timedelta(days=8)).isoformat()  # past a major's 7 days
    call_command("sweep_hazard_reviews", "--today", day, stdout=out)
    assert out.getvalue().strip() == "复查逾期提醒 1 件"
    out = StringIO()
    call_command("sweep_hazard_reviews", "--today", day, stdout=out)
    assert out.getvalue().strip() == "复查逾期提醒 0 件"


def test_the_overdue_count_covers_what_the_user_keeps(cast: Cast) -> None:
    today = timezone.localdate()
    late = registered(cast)
    registered(cast)  # not yet due
    elsewhere = registered(
        cast,
        by=cast.outsider,
        region=cast.places.g2,
        responsible_unit=cast.units.t2_station,
    )
    closed = hazard_in(cast, Status.RESOLVED)
    Hazard.objects.filter(pk__in=[late.pk, elsewhere.pk]).update(
        next_review_on=today - timedelta(days=1)
    )
    assert closed.next_review_on is None
    county_hr = make_user("county_hr", Role.UNIT_HANDLER, unit=cast.units.county_bureau)
    expected = {
        cast.by_role[Role.INTAKE_OFFICER]: 1,
        cast.by_role[Role.GRID_WORKER]: 1,
        cast.by_role[Role.UNIT_HANDLER]: 1,
        cast.by_role[Role.LEADER]: 0,  # reads the register, does not review
        cast.by_role[Role.CARE_WORKER]: 0,
        county_hr: 0,
        cast.outsider: 1,
    }
    for user, count in expected.items():
        assert selectors.review_overdue_count(user, today) == count, user
