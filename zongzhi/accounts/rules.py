"""Who may do what, and where: pure rules, no database.

A user holds roles; each role is held either at a region (a township's intake officer)
or in a unit (a police station's handler). A *grant* is one such holding reduced to what
a scope check needs. A *target* is any record reduced the same way: the region it lies
in, and (for records that units own, such as cases) the units it is assigned to.

A role held at a region covers targets in that region's subtree. A role held in a unit
covers the records assigned to that unit; for records that no unit owns (places, people)
it covers the unit's own region subtree.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    INTAKE_OFFICER = "intake_officer"
    GRID_WORKER = "grid_worker"
    MEDIATOR = "mediator"
    UNIT_HANDLER = "unit_handler"
    LEADER = "leader"
    CARE_WORKER = "care_worker"
    ADMINISTRATOR = "administrator"


ROLE_NAMES = {
    Role.INTAKE_OFFICER: "受理员",
    Role.GRID_WORKER: "网格员",
    Role.MEDIATOR: "调解员",
    Role.UNIT_HANDLER: "承办人",
    Role.LEADER: "领导",
    Role.CARE_WORKER: "包保责任人",
    Role.ADMINISTRATOR: "管理员",
}

# Where each role may be held: at a region, in a unit, or either.
HELD_IN_UNIT = {Role.UNIT_HANDLER}
HELD_AT_REGION = set(Role) - {Role.UNIT_HANDLER}
HELD_EITHER = {Role.MEDIATOR}  # a township mediator, or a member of a mediation committee


class Action(StrEnum):
    VIEW_REGION = "regions.view"
    CHANGE_REGION = "regions.change"
    VIEW_UNIT = "units.view"
    CHANGE_UNIT = "units.change"
    VIEW_USER = "accounts.view"
    MANAGE_USER = "accounts.manage"


_EVERYONE = {Action.VIEW_REGION, Action.VIEW_UNIT}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.INTAKE_OFFICER: frozenset(_EVERYONE),
    Role.GRID_WORKER: frozenset(_EVERYONE),
    Role.MEDIATOR: frozenset(_EVERYONE),
    Role.UNIT_HANDLER: frozenset(_EVERYONE),
    Role.LEADER: frozenset(_EVERYONE | {Action.VIEW_USER}),
    Role.CARE_WORKER: frozenset(_EVERYONE),
    Role.ADMINISTRATOR: frozenset(
        _EVERYONE | {Action.CHANGE_REGION, Action.CHANGE_UNIT, Action.VIEW_USER, Action.MANAGE_USER}
    ),
}


@dataclass(frozen=True)
class Grant:
    role: Role
    region_prefix: str  # the region the role is held at, or the unit's region
    unit_id: int | None = None  # set when the role is held in a unit


@dataclass(frozen=True)
class Target:
    region_prefix: str
    # The units a record is assigned to; None for records that no unit owns.
    unit_ids: frozenset[int] | None = None


def grant_covers(grant: Grant, target: Target) -> bool:
    if grant.unit_id is not None and target.unit_ids is not None:
        return grant.unit_id in target.unit_ids
    return target.region_prefix.startswith(grant.region_prefix)


def allows(grants: Iterable[Grant], action: Action, target: Target) -> bool:
    return any(action in ROLE_ACTIONS[g.role] and grant_covers(g, target) for g in grants)


def grants_for_action(grants: Iterable[Grant], action: Action) -> list[Grant]:
    return [g for g in grants if action in ROLE_ACTIONS[g.role]]
