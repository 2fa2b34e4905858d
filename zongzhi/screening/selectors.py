"""Reading screening rounds and reports, always through the reader's scope."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import grants_of, scope_q
from zongzhi.accounts.rules import Action, grants_for_action
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level, ancestor_prefixes
from zongzhi.regions.selectors import scope_roots
from zongzhi.screening.models import ScreeningItem, ScreeningReport, ScreeningRound
from zongzhi.screening.rules import STATE_NAMES, ReportState
from zongzhi.units.models import Unit

REPORT_RELATED = ("round", "region", "unit__region")


def visible_reports(
    user: Actor, action: Action = Action.VIEW_SCREENING
) -> QuerySet[ScreeningReport]:
    """The reports `user` may `action`: a region's reports in their subtree, a unit's
    reports to that unit's people (and to the region holders above it)."""
    return ScreeningReport.objects.filter(
        scope_q(user, action, region_prefix="region_prefix", unit="unit")
    )


def reports_in_period(user: Actor, first: date, last: date) -> QuerySet[ScreeningReport]:
    """The reports the user may read in every round overlapping first..last."""
    return visible_reports(user).filter(round__period_start__lte=last, round__period_end__gte=first)


# --- Report states in the database ------------------------------------------------------


def state_q(state: ReportState, today: date) -> Q:
    """The reports in `state` on `today`: rules.report_state as a filter, so that counts
    are made by the database and agree with the state shown on each row."""
    filed = Q(filed_on__isnull=False)
    match state:
        case ReportState.ON_TIME:
            return filed & Q(is_late=False)
        case ReportState.LATE:
            return filed & Q(is_late=True)
        case ReportState.MISSING:
            return Q(filed_on__isnull=True, due_on__lt=today)
        case ReportState.PENDING:
            return Q(filed_on__isnull=True, due_on__gte=today)


def state_counts(today: date) -> dict[str, Count]:
    """Aggregates: how many reports are expected, and how many in each state."""
    counts = {"expected": Count("pk")}
    counts.update({state.value: Count("pk", filter=state_q(state, today)) for state in ReportState})
    return counts


@dataclass(frozen=True)
class Counts:
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> "Counts":
        return cls(**{name: row.get(name) or 0 for name in cls.__dataclass_fields__})

    @property
    def filed(self) -> int:
        return self.on_time + self.late

    @property
    def filed_percent(self) -> int | None:
        """Reported share of what was due (missing and filed), in whole percent."""
        due = self.filed + self.missing
        return round(100 * self.filed / due) if due else None


@dataclass(frozen=True)
class ReportRow:
    """A report with its state on the day the page is shown."""

    report: ScreeningReport
    state: ReportState

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]


def with_states(reports: Iterable[ScreeningReport], today: date) -> list[ReportRow]:
    return [ReportRow(report=r, state=r.state(today)) for r in reports]


# --- The index: what the user has to file ------------------------------------------------


def reports_to_file(user: Actor, today: date) -> QuerySet[ScreeningReport]:
    """Unfiled reports the user may file in rounds that have begun: those still in time
    first (by due day), then the overdue ones."""
    return (
        visible_reports(user, Action.FILE_SCREENING)
        .filter(filed_at__isnull=True, round__period_start__lte=today)
        .select_related(*REPORT_RELATED)
        .annotate(overdue=Case(When(due_on__lt=today, then=Value(1)), default=Value(0)))
        .order_by("overdue", "due_on", "region_prefix", "pk")
    )


def recently_filed(user: Actor, limit: int = 10) -> list[ScreeningReport]:
    return list(
        visible_reports(user, Action.FILE_SCREENING)
        .filter(filed_at__isnull=False)
        .select_related(*REPORT_RELATED)
        .order_by("-filed_at", "-pk")[:limit]
    )


# --- Rounds -----------------------------------------------------------------------------


def visible_rounds(user: Actor) -> QuerySet[ScreeningRound]:
    """Rounds with a report the user may read, or whose scope lies in the user's."""
    reports = visible_reports(user).filter(round=OuterRef("pk"))
    return ScreeningRound.objects.filter(
        Exists(reports) | scope_q(user, Action.VIEW_SCREENING, region_prefix="region_prefix")
    )


@dataclass(frozen=True)
class RoundSummary:
    round: ScreeningRound
    counts: Counts


