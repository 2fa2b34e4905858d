"""The one permission check that every view, API and command calls.

`can(user, action, record)` answers for one record; `scope_q(user, action, ...)` gives
the filter for a list, built from the same grants so that a list never shows a record
that `can` would refuse. Records are reduced to a `rules.Target` by `target_of`.

Who asks is an `Actor` (zongzhi.accounts.actors): a person's grants come from their role
assignments; `SYSTEM` passes every check; a `PublicActor` holds exactly the actions it
was given, and every check here honours them.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from zongzhi.accounts.actors import SYSTEM, Actor, PublicActor, SystemActor
from zongzhi.accounts.models import RoleAssignment
from zongzhi.accounts.rules import (
    UNIT_WORK,
    Action,
    Grant,
    Role,
    Target,
    allows,
    grant_holds,
    grants_for_action,
)
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

__all__ = [
    "SYSTEM",
    "Action",
    "Actor",
    "PublicActor",
    "SystemActor",
    "can",
    "grants_of",
    "holds",
    "require",
    "scope_q",
    "target_of",
]

_CACHE_ATTR = "_zongzhi_grants"


def grants_of(user: Actor) -> tuple[Grant, ...]:
    """The user's grants, loaded once per user object (one query). An actor that is no
    person (pk None) holds no role, so no grant."""
    pk = user.pk
    if not user.is_authenticated or not user.is_active or pk is None:
        return ()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _stored_grants(pk)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user: Actor) -> None:
    """Drop the cached grants after the user's roles change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def target_of(record: Any) -> Target:
    if isinstance(record, Target):
        return record
    scope_target = getattr(record, "scope_target", None)
    if scope_target is None:
        raise TypeError(f"{type(record).__name__} has no scope; give it a scope_target() method")
    result: Target = scope_target()
    return result


def _stored_grants(user_id: int) -> tuple[Grant, ...]:
    assignments = RoleAssignment.objects.filter(user_id=user_id).select_related(
        "region", "unit__region"
    )
    grants = []
    for a in assignments:
        prefix = a.place_prefix
        if prefix is not None:
            grants.append(Grant(role=Role(a.role), region_prefix=prefix, unit_id=a.unit_id))
    return tuple(grants)


def can(user: Actor, action: Action, record: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if isinstance(user, PublicActor):
        return user.allows(action, target_of(record))
    return allows(grants_of(user), action, target_of(record))


def holds(user: Actor, action: Action) -> bool:
    """Whether the user holds `action` anywhere: to show a page or a menu entry. Which
    records it covers is still `can`'s and `scope_q`'s to say."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if isinstance(user, PublicActor):
        return action in user.actions
    return any(grant_holds(g, action) for g in grants_of(user))


def require(user: Actor, action: Action, record: Any) -> None:
    """Raise PermissionDenied unless `user` may do `action` on `record`."""
    if not can(user, action, record):
        raise PermissionDenied("您无权在此范围内进行该操作")


def scope_q(
    user: Actor,
    action: Action,
    *,
    region_prefix: str,
    unit: str | None = None,
    assigned_to: Callable[[list[int]], Q] | None = None,
) -> Q:
    """A filter for the records `user` may `action`.

    `region_prefix` names the lookup of the record's region prefix (for a Region:
    "prefix"; for a Unit: "region__prefix"). For records that units own, either `unit`
    names the lookup of the units the record is assigned to, or `assigned_to` builds the
    filter for "assigned to any of these units" (a semi-join, where a join through a
    many-valued relation would repeat rows).
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if isinstance(user, PublicActor):
        if action not in user.actions:
            return Q(pk__in=[])
        return Q(**{f"{region_prefix}__startswith": user.region_prefix})
    owned = unit is not None or assigned_to is not None
    condition = Q(pk__in=[])
    units: list[int] = []
    for grant in grants_for_action(grants_of(user), action):
        if action in UNIT_WORK and (grant.unit_id is None or not owned):
            continue
        if grant.unit_id is not None and owned:
            units.append(grant.unit_id)
        else:
            condition |= Q(**{f"{region_prefix}__startswith": grant.region_prefix})
    if units and assigned_to is not None:
        condition |= assigned_to(units)
    elif units and unit is not None:
        condition |= Q(**{f"{unit}__in": units})
    return condition


def visible_regions(user: Actor) -> Any:
    return Region.objects.filter(scope_q(user, Action.VIEW_REGION, region_prefix="prefix"))


def visible_units(user: Actor) -> Any:
    return Unit.objects.filter(
        scope_q(user, Action.VIEW_UNIT, region_prefix="region__prefix", unit="pk")
    )
