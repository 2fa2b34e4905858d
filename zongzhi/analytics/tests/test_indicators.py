"""The indicators: rates to two places rounded half up, "—" where there is nothing to
divide, the seeds' own figures (3,099 disputes, 3,057 resolved: 98.64%), and the records
behind each figure.

The 3,099 cases are Case rows inserted directly (tests/case_rows.py): this module is about
counting only."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from zongzhi.accounts.rules import Role
from zongzhi.analytics import indicators, rollups
from zongzhi.analytics.indicators import INDICATORS, Figure, rate
from zongzhi.analytics.models import COUNTERS
from zongzhi.analytics.tests import case_rows
from zongzhi.analytics.tests.case_rows import DAY0
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast

# `make test` runs this on SQLite too (-m sqlite): aggregates and date arithmetic in SQL.
pytestmark = pytest.mark.sqlite


# --- Rates ----------------------------------------------------------------------------


def test_the_seeds_resolution_rate_is_98_64() -> None:
    assert rate(3057, 3099) == Decimal("98.64")


@given(st.integers(0, 10**9))
def test_nothing_to_divide_is_no_rate_at_all_not_zero(numerator: int) -> None:
    assert rate(numerator, 0) is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 800, "0.13"),  # 0.125: half up, not to the even 0.12
        (3, 800, "0.38"),  # 0.375
        (5, 800, "0.63"),  # 0.625: half up, not to the even 0.62
        (1, 3, "33.33"),
        (2, 3, "66.67"),
        (0, 7, "0.00"),
        (7, 7, "100.00"),
    ],
)
def test_rates_are_rounded_half_up_to_two_places(
    numerator: int, denominator: int, expected: str
) -> None:
    assert str(rate(numerator, denominator)) == expected


@given(st.integers(1, 10**7).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d))))
def test_a_rate_is_the_exact_fraction_rounded_half_up(pair: tuple[int, int]) -> None:
    numerator, denominator = pair
    exact = Fraction(numerator * 100, denominator)
    # Half up on the exact value: floor(x * 100 + 1/2) / 100.
    hundredths = (exact * 100 + Fraction(1, 2)).__floor__()
    expected = (Decimal(hundredths) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    value = rate(numerator, denominator)
    assert value == expected
    assert Decimal(0) <= value <= Decimal(100)  # type: ignore[operator]
    assert value.as_tuple().exponent == -2  # type: ignore[union-attr]


def test_a_figure_shows_a_rate_with_a_percent_sign_a_count_bare_and_nothing_as_a_dash() -> None:
    resolution = INDICATORS["resolution_rate"]
    assert Figure(resolution, 3057, 3099, rate(3057, 3099)).display == "98.64%"
    assert Figure(resolution, 0, 0, rate(0, 0)).display == "—"
    assert Figure(INDICATORS["received"], 3099, None, 3099).display == "3099"
    assert Figure(INDICATORS["received"], 0, None, 0).display == "0"


def test_every_indicator_counts_with_counters_the_rollups_keep() -> None:
    for indicator in INDICATORS.values():
        assert indicator.name and indicator.formula
        if indicator.source == "rollup":
            assert indicator.numerator in COUNTERS
            assert indicator.denominator is None or indicator.denominator in COUNTERS
    assert set(indicators.COUNTER_Q) == set(COUNTERS)
    # The four rates the reports quote, by their Chinese names.
    names = {i.name for i in INDICATORS.values() if i.is_rate}
    assert {"化解率", "办结率", "按期办结率", "满意率"} <= names


# --- The seeds' figures, everywhere they are read ----------------------------------------


def seeds_county(cast: Cast) -> None:
    """3,099 disputes received over a month in township T1, all accepted and closed;
    3,057 settled, 42 not (referred to court or arbitration). Another 10 in T2."""
    cats = case_rows.categories()
    settled = case_rows.Shape(Status.CLOSED, 0, 5, 15, Case.Outcome.MEDIATED, with_unit=True)
    referred = case_rows.Shape(Status.CLOSED, 0, 5, 15, Case.Outcome.NOT_MEDIATED, with_unit=True)
    places = [cast.places.g1, cast.places.v1, cast.places.b1]
    Case.objects.bulk_create(
        [
            case_rows.build(
                region=places[n % 3],
                category=cats[n % len(cats)],
                channel=case_rows.CHANNELS[n % len(case_rows.CHANNELS)],
                registered_at=case_rows.at(DAY0 + timedelta(days=n % 31), (n * 7) % 1440),
                shape=settled if n < 3057 else referred,
                unit=cast.units.t1_station,
            )
            for n in range(3099)
        ]
        + [
            case_rows.build(
                region=cast.places.g2,
                category=cats[0],
                channel=Case.Channel.VISIT,
                registered_at=case_rows.at(DAY0, 600),
                shape=referred,
                unit=cast.units.t2_station,
            )
            for _ in range(10)
        ],
        batch_size=500,
    )
    rollups.rebuild_rollups()


def test_3099_disputes_of_which_3057_resolved_show_98_64_percent(
    cast: Cast, django_assert_num_queries: pytest.FixtureRequest
) -> None:
    seeds_county(cast)
    end = DAY0 + timedelta(days=30)
    t1 = cast.places.t1.prefix
    with django_assert_num_queries(2):  # type: ignore[operator]
        figures = indicators.figures(t1, DAY0, end, end)
    assert figures["received"].display == "3099"
    assert figures["resolved"].display == "3057"
    assert figures["resolution_rate"].display == "98.64%"
    assert figures["closure_rate"].display == "100.00%"
    # Nobody has been visited yet: no satisfaction rate, not 0%.
    assert figures["satisfaction_rate"].display == "—"
    # The records behind the figure are the very 3,057 and 3,099.
    assert indicators.records("resolution_rate", t1, DAY0, end, end).count() == 3057
    denominator = indicators.records("resolution_rate", t1, DAY0, end, end, part="denominator")
    assert denominator.count() == 3099
    # The month breakdown says the same; the county adds T2's ten unresolved.
    [january] = indicators.breakdown(t1, DAY0, end, "month")
    assert rate(january["resolved"], january["accepted"]) == Decimal("98.64")
    county = indicators.figures(cast.places.county.prefix, DAY0, end, end)
    assert county["received"].value == 3109
    assert county["resolution_rate"].display == f"{rate(3057, 3109)}%"


# --- Records behind figures, and live figures ---------------------------------------------


def test_overdue_is_counted_live_from_open_cases_past_their_deadline(cast: Cast) -> None:
    late = case_in(cast, Status.ACCEPTED)
    Case.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    case_in(cast, Status.ACCEPTED)  # not yet due
    today = timezone.localdate()
    figures = indicators.figures(cast.places.t1.prefix, today, today, today)
    assert figures["overdue"].value == 1
    assert list(indicators.records("overdue", cast.places.t1.prefix, today, today, today)) == [late]
    assert indicators.figures(cast.places.t2.prefix, today, today, today)["overdue"].value == 0


def test_a_merged_duplicate_is_not_counted_twice(cast: Cast) -> None:
    case_in(cast, Status.MERGED)  # two registered, one merged into the other
    rollups.refresh_rollups()
    today = timezone.localdate()
    assert indicators.figures("", today, today, today)["received"].value == 1
    assert indicators.records("received", "", today, today, today).count() == 1


def test_a_case_closed_after_its_deadline_does_not_count_as_closed_on_time(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    # The deadline passed while it was being handled.
    Case.objects.filter(pk=case.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    services.case_close(
        by=cast.by_role[Role.UNIT_HANDLER],
        case=Case.objects.get(pk=case.pk),
        outcome=Case.Outcome.MEDIATED,
        note="双方达成一致",
    )
    rollups.refresh_rollups()
    today = timezone.localdate()
    figures = indicators.figures("", today, today, today)
    assert figures["closed"].value == 1
    assert figures["on_time_rate"].display == "0.00%"