def round_summaries(
    user: Actor, rounds: Iterable[ScreeningRound], today: date
) -> list[RoundSummary]:
    """Each round with the states of its reports that the user may read (one query)."""
    rounds = list(rounds)
    rows = (
        visible_reports(user)
        .filter(round__in=[r.pk for r in rounds])
        .values("round")
        .annotate(**state_counts(today))
        .order_by()
    )
    by_round = {row["round"]: Counts.of(row) for row in rows}
    return [RoundSummary(round=r, counts=by_round.get(r.pk, Counts())) for r in rounds]


def recent_rounds(user: Actor, today: date, limit: int = 8) -> list[RoundSummary]:
    rounds = (
        visible_rounds(user)
        .filter(period_start__lte=today)
        .select_related("region")
        .order_by("-period_start", "kind", "pk")[:limit]
    )
    return round_summaries(user, rounds, today)


def round_for_page(user: Actor, pk: int) -> ScreeningRound | None:
    return (
        visible_rounds(user)
        .select_related("region", "created_by")
        .prefetch_related("focus_categories__parent")
        .filter(pk=pk)
        .first()
    )


# --- One report -------------------------------------------------------------------------


def report_for_page(user: Actor, pk: int) -> ScreeningReport | None:
    return (
        visible_reports(user)
        .select_related(*REPORT_RELATED, "filed_by", "round__region")
        .filter(pk=pk)
        .first()
    )


def report_items(report: ScreeningReport) -> list[ScreeningItem]:
    return list(
        report.items.select_related(
            "case__category__parent",
            "case__region",
            "hazard__category__parent",
            "hazard__region",
            "hazard__responsible_unit",
        )
    )


def reporter_region(report: ScreeningReport) -> Region:
    """Where the reporter is: the reporting region, or the reporting unit's region."""
    if report.unit_id is not None:
        assert report.unit is not None
        return report.unit.region
    assert report.region is not None
    return report.region


def finding_places(report: ScreeningReport) -> QuerySet[Region]:
    """Where a finding may lie: the reporter's region or a place below it, two levels
    down at most (a township: its villages and grids; a county unit: townships and
    villages) so that the list stays one a phone can scroll."""
    region = reporter_region(report)
    deepest = min(region.level + 2, Level.GRID)
    return Region.objects.within(region.prefix).filter(level__lte=deepest).order_by("code")


def finding_units(report: ScreeningReport) -> QuerySet[Unit]:
    """Units that may answer for a hazard found by this reporter: units at the reporter's
    region or above it, and units at places below it (the service checks that the unit
    is at the finding's place or above)."""
    region = reporter_region(report)
    return (
        Unit.objects.filter(
            Q(region__prefix__in=ancestor_prefixes(region.prefix))
            | Q(region__prefix__startswith=region.prefix),
            is_active=True,
        )
        .select_related("region")
        .order_by("-region__level", "region__code", "kind", "name")
    )


# --- The compliance view ----------------------------------------------------------------


def screening_regions(user: Actor) -> QuerySet[Region]:
    """The regions whose screening the user may look over."""
    return Region.objects.filter(scope_q(user, Action.VIEW_SCREENING, region_prefix="prefix"))


def compliance_roots(user: Actor) -> list[Region]:
    return scope_roots(screening_regions(user))


def compliance_choices(user: Actor, roots: list[Region]) -> QuerySet[Region]:
    """The places offered in the picker: the user's top places and everything down to
    villages (grids are reached by drilling down)."""
    return (
        screening_regions(user)
        .filter(Q(level__lte=Level.VILLAGE) | Q(pk__in=[r.pk for r in roots]))
        .order_by("code")
    )


@dataclass(frozen=True)
class ChildRow:
    region: Region | None  # None: the place itself (its own report and its units')
    counts: Counts


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    name: str
    place: str
    counts: Counts


@dataclass
class Compliance:
    region: Region
    first: date
    last: date
    today: date
    rounds: list[ScreeningRound]
    totals: Counts
    children: list[ChildRow]
    units: list[UnitRow]
    missing: list[ReportRow]
    missing_shown_all: bool
    reporters: list[ReportRow] = field(default_factory=list)
    # True when `reporters` lists every report in the subtree (no place below has any).
    reporters_complete: bool = False


MISSING_LIST_LIMIT = 100
REPORTER_LIST_LIMIT = 300


