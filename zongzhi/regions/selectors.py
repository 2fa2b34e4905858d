from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from zongzhi.regions import geo
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level, ancestor_prefixes
from zongzhi.units.models import Unit


def grid_at(*, lng: float, lat: float, within: Region | None = None) -> Region | None:
    """The grid whose boundary holds the point, or None.

    The bounding-box filter runs in the database on an index; only the few candidates
    it leaves are tested against their polygons. Where two grids share an edge the
    point is given to the one with the smaller code, so the answer is stable.
    """
    geo.check_point(lng, lat)
    candidates = Region.objects.filter(
        level=Region.Level.GRID,
        boundary__isnull=False,
        min_lng__lte=lng,
        max_lng__gte=lng,
        min_lat__lte=lat,
        max_lat__gte=lat,
    ).order_by("code")
    if within is not None:
        candidates = candidates.filter(prefix__startswith=within.prefix)
    for grid in candidates:
        if grid.boundary is not None and geo.covers(grid.boundary, lng, lat):
            return grid
    return None


def ancestors(region: Region) -> list[Region]:
    """The chain from the top of the hierarchy down to `region`, itself included.

    Parents are found by their prefixes in one query instead of walking `parent` links.
    """
    prefixes = ancestor_prefixes(region.prefix)
    by_prefix = {r.prefix: r for r in Region.objects.filter(prefix__in=prefixes)}
    return [by_prefix[p] for p in prefixes if p in by_prefix]


@dataclass(frozen=True)
class ScopeSummary:
    assignment: Any
    region: Region
    counts: list[tuple[str, int]]


def scope_summary(*, assignment: Any, visible_units: "models.QuerySet[Unit]") -> ScopeSummary:
    """How many places lie in the region a role is held at, and how many of the units
    there the user can see (two queries)."""
    region = assignment.unit.region if assignment.unit_id else assignment.region
    below = [level for level in Region.Level if level > region.level and level >= Level.TOWNSHIP]
    totals = Region.objects.within(region.prefix).aggregate(
        **{f"l{level.value}": Count("pk", filter=Q(level=level)) for level in below}
    )
    counts = [(str(level.label), totals[f"l{level.value}"]) for level in below]
    counts.append(
        (str(_("单位")), visible_units.filter(region__prefix__startswith=region.prefix).count())
    )
    return ScopeSummary(assignment=assignment, region=region, counts=counts)


def scope_roots(regions: "models.QuerySet[Region]") -> list[Region]:
    """The highest regions of a visible set: those whose parent is not visible too."""
    visible = regions.values("pk")
    return list(regions.exclude(parent__in=visible).order_by("level", "code"))


def grid_features(region: Region) -> dict[str, Any]:
    """The grids in a village (or the grid itself) as a GeoJSON FeatureCollection."""
    grids = Region.objects.within(region.prefix).filter(
        level=Region.Level.GRID, boundary__isnull=False
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": grid.boundary,
                "properties": {"code": grid.code, "name": grid.name},
            }
            for grid in grids.only("code", "name", "boundary")
        ],
    }
