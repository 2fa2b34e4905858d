"""Every indicator, defined once: its Chinese name, its formula, how it is counted and
which records lie behind it. Dashboards, exports, bulletins, scorecards and the API all
read figures from here, so a figure means the same wherever it appears.

Case figures are for a *cohort*: the cases received (registered) in the period, in the
subtree, as they stand now — "of the 3,099 disputes received, 3,057 resolved". They come
from the rollups (zongzhi.analytics.rollups); `records` gives the very cases behind each
figure, filtered by the same conditions. Overdue, hazards and care are counted live: they
change with the date, not with the records.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext, gettext_noop

from zongzhi.analytics.models import AREA_DEPTHS, COUNTERS, AreaDayTotal, CaseRollup
from zongzhi.analytics.rollups import _CLOSED, RESOLVED_OUTCOMES, SATISFIED
from zongzhi.cases import rules as case_rules
from zongzhi.cases.models import Case
from zongzhi.cases.models.case import overdue_q


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    formula: str
    # A rate is numerator ÷ denominator (both counters); a count is the numerator alone.
    numerator: str
    denominator: str | None = None
    # "rollup": summed from the case rollups for the period; "live": counted now.
    source: str = "rollup"

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    # `name` and `formula` stay Chinese: bulletins, exports and the API print them as they
    # are. A page shows them in the reader's language.
    @property
    def label(self) -> str:
        return gettext(self.name)

    @property
    def formula_label(self) -> str:
        return gettext(self.formula)


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "received",
            gettext_noop("受理登记数"),
            gettext_noop("期间登记的事项数（合并的重复事项不重复计）"),
            "received",
        ),
        Indicator(
            "accepted",
            gettext_noop("受理数"),
            gettext_noop("期间登记且已受理的事项数（不含不予受理、待受理）"),
            "accepted",
        ),
        Indicator(
            "rejected",
            gettext_noop("不予受理数"),
            gettext_noop("期间登记、不予受理的事项数"),
            "rejected",
        ),
        Indicator(
            "resolved",
            gettext_noop("化解数"),
            gettext_noop("已办结且结果为调解成功、依法处理或解释说明的事项数"),
            "resolved",
        ),
        Indicator(
            "closed",
            gettext_noop("办结数"),
            gettext_noop("已办结（含待回访、已回访、已归档）的事项数"),
            "closed",
        ),
        Indicator(
            "open", gettext_noop("在办数"), gettext_noop("尚在受理、派单、办理中的事项数"), "open"
        ),
        Indicator(
            "resolution_rate",
            gettext_noop("化解率"),
            gettext_noop("化解数 ÷ 受理数"),
            "resolved",
            "accepted",
        ),
        Indicator(
            "closure_rate",
            gettext_noop("办结率"),
            gettext_noop("办结数 ÷ 受理数"),
            "closed",
            "accepted",
        ),
        Indicator(
            "on_time_rate",
            gettext_noop("按期办结率"),
            gettext_noop("按期办结数 ÷ 办结数"),
            "closed_on_time",
            "closed",
        ),
        Indicator(
            "visit_rate",
            gettext_noop("回访率"),
            gettext_noop("已回访数 ÷ 办结数"),
            "visited",
            "closed",
        ),
        Indicator(
            "satisfaction_rate",
            gettext_noop("满意率"),
            gettext_noop("满意和基本满意数 ÷ 已回访数"),
            "satisfied",
            "visited",
        ),
        Indicator(
            "overdue",
            gettext_noop("超期数"),
            gettext_noop("当前仍在办、已过办理期限且未中止计时的事项数"),
            "overdue",
            source="live",
        ),
    )
}

RATE_PLACES = Decimal("0.01")


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage to two places, rounded half up (3057/3099 → 98.64); None without a
    denominator (nothing to divide: shown as "—", never as 0% or 100%)."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    numerator: int
    denominator: int | None
    value: Decimal | int | None

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.indicator.is_rate:
            return f"{self.value}%"
        return str(self.value)


def _in_scope(
    rows: QuerySet[Any], prefix: str, start: date, end: date, unit: int | None = None
) -> QuerySet[Any]:
    rows = rows.filter(day__gte=start, day__lte=end)
    if unit is not None:
        rows = rows.filter(unit_id=unit)
    return rows.filter(region_prefix__startswith=prefix) if prefix else rows


def _area_totals(prefix: str, start: date, end: date) -> QuerySet[AreaDayTotal] | None:
    """A whole area's days (province, city, county, township; "" is every province), or
    None when the prefix is no such area."""
    if prefix and len(prefix) not in AREA_DEPTHS:
        return None
    rows = AreaDayTotal.objects.filter(day__gte=start, day__lte=end)
    if not prefix:
        return rows.filter(depth=AREA_DEPTHS[0])
    return rows.filter(depth=len(prefix), area=prefix)


def counter_sums(prefix: str, start: date, end: date, *, unit: int | None = None) -> dict[str, int]:
    """The rollup counters summed over a subtree (region prefix; "" is everywhere) and a
    period of registration days, both ends included; with `unit`, only the cases that unit
    leads (主办). One query: over the area's daily totals when the subtree is a whole area,
    else over the rollup's cells."""
    rows: QuerySet[Any] | None = _area_totals(prefix, start, end) if unit is None else None
    if rows is None:
        rows = _in_scope(CaseRollup.objects.all(), prefix, start, end, unit)
    sums = rows.aggregate(**{c: Sum(c) for c in COUNTERS})
    return {c: sums[c] or 0 for c in COUNTERS}


