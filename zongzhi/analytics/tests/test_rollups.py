"""The rollups equal the cases: every figure read from them equals the same figure counted
from the cases by `indicators.records`, and an incremental refresh leaves exactly the rows

a rebuild from scratch would.

Two ways of making the cases:
- Fast, many examples: random Case rows inserted directly (tests/case_rows.py), with
  consistent fields, registered on random days (at the edges of the day too) across the
  cast's places, categories, channels and units; then random changes (status, lead unit,
  category, merges) written straight to the rows with a new updated_at, as a step would.
- Slow, few examples: random cases walked through the real services by the people who
  would take each step, with refreshes at random points in between.
"""

import contextlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zongzhi.accounts.rules import Role
from zongzhi.analytics import indicators, rollups
from zongzhi.analytics.models import COUNTERS, AreaDayTotal, CaseFact, CaseRollup
from zongzhi.analytics.tests import case_rows
from zongzhi.analytics.tests.case_rows import DAY0
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.cases.rules import OPEN, Status
from zongzhi.cases.tests.factories import category, new_case, registered
from zongzhi.conftest import Cast, make_user
from zongzhi.core.errors import Refused

# `make test` runs this on SQLite too (-m sqlite): the rollups are rebuilt in SQL.
pytestmark = pytest.mark.sqlite

SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
DAYS = 40  # cases are registered over this many days from DAY0


