"""Reads for the analytics pages: which places a user may pick, the periods a dashboard
covers, and the shapes the dashboard draws (chart series, the places below, the grid
map). Every figure still comes from zongzhi.analytics.indicators; this module only groups
and names what it returns."""

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, scope_q, visible_regions
from zongzhi.accounts.rules import Action
from zongzhi.analytics import indicators
from zongzhi.analytics.models import COUNTERS, CaseRollup
from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.regions.models import Region
from zongzhi.regions.rules import PREFIX_LENGTH, Level
from zongzhi.units.models import Unit

# The places a dashboard can be picked for in the list; the places below them (a
# village's grids) are reached through the table of places.
PICKABLE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
TOP_UNITS = 10

# The headline figures, in the order the dashboard shows them.
HEADLINE = (
    "received",
    "accepted",
    "resolved",
    "resolution_rate",
    "closure_rate",
    "on_time_rate",
    "satisfaction_rate",
    "visit_rate",
    "overdue",
)
# The columns of the table of places below.
PLACE_COLUMNS = ("received", "accepted", "resolved", "resolution_rate", "closure_rate", "open")


# --- Places ----------------------------------------------------------------------------


def pickable_regions(user: Actor) -> QuerySet[Region]:
    """The places the user may pick a dashboard for: counties, townships and villages
    that they can see, inside the places where they may read figures."""
    return (
        Region.objects.filter(
            scope_q(user, Action.VIEW_ANALYTICS, region_prefix="prefix"),
            level__in=[int(level) for level in PICKABLE_LEVELS],
        )
        .filter(pk__in=visible_regions(user).values("pk"))
        .order_by("code")
    )


def default_region(regions: Iterable[Region]) -> Region | None:
    """The highest of the places (the user's widest grant): the first by level."""
    return min(regions, key=lambda r: (r.level, r.code), default=None)


def region_for(user: Actor, code: str) -> Region | None:
    """The place named by `code`, if the user may read its figures; else None."""
    region = Region.objects.filter(code=code).first() if code else None
    if region is None or region.level > Level.GRID:
        return None
    if not can(user, Action.VIEW_ANALYTICS, region):
        return None
    return region


def trail(user: Actor, region: Region) -> list[Region]:
    """The places above `region` that the user may read, down to it: the breadcrumbs."""
    prefixes = [region.prefix[:n] for n in sorted(set(PREFIX_LENGTH.values())) if n]
    above = Region.objects.filter(prefix__in=[p for p in prefixes if len(p) <= len(region.prefix)])
    return [
        r
        for r in above.order_by(Length("prefix"))
        if r.level >= Level.COUNTY and can(user, Action.VIEW_ANALYTICS, r)
    ]


# --- Periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # month | year | last12 | custom
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


PERIOD_KINDS = {
    "month": gettext_lazy("本月"),
    "year": gettext_lazy("本年"),
    "last12": gettext_lazy("近12个月"),
    "custom": gettext_lazy("自定义"),
}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, today: date) -> Period:
    """The standard periods, ending today: this month, this year, the last 12 months
    (this month and the 11 before it)."""
    if kind == "year":
        return Period("year", date(today.year, 1, 1), today)
    if kind == "last12":
        return Period("last12", _add_months(today.replace(day=1), -11), today)
    return Period("month", today.replace(day=1), today)


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from `start`'s to `end`'s."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = _add_months(month, 1)
    return months


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


# --- The dashboard's series ------------------------------------------------------------


def _counters(row: Mapping[str, Any]) -> dict[str, int]:
    return {c: int(row.get(c) or 0) for c in COUNTERS}


def monthly_trend(prefix: str, start: date, end: date) -> dict[str, list[Any]]:
    """Received, closed and resolved per month of registration (every month of the
    period, empty ones as 0): one query."""
    by_month = {}
    for row in indicators.breakdown(prefix, start, end, by="month"):
        key = row["key"]
        key = key.date() if hasattr(key, "date") and callable(key.date) else key
        by_month[key.replace(day=1)] = row
    months = months_between(start, end)
    series: dict[str, list[Any]] = {"months": [f"{m:%Y-%m}" for m in months]}
    for counter in ("received", "closed", "resolved"):
        series[counter] = [int(by_month.get(m, {}).get(counter, 0)) for m in months]
    return series


