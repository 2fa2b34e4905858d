"""What 更正 moves besides the fields corrected: a new category chooses the deadline policy
again, as registration chooses it, and counts the running clock again; a new place keeps
the map point only when the point lies inside it.

Dates are counted by hand on the 2026 schedule (January has no holiday after New Year's
Day): working-day periods do not count their first day."""

import contextlib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, CaseEvent, ClockPause, DeadlinePolicy
from zongzhi.cases.rules import OPEN, Status, Step
from zongzhi.cases.tests.factories import case_in, category, registered
from zongzhi.conftest import Cast, rows, square
from zongzhi.core.errors import Refused
from zongzhi.regions.models import Region
from zongzhi.regions.services import import_divisions
from zongzhi.regions.sources import DivisionRow

SHANGHAI = ZoneInfo("Asia/Shanghai")
GENERAL, WAGES = "一般事项", "劳资纠纷/欠薪"  # 3/15 and 2/10 working days (cases.seed)
NEIGHBOURS, UNPAID_WAGES, PROPERTY = "LLJF01", "LZJF01", "FCWY01"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 10, tzinfo=SHANGHAI)  # a Monday

    def set(self, day: date) -> None:
        self.now = datetime.combine(day, time(10), SHANGHAI)

    def forward(self, days: int) -> None:
        self.now += timedelta(days=days)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def _last(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).order_by("-pk").first()  # type: ignore[return-value]


def _terms(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.policy_id,
        case.counting,
        case.accept_days,
        case.handle_days,
        case.warn_days,
        case.due_on,
    )


# --- The deadline ------------------------------------------------------------------------


def test_a_corrected_category_while_waiting_for_acceptance_counts_the_acceptance_limit_again(
    cast: Cast, clock: Clock
) -> None:
    case = registered(cast)  # Mon 5 Jan: 3 working days to accept → Thu 8 Jan
    assert (case.policy.name, case.due_on) == (GENERAL, date(2026, 1, 8))  # type: ignore[union-attr]
    clock.set(date(2026, 1, 6))
    services.case_correct(
        by=cast.by_role[Role.INTAKE_OFFICER],
        case=case,
        changes={"category": category(UNPAID_WAGES)},
    )
    case.refresh_from_db()
    # 2 working days from registration (not from the correction): Wed 7 Jan.
    assert case.policy is not None and case.policy.name == WAGES
    assert (case.accept_days, case.handle_days, case.due_on) == (2, 10, date(2026, 1, 7))
    event = _last(case)
    assert event.data["from_policy"] == GENERAL and event.data["policy"] == WAGES
    assert (event.data["from_due_on"], event.data["due_on"]) == ("2026-01-08", "2026-01-07")

    # Accepting afterwards counts the new handling limit: 10 working days from Thu 8 Jan.
    clock.set(date(2026, 1, 8))
    services.case_accept(by=cast.by_role[Role.INTAKE_OFFICER], case=case)
    assert case.due_on == date(2026, 1, 22)


def test_a_corrected_category_counts_the_handling_limit_from_acceptance_extensions_and_pauses(
    cast: Cast, clock: Clock
) -> None:
    intake, handler = cast.by_role[Role.INTAKE_OFFICER], cast.by_role[Role.UNIT_HANDLER]
    case = case_in(cast, Status.IN_PROGRESS)  # accepted Mon 5 Jan: 15 working days → Mon 26 Jan
    assert case.due_on == date(2026, 1, 26)
    services.case_request_extension(by=handler, case=case, days=5, reason="需要现场勘验")
    services.case_grant_extension(by=cast.by_role[Role.LEADER], case=case)
    assert case.due_on == date(2026, 2, 2)  # 5 working days after Mon 26 Jan
    clock.set(date(2026, 1, 7))
    services.case_pause(
        by=handler, case=case, reason=ClockPause.Reason.APPRAISAL, until=date(2026, 1, 20)
    )
    clock.set(date(2026, 1, 9))  # Wed 7 → Fri 9: 2 working days paused
    services.case_resume(by=handler, case=case)
    assert case.due_on == date(2026, 2, 4)
    clock.set(date(2026, 1, 12))
    services.case_pause(
        by=handler, case=case, reason=ClockPause.Reason.HEARING, until=date(2026, 1, 30)
    )

    clock.set(date(2026, 1, 14))
    services.case_correct(by=intake, case=case, changes={"category": category(UNPAID_WAGES)})
    case.refresh_from_db()
    # 10 working days from the acceptance (Mon 5 Jan): Mon 19 Jan; the extension's 5: Mon
    # 26 Jan; the ended pause's 2: Wed 28 Jan. The running pause moves it when it ends.
    assert case.due_on == date(2026, 1, 28)
    assert case.paused_since == date(2026, 1, 12)
    event = _last(case)
    assert event.step == Step.CORRECT
    assert (event.data["from_due_on"], event.data["due_on"]) == ("2026-02-04", "2026-01-28")
    page = cast.client_for(intake).get(f"/cases/{case.code}/").content.decode()
    assert f"时限规则：{GENERAL} → {WAGES}" in page
    assert "期限：2026-02-04 → 2026-01-28" in page

    clock.set(date(2026, 1, 16))  # Mon 12 → Fri 16: 4 working days
    services.case_resume(by=handler, case=case)
    assert case.due_on == date(2026, 2, 3)


