"""Reads of the daily reports: what a user may see, one report's sections, and the latest
reports for the home page."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.functional import Promise

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import grants_of, scope_q
from zongzhi.accounts.rules import ROLE_ACTIONS, Action, Role
from zongzhi.briefings import rules
from zongzhi.briefings.models import DailyReport, DailyReportItem
from zongzhi.regions.models import Region

# The home page shows at most this many reports, and this many items of each.
HOME_REPORTS = 3
HOME_ITEMS = 3
# Who finds their report on the home page: those it is made for, not everyone who may read it.
HOME_ROLES = frozenset({Role.LEADER, Role.INTAKE_OFFICER})


def visible_reports(user: Actor) -> QuerySet[DailyReport]:
    """Every report the user may read: those of the regions in their scope (a county
    leader reads the county's and every township's; a township's people their own)."""
    return DailyReport.objects.filter(
        scope_q(user, Action.VIEW_BRIEFING, region_prefix="region_prefix")
    )


def report_list(user: Actor, *, region: Region | None = None) -> QuerySet[DailyReport]:
    """The reports for the list page, newest first, each with its number of items."""
    reports = visible_reports(user)
    if region is not None:
        reports = reports.filter(region=region)
    return (
        reports.select_related("region")
        .annotate(item_count=Count("items"))
        .order_by("-report_date", "region_prefix")
    )


def report_regions(user: Actor) -> QuerySet[Region]:
    """The regions whose reports the user may read, for the list page's filter."""
    reported = visible_reports(user).filter(region=OuterRef("pk"))
    return Region.objects.filter(Exists(reported)).order_by("code")


def report_for_page(user: Actor, pk: int) -> DailyReport | None:
    return (
        visible_reports(user)
        .select_related("region")
        .prefetch_related("items")
        .filter(pk=pk)
        .first()
    )


@dataclass
class Section:
    reason: rules.Reason
    name: Promise
    items: list[DailyReportItem] = field(default_factory=list)


def sections(items: Iterable[DailyReportItem]) -> list[Section]:
    """The report's items under their most pressing reason, sections in the rules' order;
    an item with several reasons appears once, and its chips name them all."""
    by_reason = {r: Section(r, rules.REASON_NAMES[r]) for r in rules.REASON_ORDER}
    for item in items:
        by_reason[rules.Reason(item.reasons[0])].items.append(item)
    return [s for s in by_reason.values() if s.items]


def latest_for(user: Actor, *, limit: int = HOME_REPORTS) -> list[DailyReport]:
    """For the home page: the latest report of each region where the user holds the
    report as a leader or intake officer, with its items prefetched (the most pressing
    first). Two queries, whatever the number of regions."""
    prefixes = sorted(
        {
            g.region_prefix
            for g in grants_of(user)
            if g.unit_id is None
            and g.role in HOME_ROLES
            and Action.VIEW_BRIEFING in ROLE_ACTIONS[g.role]
        }
    )
    if not prefixes:
        return []
    newest = Window(RowNumber(), partition_by=[F("region_id")], order_by=F("report_date").desc())
    reports = (
        DailyReport.objects.filter(region_prefix__in=prefixes)
        .annotate(rank=newest)
        .filter(rank=1)
        .select_related("region")
        .prefetch_related(Prefetch("items", queryset=DailyReportItem.objects.order_by("pk")))
        .order_by("region_prefix")
    )
    return list(reports[:limit])
