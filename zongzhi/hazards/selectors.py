"""Reading the hazard register, always through the reader's scope."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, grants_of, scope_q, visible_regions
from zongzhi.accounts.rules import Action, grants_for_action
from zongzhi.categories.models import Category
from zongzhi.hazards import rules
from zongzhi.hazards.models import Hazard, HazardEvent, HazardMeasure, HazardQuerySet
from zongzhi.regions.models import Region
from zongzhi.regions.rules import ancestor_prefixes
from zongzhi.units.models import Unit

LIST_RELATED = ("category__parent", "region", "responsible_unit")


def visible_hazards(user: Actor, action: Action = Action.VIEW_HAZARD) -> HazardQuerySet:
    """The hazards `user` may `action`: in their region subtree, or their unit's own."""
    return Hazard.objects.filter(
        scope_q(user, action, region_prefix="region_prefix", unit="responsible_unit")
    )


# The status filter of the list: one status, or every status ("all").
ALL_STATUSES = "all"


def hazard_list(
    user: Actor,
    *,
    today: date,
    status: str = rules.Status.CONTROLLED,
    level: str = "",
    category: Category | None = None,
    region: Region | None = None,
    overdue: bool = False,
    search: str = "",
) -> QuerySet[Hazard]:
    """The register as `user` may read it, filtered. The most pressing first: the earliest
    review date (an overdue one at the top), closed hazards after, newest first."""
    hazards = visible_hazards(user)
    if status in {s.value for s in rules.Status}:
        hazards = hazards.filter(status=status)
    if level in Hazard.Level.values:
        hazards = hazards.filter(level=level)
    if category is not None:
        hazards = hazards.filter(Q(category=category) | Q(category__parent=category))
    if region is not None:
        hazards = hazards.filter(region_prefix__startswith=region.prefix)
    if overdue:
        hazards = hazards.review_overdue(today)
    if search:
        hazards = hazards.filter(Q(title__icontains=search) | Q(code__icontains=search))
    return hazards.select_related(*LIST_RELATED).order_by(
        F("next_review_on").asc(nulls_last=True), "-registered_at"
    )


def review_overdue_count(user: Actor, today: date) -> int:
    """How many open hazards that `user` keeps are past their review date (for the home
    page). Counted over the hazards the user may keep, not merely read: the warning is
    for those who must go and review."""
    return visible_hazards(user, Action.KEEP_HAZARD).review_overdue(today).count()


@dataclass(frozen=True)
class Row:
    hazard: Hazard
    review_overdue: bool


def with_review_state(hazards: Any, *, today: date) -> list[Row]:
    return [
        Row(hazard=h, review_overdue=rules.review_is_overdue(h.next_review_on, today))
        for h in hazards
    ]


def filter_regions(user: Actor) -> QuerySet[Region]:
    """The places offered in the list's place filter: the reader's own places, from the
    county down to villages (a grid is one click further, on the hazard itself)."""
    return (
        visible_regions(user)
        .filter(level__gte=Region.Level.COUNTY, level__lte=Region.Level.VILLAGE)
        .order_by("code")
    )


def filter_categories() -> QuerySet[Category]:
    return (
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .order_by(F("parent__sort_order").asc(nulls_first=True), "sort_order", "code")
    )


# --- Registration -----------------------------------------------------------------------


def registrable_regions(user: Actor) -> QuerySet[Region]:
    """Where `user` may register a hazard: their scope, from the county down to grids."""
    return (
        Region.objects.filter(
            scope_q(user, Action.REGISTER_HAZARD, region_prefix="prefix"),
            level__gte=Region.Level.COUNTY,
            level__lte=Region.Level.GRID,
        )
        .filter(pk__in=visible_regions(user).values("pk"))
        .order_by("code")
    )