def test_after_a_dissatisfied_return_visit_the_handling_clock_counts_from_the_visit(
    cast: Cast, clock: Clock
) -> None:
    intake = cast.by_role[Role.INTAKE_OFFICER]
    case = case_in(cast, Status.CLOSED)
    clock.set(date(2026, 1, 12))
    services.case_visit(
        by=intake, case=case, satisfaction=Case.Satisfaction.UNSATISFIED, note="未解决"
    )
    assert case.due_on == date(2026, 2, 2)  # 15 working days after Mon 12 Jan
    services.case_correct(by=intake, case=case, changes={"category": category(UNPAID_WAGES)})
    case.refresh_from_db()
    assert case.due_on == date(2026, 1, 26)  # 10 working days after Mon 12 Jan


@pytest.mark.parametrize(
    ("overrides", "policy"),
    [
        ({"channel": Case.Channel.PETITION}, "信访事项（信访工作条例）"),
        ({"threat_of_violence": True}, "紧急事项（暴力或自伤倾向）"),
    ],
)
def test_a_category_that_does_not_choose_the_policy_leaves_the_deadline_as_it_was(
    cast: Cast, clock: Clock, overrides: dict[str, Any], policy: str
) -> None:
    # A petition is timed by the regulation and an urgent case as urgent, whatever it is
    # about: registration would choose the same policy under the new category.
    case = case_in(cast, Status.ACCEPTED, **overrides)
    before = _terms(case)
    assert case.policy is not None and case.policy.name == policy
    services.case_correct(
        by=cast.by_role[Role.INTAKE_OFFICER],
        case=case,
        changes={"category": category(UNPAID_WAGES)},
    )
    assert _terms(case) == before
    assert "due_on" not in _last(case).data and "policy" not in _last(case).data


def test_a_review_keeps_the_regulations_answer_days_under_a_new_category(
    cast: Cast, clock: Clock
) -> None:
    intake = cast.by_role[Role.INTAKE_OFFICER]
    policy = DeadlinePolicy.objects.create(
        name="劳资信访",
        channel=Case.Channel.PETITION,
        category=category(UNPAID_WAGES).parent,
        counting="calendar_days",
        accept_days=10,
        handle_days=45,
        warn_days=3,
    )
    original = case_in(cast, Status.CLOSED, channel=Case.Channel.PETITION)
    services.case_visit(by=intake, case=original, satisfaction=Case.Satisfaction.SATISFIED)
    review = registered(
        cast,
        channel=Case.Channel.PETITION,
        petition_stage=Case.PetitionStage.REVIEW,
        review_of=original,
    )
    services.case_correct(by=intake, case=review, changes={"category": category(UNPAID_WAGES)})
    review.refresh_from_db()
    assert (review.policy_id, review.accept_days, review.handle_days) == (policy.pk, 10, 30)


# The twin property: a case corrected to category B has the terms and deadline of a twin
# registered under B and walked through the same steps on the same days, and corrected back
# to A those of a twin registered under A — however the corrections fall among
# acceptances, dispatches, returns, extensions, pauses (resumed by hand or by the sweep)
# and dissatisfied return visits.