def cells() -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The rollup's cells by key. A key appears at most once, and a cell is never empty:
    one that the last case left is dropped, as a rebuild would never have made it."""
    found: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for row in CaseRollup.objects.all():
        key = (row.day, row.region_id, row.region_prefix, row.category_id, row.channel, row.unit_id)
        assert key not in found, f"two rollup rows for {key}"
        counts = tuple(getattr(row, c) for c in COUNTERS)
        assert all(n >= 0 for n in counts), f"a negative count in {key}: {counts}"
        assert row.received > 0, f"an empty cell left behind: {key}"
        found[key] = counts
    # Each area's daily totals are the sums of the cells within it, and never empty.
    areas: dict[tuple[Any, ...], list[int]] = {}
    for (day, _, prefix, *_), counts in found.items():
        for depth in (2, 4, 6, 9):  # province, city, county, township
            if len(prefix) >= depth:
                total = areas.setdefault(("area", depth, prefix[:depth], day), [0] * len(counts))
                areas[("area", depth, prefix[:depth], day)] = [
                    a + b for a, b in zip(total, counts, strict=True)
                ]
    stored = {
        ("area", t.depth, t.area, t.day): [getattr(t, c) for c in COUNTERS]
        for t in AreaDayTotal.objects.all()
    }
    assert stored == areas
    found.update({key: tuple(counts) for key, counts in areas.items()})
    return found


def counted_from_the_cases(prefix: str, start: date, end: date) -> dict[str, int]:
    """Every counter, counted case by case through the records behind each indicator."""
    counts: dict[str, int] = {}
    for code, indicator in indicators.INDICATORS.items():
        if indicator.source != "rollup":
            continue
        parts = [("numerator", indicator.numerator)]
        if indicator.denominator is not None:
            parts.append(("denominator", indicator.denominator))
        for part, counter in parts:
            n = indicators.records(code, prefix, start, end, start, part=part).count()
            assert counts.setdefault(counter, n) == n, f"{code} {part} disagrees on {counter}"
    assert set(counts) == set(COUNTERS)
    return counts


def assert_figures_match(prefix: str, start: date, end: date) -> None:
    sums = indicators.counter_sums(prefix, start, end)
    assert sums == counted_from_the_cases(prefix, start, end), (prefix, start, end)
    # The breakdowns add up to the whole, and a unit's row is that unit's cases.
    for by in ("category", "channel", "unit", "month"):
        groups = indicators.breakdown(prefix, start, end, by)
        for counter in COUNTERS:
            assert sum(g[counter] for g in groups) == sums[counter], (by, counter)
    for group in indicators.breakdown(prefix, start, end, "unit"):
        resolved = indicators.records("resolved", prefix, start, end, start)
        accepted = indicators.records(
            "resolution_rate", prefix, start, end, start, part="denominator"
        )
        assert resolved.filter(lead_unit=group["key"]).count() == group["resolved"]
        assert accepted.filter(lead_unit=group["key"]).count() == group["accepted"]


def assert_refresh_equals_rebuild() -> None:
    incremental = cells()
    facts = sorted(CaseFact.objects.values_list("case_id", flat=True))
    rollups.rebuild_rollups()
    assert cells() == incremental
    assert sorted(CaseFact.objects.values_list("case_id", flat=True)) == facts


def prefixes(cast: Cast) -> list[str]:
    p = cast.places
    return ["", *(r.prefix for r in (p.county, p.t1, p.t2, p.v1, p.v2, p.g1, p.g2, p.b1, p.b2))]


@st.composite
def periods(draw: Any) -> tuple[date, date]:
    start = DAY0 + timedelta(days=draw(st.integers(-2, DAYS)))
    return start, start + timedelta(days=draw(st.integers(0, DAYS)))


# --- Random rows, many examples -----------------------------------------------------------

case_spec = st.tuples(
    st.integers(0, 5),  # place
    st.integers(0, len(case_rows.CATEGORY_CODES) - 1),
    st.sampled_from(case_rows.CHANNELS),
    st.integers(0, DAYS - 1),  # day
    st.sampled_from([0, 1, 9 * 60, 23 * 60 + 59]),  # minute of the day: the edges too
    case_rows.shape(),
    st.integers(0, 4),  # unit
)
change = st.one_of(
    st.tuples(st.just("status"), st.integers(0, 10**6), case_rows.shape(), st.integers(0, 4)),
    st.tuples(st.just("unit"), st.integers(0, 10**6), st.integers(0, 4)),
    st.tuples(st.just("category"), st.integers(0, 10**6), st.integers(0, 4)),
    st.tuples(st.just("merge"), st.integers(0, 10**6), st.integers(0, 10**6)),
)


def test_rollups_equal_the_cases_after_a_rebuild_and_after_random_changes_and_refreshes(
    cast: Cast,
) -> None:
    p = cast.places
    places = [p.g1, p.g2, p.v1, p.v2, p.b1, p.t2]
    cats = case_rows.categories()
    u = cast.units
    units = [u.t1_station, u.t2_station, u.v1_committee, u.v2_committee, u.county_bureau]
    subtrees = prefixes(cast)

    def apply(kind: str, i: int, arg: Any, unit: int, cases: list[Case]) -> None:
        case = Case.objects.get(pk=cases[i % len(cases)].pk)
        match kind:
            case "status":
                case_rows.move(case, arg, units[unit])
            case "unit":
                if case.lead_unit_id is not None:  # only a case with a unit is reassigned
                    case_rows.touch(case.pk, lead_unit=units[arg])
            case "category":
                case_rows.touch(case.pk, category=cats[arg])
            case "merge":
                into = cases[arg % len(cases)]
                if case.status in OPEN and into.pk != case.pk:
                    case_rows.touch(
                        case.pk,
                        status=Status.MERGED,
                        merged_into=into.pk,
                        lead_unit=None,
                        due_on=None,
                    )

    @settings(suppress_health_check=SLOW)
    @given(
        specs=st.lists(case_spec, min_size=1, max_size=25),
        first=st.lists(change, max_size=12),
        second=st.lists(change, max_size=6),
        looks=st.lists(st.tuples(st.sampled_from(subtrees), periods()), min_size=1, max_size=3),
    )
    def check(specs: list[Any], first: list[Any], second: list[Any], looks: list[Any]) -> None:
        with transaction.atomic():
            cases = Case.objects.bulk_create(
                case_rows.build(
                    region=places[place],
                    category=cats[cat],
                    channel=channel,
                    registered_at=case_rows.at(DAY0 + timedelta(days=day), minute),
                    shape=shape,
                    unit=units[unit],
                )
                for place, cat, channel, day, minute, shape, unit in specs
            )
            rollups.rebuild_rollups()
            for prefix, (start, end) in looks:
                assert_figures_match(prefix, start, end)

            # Changes, then a refresh; more changes (some to the same cases), another.
            for batch in (first, second):
                for kind, i, arg, *rest in batch:
                    apply(kind, i, arg, rest[0] if rest else 0, cases)
                rollups.refresh_rollups()
                for prefix, (start, end) in looks:
                    assert_figures_match(prefix, start, end)
            assert_refresh_equals_rebuild()

            # A refresh with nothing changed changes nothing.
            before = cells()
            assert rollups.refresh_rollups() == 0
            assert cells() == before
            transaction.set_rollback(True)

    check()


def test_a_case_changed_twice_between_refreshes_is_counted_once_where_it_is_now(
    cast: Cast,
) -> None:
    cats = case_rows.categories()
    shape = case_rows.Shape(Status.ACCEPTED, accepted_after=0, due_after=10)
    [case] = Case.objects.bulk_create(
        [
            case_rows.build(
                region=cast.places.g1,
                category=cats[0],
                channel=Case.Channel.VISIT,
                registered_at=case_rows.at(DAY0, 600),
                shape=shape,
                unit=None,
            )
        ]
    )
    rollups.refresh_rollups()
    closed = case_rows.Shape(Status.CLOSED, 0, 3, 10, Case.Outcome.MEDIATED, "", with_unit=True)
    case_rows.move(case, closed, cast.units.t1_station)
    case_rows.touch(case.pk, category=cats[1])

    assert rollups.refresh_rollups() == 1
    sums = indicators.counter_sums("", DAY0, DAY0)
    assert sums["received"] == 1
    assert sums["accepted"] == 1
    assert sums["resolved"] == 1
    by_category = {
        g["key"]: g["received"] for g in indicators.breakdown("", DAY0, DAY0, "category")
    }
    assert by_category == {cats[1].pk: 1}
    by_unit = {g["key"]: g["closed"] for g in indicators.breakdown("", DAY0, DAY0, "unit")}
    assert by_unit == {cast.units.t1_station.pk: 1}
    # Read again (the overlap re-reads recent changes): still once.
    assert rollups.refresh_rollups() == 0
    assert indicators.counter_sums("", DAY0, DAY0)["received"] == 1


def test_a_case_registered_just_before_midnight_counts_on_that_day_in_local_time(
    cast: Cast,
) -> None:
    cats = case_rows.categories()
    Case.objects.bulk_create(
        [
            case_rows.build(
                region=cast.places.g1,
                category=cats[0],
                channel=Case.Channel.VISIT,
                registered_at=case_rows.at(DAY0, minute),
                shape=case_rows.Shape(Status.REGISTERED, due_after=1),
                unit=None,
            )
            for minute in (0, 23 * 60 + 59)
        ]
    )
    rollups.rebuild_rollups()
    # 00:00 and 23:59 Beijing time are both DAY0, though one is the day before in UTC.
    assert indicators.counter_sums("", DAY0, DAY0)["received"] == 2
    assert indicators.counter_sums("", DAY0 - timedelta(days=1), DAY0 - timedelta(days=1)) == {
        c: 0 for c in COUNTERS
    }
    assert indicators.records("received", "", DAY0, DAY0, DAY0).count() == 2


# --- Through the services, few examples ---------------------------------------------------

REFUSALS = (Refused, PermissionDenied, ValidationError)
STEPS = (
    "accept",
    "reject",
    "dispatch",
    "start",
    "close",
    "visit",
    "visit_unsatisfied",
    "archive",
    "transfer",
    "return",
    "merge",
    "refresh",
)


@pytest.mark.django_db
def test_rollups_equal_the_cases_walked_through_the_services_with_refreshes_in_between(
    cast: Cast,
) -> None:
    roles = cast.by_role
    u = cast.units
    t2_handler = make_user("t2_police", Role.UNIT_HANDLER, unit=u.t2_station)
    # Who works where: the centre's people of each township, and each unit's handler.
    intake = {cast.places.t1.pk: roles[Role.INTAKE_OFFICER], cast.places.t2.pk: cast.outsider}
    units_of = {
        cast.places.t1.pk: [u.t1_station, u.v1_committee],
        cast.places.t2.pk: [u.t2_station],
    }
    handler_of = {
        u.t1_station.pk: roles[Role.UNIT_HANDLER],
        u.v1_committee.pk: roles[Role.MEDIATOR],
        u.t2_station.pk: t2_handler,
    }
    places = [cast.places.g1, cast.places.b1, cast.places.v1, cast.places.g2]
    cats = ["LLJF01", "LZJF01", "HYJT01"]

    def take(step: str, case: Case, other: Case, data: st.DataObject) -> None:
        centre = intake[case.centre_id]
        units = units_of[case.centre_id]
        handler = handler_of.get(case.lead_unit_id or 0, roles[Role.UNIT_HANDLER])
        s = services
        match step:
            case "accept":
                s.case_accept(by=centre, case=case)
            case "reject":
                s.case_reject(by=centre, case=case, reason="不属于受理范围", notice="当面告知")
            case "dispatch":
                lead = data.draw(st.sampled_from(units), label="lead")
                s.case_dispatch(by=centre, case=case, lead_unit=lead)
            case "transfer":
                lead = data.draw(st.sampled_from(units), label="lead")
                s.case_transfer(by=centre, case=case, lead_unit=lead, note="转其他单位办理")
            case "start":
                s.case_start(by=handler, case=case)
            case "return":
                s.case_return(by=handler, case=case, reason="不属于本单位职责")
            case "close":
                outcome = data.draw(st.sampled_from(Case.Outcome.values), label="outcome")
                s.case_close(by=handler, case=case, outcome=outcome, note="已办结")
            case "visit":
                satisfaction = data.draw(st.sampled_from(["satisfied", "basically"]))
                s.case_visit(by=centre, case=case, satisfaction=satisfaction)
            case "visit_unsatisfied":
                s.case_visit(by=centre, case=case, satisfaction="unsatisfied", note="问题未解决")
            case "archive":
                s.case_archive(by=centre, case=case)
            case "merge":
                s.case_merge(by=centre, case=case, into=other)

    @settings(suppress_health_check=SLOW)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        with transaction.atomic():
            cases = []
            for n in range(data.draw(st.integers(2, 5), label="cases")):
                place = data.draw(st.sampled_from(places), label=f"place {n}")
                cases.append(
                    registered(
                        cast,
                        region=place,
                        category=category(data.draw(st.sampled_from(cats), label="category")),
                        channel=data.draw(st.sampled_from(case_rows.CHANNELS), label="channel"),
                    )
                    if place.prefix.startswith(cast.places.t1.prefix)
                    else services.case_register(
                        by=cast.outsider,
                        new=new_case(region=place),
                    )
                )
            for _ in range(data.draw(st.integers(5, 25), label="steps")):
                step = data.draw(st.sampled_from(STEPS), label="step")
                if step == "refresh":
                    rollups.refresh_rollups()
                    continue
                which = data.draw(st.integers(0, len(cases) - 1), label="case")
                case = Case.objects.get(pk=cases[which].pk)
                other = Case.objects.get(pk=cases[(which + 1) % len(cases)].pk)
                with contextlib.suppress(*REFUSALS):  # a step refused leaves the case as it was
                    take(step, case, other, data)
            rollups.refresh_rollups()
            today = timezone.localdate()
            for prefix in prefixes(cast):
                assert_figures_match(prefix, today, today)
            assert_refresh_equals_rebuild()
            transaction.set_rollback(True)

    check()