def _overdue(prefix: str, today: date, unit: int | None = None) -> QuerySet[Case]:
    cases = Case.objects.filter(overdue_q(today))
    if unit is not None:
        cases = cases.filter(lead_unit_id=unit)
    return cases.filter(region_prefix__startswith=prefix) if prefix else cases


def overdue_count(prefix: str, today: date, *, unit: int | None = None) -> int:
    return _overdue(prefix, today, unit).count()


def figure(indicator: Indicator, sums: dict[str, int], live: dict[str, int]) -> Figure:
    values = {**sums, **live}
    numerator = values[indicator.numerator]
    if indicator.denominator is None:
        return Figure(indicator, numerator, None, numerator)
    denominator = values[indicator.denominator]
    return Figure(indicator, numerator, denominator, rate(numerator, denominator))


def figures(
    prefix: str, start: date, end: date, today: date, *, unit: int | None = None
) -> dict[str, Figure]:
    """Every case indicator for a subtree and a period (and a lead unit): two queries."""
    sums = counter_sums(prefix, start, end, unit=unit)
    live = {"overdue": overdue_count(prefix, today, unit=unit)}
    return {code: figure(i, sums, live) for code, i in INDICATORS.items()}


def breakdown(prefix: str, start: date, end: date, by: str) -> list[dict[str, Any]]:
    """The counters per category (second level), channel, unit, month or place directly
    below `prefix`: one query. Each row: the group's key and the sums."""
    rows = _in_scope(CaseRollup.objects.all(), prefix, start, end)
    sums = {c: Sum(c) for c in COUNTERS}
    match by:
        case "category" | "channel" | "unit":
            field = {"category": "category_id", "channel": "channel", "unit": "unit_id"}[by]
            grouped = rows.values(field).annotate(**sums).order_by(field)
            return [{"key": r[field], **{c: r[c] or 0 for c in COUNTERS}} for r in grouped]
        case "month":
            from django.db.models.functions import TruncMonth

            totals = _area_totals(prefix, start, end)
            months: QuerySet[Any] = rows if totals is None else totals
            by_month = months.annotate(month=TruncMonth("day")).values("month")
            grouped = by_month.annotate(**sums)
            return [
                {"key": r["month"], **{c: r[c] or 0 for c in COUNTERS}}
                for r in grouped.order_by("month")
            ]
        case _:
            raise ValueError(f"unknown breakdown {by!r}")


def by_place(prefix: str, start: date, end: date, children: Iterable[Any]) -> list[dict[str, Any]]:
    """Each child place's counters for its own subtree (`children`: the places directly
    below `prefix`), in one query per prefix length — children of one place share one."""
    children = list(children)
    sums: dict[str, dict[str, int]] = {}
    for length in sorted({len(c.prefix) for c in children}):
        places: QuerySet[Any]
        if length in AREA_DEPTHS:  # whole areas: their daily totals
            places = AreaDayTotal.objects.filter(
                depth=length,
                area__in=[c.prefix for c in children if len(c.prefix) == length],
                day__gte=start,
                day__lte=end,
            ).annotate(place=F("area"))
        else:
            places = _in_scope(CaseRollup.objects.all(), prefix, start, end).annotate(
                place=Substr("region_prefix", 1, length)
            )
        rows: QuerySet[Any] = (
            places.values("place").annotate(**{c: Sum(c) for c in COUNTERS}).order_by("place")
        )
        for row in rows:
            sums[row["place"]] = {c: row[c] or 0 for c in COUNTERS}
    return [{"key": c, **sums.get(c.prefix, dict.fromkeys(COUNTERS, 0))} for c in children]


# --- The records behind a figure -----------------------------------------------------


def cohort(prefix: str, start: date, end: date, *, unit: int | None = None) -> QuerySet[Case]:
    """The cases a period's figures are about: registered in it, in the subtree, counted
    (a merged duplicate is not), led by `unit` when given."""
    cases = Case.objects.counted().filter(
        registered_at__date__gte=start, registered_at__date__lte=end
    )
    if unit is not None:
        cases = cases.filter(lead_unit_id=unit)
    return cases.filter(region_prefix__startswith=prefix) if prefix else cases