WALK_STEPS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4),  # days forward before the step
        st.sampled_from(
            [
                "advance",  # 受理, 派单 or 签收, whichever is next
                "advance",
                "advance",
                "advance",
                "advance",
                "extend",
                "extend",
                "pause",
                "pause",
                "resume",
                "sweep",
                "return",
                "close",
                "reopen",
                "correct",  # to the other category, when the case is open
                "correct",
            ]
        ),
        st.integers(min_value=1, max_value=12),  # the step's number: days asked or paused
    ),
    min_size=8,
    max_size=30,
)


def _walker(cast: Cast, clock: Clock) -> Callable[[Case, str, int], None]:
    intake, handler = cast.by_role[Role.INTAKE_OFFICER], cast.by_role[Role.UNIT_HANDLER]
    leader = cast.by_role[Role.LEADER]
    advance: dict[str, Callable[[Case], Any]] = {
        Status.REGISTERED: lambda c: services.case_accept(by=intake, case=c),
        Status.ACCEPTED: lambda c: services.case_dispatch(
            by=intake, case=c, lead_unit=cast.units.t1_station
        ),
        Status.DISPATCHED: lambda c: services.case_start(by=handler, case=c),
    }
    steps: dict[str, Callable[[Case, int], Any]] = {
        "advance": lambda c, n: advance.get(c.status, lambda c: None)(c),
        "extend": lambda c, n: (
            services.case_request_extension(by=handler, case=c, days=n, reason="需要时间"),
            services.case_grant_extension(by=leader, case=c, applicant_told_by="电话告知"),
        ),
        "pause": lambda c, n: services.case_pause(
            by=handler,
            case=c,
            reason=ClockPause.Reason.APPRAISAL,
            until=timezone.localdate() + timedelta(days=n),
        ),
        "resume": lambda c, n: services.case_resume(by=handler, case=c),
        "sweep": lambda c, n: services.sweep_deadlines(),
        "return": lambda c, n: services.case_return(by=handler, case=c, reason="不属本单位"),
        "close": lambda c, n: services.case_close(
            by=handler, case=c, outcome=Case.Outcome.HANDLED, note="已处理"
        ),
        "reopen": lambda c, n: services.case_visit(
            by=intake, case=c, satisfaction=Case.Satisfaction.UNSATISFIED, note="未解决"
        ),
    }

    def take(case: Case, step: str, n: int) -> None:
        # A step not possible now is refused alike for both twins, whose statuses are alike.
        with contextlib.suppress(Refused, ValidationError):
            steps[step](case, n)

    return take


@pytest.fixture
def calendar_day_policy(cast: Cast) -> DeadlinePolicy:
    """A policy counting calendar days, for the third category: a correction may change
    how the days are counted, not only how many."""
    return DeadlinePolicy.objects.create(
        name="物业服务（自然日）",
        category=category(PROPERTY),
        counting="calendar_days",
        accept_days=5,
        handle_days=20,
        warn_days=3,
    )


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # The category registered under, and the one it is corrected to (and back from).
    categories=st.permutations([NEIGHBOURS, UNPAID_WAGES, PROPERTY]),
    # A petition's or an urgent case's policy does not follow the category: rarer here.
    channel=st.sampled_from(
        [Case.Channel.VISIT, Case.Channel.VISIT, Case.Channel.HOTLINE, Case.Channel.PETITION]
    ),
    urgent=st.sampled_from([False, False, False, True]),
    walk=WALK_STEPS,
)
def test_a_corrected_case_keeps_time_as_if_registered_under_its_new_category(
    cast: Cast,
    clock: Clock,
    calendar_day_policy: DeadlinePolicy,
    categories: list[str],
    channel: str,
    urgent: bool,
    walk: list[tuple[int, str, int]],
) -> None:
    clock.set(date(2026, 1, 5))
    take = _walker(cast, clock)
    common = {"channel": channel, "threat_of_violence": urgent}
    first, second = categories[:2]
    twins = {code: registered(cast, category=category(code), **common) for code in (first, second)}
    corrected = registered(cast, category=category(first), **common)
    now = first
    for days, step, n in [*walk, (0, "correct", 0)]:
        clock.forward(days)
        if step == "correct":
            corrected.refresh_from_db()
            if corrected.status not in OPEN:
                continue
            now = second if now == first else first
            services.case_correct(
                by=cast.by_role[Role.INTAKE_OFFICER],
                case=corrected,
                changes={"category": category(now)},
            )
            moved = corrected.events.filter(step=Step.GRANT_EXTENSION).count() + (
                corrected.pauses.filter(ended_on__isnull=False).count()
            )
            event(f"corrected when {corrected.status}, moved {min(moved, 2)}+ times")
        else:
            for case in (corrected, *twins.values()):
                take(case, step, n)
        assert _terms(corrected) == _terms(twins[now]), (step, walk)