def by_top_category(prefix: str, start: date, end: date) -> list[dict[str, Any]]:
    """Received (and resolved) per top-level category, most first: two queries."""
    rows = indicators.breakdown(prefix, start, end, by="category")
    categories = Category.objects.select_related("parent").in_bulk([r["key"] for r in rows])
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for row in rows:
        category = categories.get(row["key"])
        top = category.parent if category is not None and category.parent else category
        name = top.name if top is not None else _("未分类")
        for c in COUNTERS:
            totals[name][c] += int(row[c])
    return sorted(
        ({"name": name, **counts} for name, counts in totals.items()),
        key=lambda r: (-r["received"], r["name"]),
    )


def by_channel(prefix: str, start: date, end: date) -> list[dict[str, Any]]:
    labels = dict(Case.Channel.choices)
    rows = indicators.breakdown(prefix, start, end, by="channel")
    return sorted(
        ({"name": str(labels.get(r["key"], r["key"])), **_counters(r)} for r in rows),
        key=lambda r: (-r["received"], r["name"]),
    )


def by_unit(prefix: str, start: date, end: date, top: int = TOP_UNITS) -> list[dict[str, Any]]:
    """The `top` units leading the most cases (cases not yet dispatched are left out):
    two queries."""
    rows = [r for r in indicators.breakdown(prefix, start, end, by="unit") if r["key"]]
    rows.sort(key=lambda r: -r["received"])
    rows = rows[:top]
    names = dict(Unit.objects.filter(pk__in=[r["key"] for r in rows]).values_list("pk", "name"))
    return [{"name": names.get(r["key"], "—"), **_counters(r)} for r in rows]


def children_of(region: Region) -> list[Region]:
    return list(region.children.order_by("code"))


def overdue_by_place(prefix: str, today: date, children: Iterable[Region]) -> dict[str, int]:
    """The overdue count (live, as indicators.overdue_count) of each child's subtree: one
    query per prefix length."""
    counts: dict[str, int] = {}
    children = list(children)
    for length in sorted({len(c.prefix) for c in children}):
        rows = (
            Case.objects.overdue(today)
            .filter(region_prefix__startswith=prefix)
            .annotate(place=Substr("region_prefix", 1, length))
            .values("place")
            .annotate(n=Count("pk"))
            .order_by("place")
        )
        counts.update({r["place"]: r["n"] for r in rows})
    return {c.prefix: counts.get(c.prefix, 0) for c in children}


def place_rows(
    prefix: str, start: date, end: date, today: date, children: list[Region]
) -> list[dict[str, Any]]:
    """The table of the places below: each with its figures (through indicators.figure)."""
    overdue = overdue_by_place(prefix, today, children)
    rows = []
    for row in indicators.by_place(prefix, start, end, children):
        place = row.pop("key")
        live = {"overdue": overdue[place.prefix]}
        figures = {
            code: indicators.figure(indicators.INDICATORS[code], row, live)
            for code in (*PLACE_COLUMNS, "overdue")
        }
        rows.append({"place": place, "figures": figures})
    return rows


# --- The grid map ----------------------------------------------------------------------

GRID_LENGTH = PREFIX_LENGTH[Level.GRID]


def open_by_grid(prefix: str, start: date, end: date) -> dict[str, int]:
    """The open cases (the `open` counter: registered in the period and still owed) of
    every grid under `prefix`, by the grid's prefix: one query. Cases registered above
    grid level (at a village, say) lie in no grid and are not on the map."""
    rows = (
        CaseRollup.objects.filter(region_prefix__startswith=prefix, day__gte=start, day__lte=end)
        .annotate(length=Length("region_prefix"))
        .filter(length__gte=GRID_LENGTH)
        .annotate(grid=Substr("region_prefix", 1, GRID_LENGTH))
        .values("grid")
        .annotate(n=Sum("open"))
        .order_by("grid")
    )
    return {r["grid"]: int(r["n"] or 0) for r in rows}


def grid_features(prefix: str, start: date, end: date) -> dict[str, Any]:
    """The grids under `prefix` that have a boundary, as a GeoJSON FeatureCollection whose
    properties carry the grid's code, name and open-case count: two queries."""
    counts = open_by_grid(prefix, start, end)
    grids = (
        Region.objects.grids()
        .within(prefix)
        .filter(boundary__isnull=False)
        .order_by("code")
        .values("code", "prefix", "name", "boundary")
    )
    features = [
        {
            "type": "Feature",
            "geometry": g["boundary"],
            "properties": {
                "code": g["code"],
                "name": g["name"],
                "open": counts.get(g["prefix"], 0),
            },
        }
        for g in grids
    ]
    return {"type": "FeatureCollection", "features": features}


def unit_or_none(pk: str) -> Any:
    """The unit a records link narrows to (a scorecard's row), or None. Any unit: the
    cases listed are still only those the reader may view."""
    from zongzhi.units.models import Unit

    return Unit.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