_CLOSED_Q = Q(status__in=list(_CLOSED), closed_on__isnull=False)
COUNTER_Q: dict[str, Q] = {
    "received": Q(),
    "accepted": Q(accepted_on__isnull=False) & ~Q(status=case_rules.Status.REJECTED),
    "rejected": Q(status=case_rules.Status.REJECTED),
    "open": Q(status__in=list(case_rules.OPEN)),
    "closed": _CLOSED_Q,
    "closed_on_time": _CLOSED_Q
    & (Q(closed_due_on__isnull=True) | Q(closed_on__lte=F("closed_due_on"))),
    "resolved": _CLOSED_Q & Q(outcome__in=list(RESOLVED_OUTCOMES)),
    "visited": _CLOSED_Q & ~Q(satisfaction=""),
    "satisfied": _CLOSED_Q & Q(satisfaction__in=list(SATISFIED)),
}


def records(
    code: str,
    prefix: str,
    start: date,
    end: date,
    today: date,
    *,
    part: str = "numerator",
    unit: int | None = None,
) -> QuerySet[Case]:
    """The cases behind a figure: its numerator (or, for a rate, `part="denominator"`),
    by exactly the conditions the rollups count."""
    indicator = INDICATORS[code]
    if indicator.source == "live":
        return _overdue(prefix, today, unit)
    counter = indicator.numerator if part == "numerator" else indicator.denominator
    if counter is None:
        raise ValueError(f"{code} has no denominator")
    return cohort(prefix, start, end, unit=unit).filter(COUNTER_Q[counter])


# --- The registers beside the cases ------------------------------------------------------
# Screening, hazards and care are counted live from their own tables: they are small, and
# what they measure (a report missing, a review or a visit late) changes with the date.

REGISTER_INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "screening_on_time_rate",
            gettext_noop("排查按时上报率"),
            gettext_noop("期间各轮排查中按时上报（含零报告）的报告数 ÷ 应报数"),
            "screening_on_time",
            "screening_expected",
            source="screening",
        ),
        Indicator(
            "screening_missing",
            gettext_noop("排查漏报数"),
            gettext_noop("期间各轮排查中已过截止日期仍未上报的报告数"),
            "screening_missing",
            source="screening",
        ),
        *(
            Indicator(f"hazards_{level}", name, formula, f"hazards_{level}", source="hazards")
            for level, name, formula in (
                (
                    "major",
                    gettext_noop("重大风险隐患"),
                    gettext_noop("当前管控中、风险等级为重大的隐患数"),
                ),
                (
                    "high",
                    gettext_noop("高风险隐患"),
                    gettext_noop("当前管控中、风险等级为高的隐患数"),
                ),
                (
                    "medium",
                    gettext_noop("中风险隐患"),
                    gettext_noop("当前管控中、风险等级为中的隐患数"),
                ),
                (
                    "low",
                    gettext_noop("低风险隐患"),
                    gettext_noop("当前管控中、风险等级为低的隐患数"),
                ),
            )
        ),
        Indicator(
            "care_visits_on_time_rate",
            gettext_noop("特殊人群走访按时率"),
            gettext_noop("在管档案中未逾期走访的档案数 ÷ 在管档案数"),
            "care_on_time",
            "care_open",
            source="care",
        ),
    )
}


def register_counts(prefix: str, start: date, end: date, today: date) -> dict[str, int]:
    """The registers' counts for a subtree: one query each for screening, hazards and care.
    Care is counted, never listed: its files are read only by their teams and supervisors."""
    from django.db.models import Count

    from zongzhi.care.models import CareFile
    from zongzhi.hazards.models import Hazard
    from zongzhi.hazards.rules import OPEN as HAZARD_OPEN
    from zongzhi.screening.models import ScreeningReport
    from zongzhi.screening.rules import ReportState
    from zongzhi.screening.selectors import state_q

    reports = ScreeningReport.objects.filter(
        round__period_start__lte=end, round__period_end__gte=start, region_prefix__startswith=prefix
    ).aggregate(
        expected=Count("pk"),
        on_time=Count("pk", filter=state_q(ReportState.ON_TIME, today)),
        missing=Count("pk", filter=state_q(ReportState.MISSING, today)),
    )
    hazards = Hazard.objects.filter(
        region_prefix__startswith=prefix, status__in=list(HAZARD_OPEN)
    ).aggregate(**{level: Count("pk", filter=Q(level=level)) for level in Hazard.Level.values})
    care = (
        CareFile.objects.open()
        .filter(region_prefix__startswith=prefix)
        .aggregate(open=Count("pk"), on_time=Count("pk", filter=Q(next_visit_due__gte=today)))
    )
    return {
        "screening_expected": reports["expected"],
        "screening_on_time": reports["on_time"],
        "screening_missing": reports["missing"],
        **{f"hazards_{level}": n for level, n in hazards.items()},
        "care_open": care["open"],
        "care_on_time": care["on_time"],
    }


def register_figures(prefix: str, start: date, end: date, today: date) -> dict[str, Figure]:
    counts = register_counts(prefix, start, end, today)
    return {code: figure(i, counts, {}) for code, i in REGISTER_INDICATORS.items()}