def units_for_place(region: Region) -> QuerySet[Unit]:
    """The active units that may answer for a hazard at `region`: those of the place
    itself or of a region above it (属地管理、分级负责)."""
    return (
        Unit.objects.filter(region__prefix__in=ancestor_prefixes(region.prefix), is_active=True)
        .select_related("region")
        .order_by("-region__level", "kind", "name")
    )


def units_for_registration(user: Actor) -> QuerySet[Unit]:
    """Every active unit that could answer for a hazard somewhere `user` may register one:
    the units inside the user's places, and those above them."""
    if user.is_superuser:
        return (
            Unit.objects.filter(is_active=True)
            .select_related("region")
            .order_by("region__code", "kind", "name")
        )
    above: set[str] = set()
    inside = Q(pk__in=[])
    for grant in grants_for_action(grants_of(user), Action.REGISTER_HAZARD):
        above.update(ancestor_prefixes(grant.region_prefix))
        inside |= Q(region__prefix__startswith=grant.region_prefix)
    return (
        Unit.objects.filter(Q(region__prefix__in=sorted(above)) | inside, is_active=True)
        .select_related("region")
        .order_by("region__code", "kind", "name")
    )


# --- One hazard -------------------------------------------------------------------------


def hazard_for_page(pk: int) -> Hazard | None:
    return (
        Hazard.objects.select_related(
            "category__parent",
            "region",
            "responsible_unit",
            "case",
            "screening_item__report__round",
            "screening_item__report__region",
            "screening_item__report__unit",
        )
        .prefetch_related(
            Prefetch("measures", queryset=HazardMeasure.objects.order_by("due_on", "pk")),
            "reviews",
        )
        .filter(pk=pk)
        .first()
    )


def visible_hazard(user: Actor, pk: int) -> Hazard | None:
    """The hazard with `pk` if `user` may read it; None otherwise (the page says 404)."""
    hazard = hazard_for_page(pk)
    if hazard is None or not can(user, Action.VIEW_HAZARD, hazard):
        return None
    return hazard


def timeline(hazard: Hazard) -> list[HazardEvent]:
    """Every entry of the hazard's timeline, oldest first."""
    return list(HazardEvent.objects.filter(hazard=hazard).order_by("at", "pk"))


def screening_report_of(hazard: Hazard) -> Any:
    """The screening report in which the hazard was found, or None."""
    item = getattr(hazard, "screening_item", None)  # None when no item points here
    return item.report if item is not None else None


def overdue_warning(events: list[HazardEvent], due: date | None) -> HazardEvent | None:
    """The sweep's warning for the review date `due`, if it has warned (an earlier date's
    warning, since reviewed, does not count)."""
    return next(
        (e for e in events if e.step == rules.Step.REVIEW_OVERDUE and e.for_review_on == due),
        None,
    )


# The step forms on the hazard page, in the order they are offered.
STEP_FORMS = [
    "review",
    "measure",
    "measure_done",
    "reassign",
    "resolve",
    "eliminate",
    "escalate",
]
_STEP_OF_FORM = {
    "review": rules.Step.REVIEW,
    "measure": rules.Step.PLAN,
    "measure_done": rules.Step.MEASURE_DONE,
    "reassign": rules.Step.REASSIGN,
    "resolve": rules.Step.RESOLVE,
    "eliminate": rules.Step.ELIMINATE,
    "escalate": rules.Step.ESCALATE,
}


def allowed_forms(user: Actor, hazard: Hazard) -> list[str]:
    """The step forms to offer `user` on `hazard` now: the status allows the step, the
    user may keep the hazard, and the step has something to act on. The services check
    all of it again when a form is sent."""
    forms = []
    for key in STEP_FORMS:
        transition = rules.STEPS[_STEP_OF_FORM[key]]
        if hazard.status_enum not in transition.sources:
            continue
        if not can(user, transition.action, hazard):
            continue
        if key == "measure_done" and not any(m.done_on is None for m in hazard.measures.all()):
            continue
        forms.append(key)
    return forms