# --- The map point -----------------------------------------------------------------------

V3, G3 = "530424001002", "530424001002001"  # a second village of T1, with its grid


@pytest.fixture
def second_village(cast: Cast) -> tuple[Region, Region]:
    import_divisions(
        by=SYSTEM,
        rows=[
            *rows((V3, "宁阳社区", "village", cast.places.t1.code)),
            DivisionRow(40, G3, "宁阳社区第1网格", "grid", V3, boundary=square(102.92, 24.2)),
        ],
    )
    return Region.objects.get(code=V3), Region.objects.get(code=G3)


# The grids' squares (conftest.square: 0.01° a side): G1 in V1, G3 in V3.
SQUARES = {"530424001001001": (102.9, 24.2), G3: (102.92, 24.2)}


def _inside(code: str, lng: float, lat: float) -> bool:
    x, y = SQUARES[code]
    return x <= lng <= x + 0.01 and y <= lat <= y + 0.01


def test_a_corrected_place_clears_a_map_point_that_lies_in_another_village(
    cast: Cast, second_village: tuple[Region, Region]
) -> None:
    village, _grid = second_village
    intake = cast.by_role[Role.INTAKE_OFFICER]
    case = registered(cast, region=cast.places.v1, lng=102.905, lat=24.205)
    assert case.region == cast.places.g1  # registration placed the point in its grid
    services.case_correct(by=intake, case=case, changes={"region": village}, note="实为宁阳社区")
    case.refresh_from_db()
    assert (case.lng, case.lat) == (None, None)
    event = _last(case)
    assert event.data["point"] == {"lng": 102.905, "lat": 24.205, "kept": False}
    page = cast.client_for(intake).get(f"/cases/{case.code}/").content.decode()
    assert "地图位置：不在更正后的发生地内，已清除" in page


def test_a_corrected_place_that_holds_the_map_point_keeps_it(cast: Cast) -> None:
    case = registered(cast, region=cast.places.v1, lng=102.905, lat=24.205)
    services.case_correct(
        by=cast.by_role[Role.INTAKE_OFFICER], case=case, changes={"region": cast.places.v1}
    )
    case.refresh_from_db()
    assert (case.lng, case.lat) == (102.905, 24.205)
    assert _last(case).data["point"]["kept"] is True


def test_a_corrected_place_of_a_case_without_a_point_says_nothing_of_one(cast: Cast) -> None:
    case = registered(cast)
    services.case_correct(
        by=cast.by_role[Role.INTAKE_OFFICER], case=case, changes={"region": cast.places.v1}
    )
    assert "point" not in _last(case).data


POINTS = st.tuples(
    st.floats(min_value=102.895, max_value=102.935), st.floats(min_value=24.195, max_value=24.215)
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(point=POINTS, to=st.sampled_from(["v1", "g1", "v3", "g3", "t1"]))
def test_a_corrected_place_keeps_the_map_point_exactly_when_the_point_lies_inside_it(
    cast: Cast, second_village: tuple[Region, Region], point: tuple[float, float], to: str
) -> None:
    lng, lat = point
    village, grid = second_village
    places = {"v1": cast.places.v1, "g1": cast.places.g1, "v3": village, "g3": grid}
    target = places.get(to, cast.places.t1)
    case = registered(cast, region=cast.places.t1, lng=lng, lat=lat)
    assume(case.region != target)  # else nothing to correct
    services.case_correct(
        by=cast.by_role[Role.INTAKE_OFFICER], case=case, changes={"region": target}
    )
    case.refresh_from_db()
    # The oracle: the squares' arithmetic, not the lookup the service uses.
    within = [
        g.code
        for g in Region.objects.filter(code__in=SQUARES)
        if g.prefix.startswith(target.prefix)
    ]
    inside = any(_inside(code, lng, lat) for code in within)
    assert (case.lng is not None) == inside
    if inside:
        assert (case.lng, case.lat) == (lng, lat)
    assert _last(case).data["point"] == {"lng": lng, "lat": lat, "kept": inside}