def compliance(user: Actor, *, region: Region, first: date, last: date, today: date) -> Compliance:
    """Who reported, late or on time, and who is missing, for every round overlapping
    first..last and every report in `region`'s subtree that the user may read.

    Counts are made by the database, grouped by the child place's code prefix, so the
    number of queries does not grow with the number of places."""
    reports = reports_in_period(user, first, last).filter(region_prefix__startswith=region.prefix)
    counts = state_counts(today)
    totals = Counts.of(reports.aggregate(**counts))
    rounds = list(
        ScreeningRound.objects.filter(Exists(reports.filter(round=OuterRef("pk")))).order_by(
            "period_start", "kind", "pk"
        )
    )

    children = list(Region.objects.filter(parent=region).order_by("code"))
    by_prefix: dict[str, Counts] = {}
    for length in sorted({len(c.prefix) for c in children}):
        grouped = (
            reports.annotate(child=Substr("region_prefix", 1, length))
            .values("child")
            .annotate(**counts)
            .order_by()
        )
        by_prefix.update({row["child"]: Counts.of(row) for row in grouped})
    # Reports at the place itself fall in the group of its own, shorter, prefix.
    own = by_prefix.get(region.prefix, Counts()) if children else totals
    child_rows = [ChildRow(region=None, counts=own)] if own.expected else []
    child_rows += [
        ChildRow(region=c, counts=by_prefix[c.prefix])
        for c in children
        if c.prefix in by_prefix and by_prefix[c.prefix].expected
    ]

    unit_rows = [
        UnitRow(
            unit_id=row["unit"],
            name=row["unit__name"],
            place=row["unit__region__name"],
            counts=Counts.of(row),
        )
        for row in reports.filter(unit__isnull=False)
        .values("unit", "unit__name", "unit__region__name", "unit__region__code")
        .annotate(**counts)
        .order_by("unit__region__code", "unit__name")
    ]

    missing = list(
        reports.filter(state_q(ReportState.MISSING, today))
        .select_related(*REPORT_RELATED)
        .order_by("region_prefix", "round__period_start", "pk")[: MISSING_LIST_LIMIT + 1]
    )
    # Reporters one by one: those at this place itself, or everything once nothing
    # below has a report of its own (the leaf of the drill-down).
    below = any(row.region is not None for row in child_rows)
    listed = reports if not below else reports.filter(region_prefix=region.prefix)
    reporters = list(
        listed.select_related(*REPORT_RELATED)
        .annotate(
            rank=Case(
                When(state_q(ReportState.MISSING, today), then=Value(0)),
                When(state_q(ReportState.LATE, today), then=Value(1)),
                When(state_q(ReportState.PENDING, today), then=Value(2)),
                default=Value(3),
            )
        )
        .order_by("rank", "region_prefix", "round__period_start", "pk")[:REPORTER_LIST_LIMIT]
    )
    return Compliance(
        region=region,
        first=first,
        last=last,
        today=today,
        rounds=rounds,
        totals=totals,
        children=child_rows,
        units=unit_rows,
        missing=with_states(missing[:MISSING_LIST_LIMIT], today),
        missing_shown_all=len(missing) <= MISSING_LIST_LIMIT,
        reporters=with_states(reporters, today),
        reporters_complete=not below,
    )


# --- The home page ----------------------------------------------------------------------


def to_file_count(user: Actor, today: date) -> int:
    """How many reports the user has to file now, still in time or overdue: the number
    of rows `reports_to_file` gives the screening index."""
    return reports_to_file(user, today).count()


def watches_places(user: Actor) -> bool:
    """Whether the user reads screening for places (a region's subtree), not only for the
    unit they work in."""
    if user.is_superuser:
        return True
    return any(g.unit_id is None for g in grants_for_action(grants_of(user), Action.VIEW_SCREENING))


# The home page's missing figure looks back this far: the last few weekly rounds, the
# last ten-day ones and the last month, whatever day of the month it is.
MISSING_WINDOW_DAYS = 30


def missing_window(today: date) -> tuple[date, date]:
    """The days whose rounds the home page's missing figure counts (and the compliance
    view it links to shows)."""
    return today - timedelta(days=MISSING_WINDOW_DAYS), today


def missing_count(user: Actor, today: date) -> int:
    """How many reports are missing (due day passed, not filed) in the rounds of the
    last thirty days, among those the user may read."""
    first, last = missing_window(today)
    return reports_in_period(user, first, last).filter(state_q(ReportState.MISSING, today)).count()
