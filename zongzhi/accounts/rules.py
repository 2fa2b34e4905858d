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

from zongzhi.regions.rules import PREFIX_LENGTH, Level


class Role(StrEnum):
    INTAKE_OFFICER = "intake_officer"
    GRID_WORKER = "grid_worker"
    MEDIATOR = "mediator"
    UNIT_HANDLER = "unit_handler"
    LEADER = "leader"
    CARE_WORKER = "care_worker"
    # Supervises the care registry of a place (a township's or county's 特殊人群 work):
    # reads the place's files, forms care teams, answers transfers that waited too long.
    CARE_SUPERVISOR = "care_supervisor"
    ADMINISTRATOR = "administrator"
    # Another system that feeds this one (the 12345 hotline platform, a department's own
    # system, an Open311 app): it registers cases in its region and reads back what it
    # registered, through its API key. It has no password and no pages.
    CLIENT_SYSTEM = "client_system"


ROLE_NAMES = {
    Role.INTAKE_OFFICER: "受理员",
    Role.GRID_WORKER: "网格员",
    Role.MEDIATOR: "调解员",
    Role.UNIT_HANDLER: "承办人",
    Role.LEADER: "领导",
    Role.CARE_WORKER: "包保责任人",
    Role.CARE_SUPERVISOR: "特殊人群督导",
    Role.ADMINISTRATOR: "管理员",
    Role.CLIENT_SYSTEM: "对接系统",
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
    VIEW_AUDIT = "core.audit"  # the audit log
    # Cases (事项).
    VIEW_CASE = "cases.view"
    REGISTER_CASE = "cases.register"  # 登记
    # The centre's work: accept or reject, dispatch, transfer, escalate, summon (吹哨),
    # archive, merge duplicates.
    TRIAGE_CASE = "cases.triage"
    # The return visit (回访) after closing: the centre's, or the resident's own rating on
    # the portal. Its own action so that the portal can rate without triaging.
    VISIT_CASE = "cases.visit"
    # The owning unit's work: sign for it, return it, answer orders, ask for more time,
    # pause the clock, close it.
    HANDLE_CASE = "cases.handle"
    MEDIATE_CASE = "cases.mediate"  # mediation sessions and agreements
    # A leader's work: supervision orders (督办), deciding extensions.
    SUPERVISE_CASE = "cases.supervise"
    CONFIGURE_CASES = "cases.configure"  # routing rules and deadline policies
    # Bringing the centre's earlier case ledger (矛盾纠纷排查化解台账) in as history: the
    # centre's, who keeps the register, checked against each row's place.
    IMPORT_CASE_LEDGER = "cases.import"
    # Screening rounds (排查): read the rounds and who reported, file a report for a grid
    # or unit, launch a special campaign (专项排查).
    VIEW_SCREENING = "screening.view"
    FILE_SCREENING = "screening.file"
    LAUNCH_CAMPAIGN = "screening.campaign"
    # Risk hazards (风险隐患): read, register, and keep (plan, review, close, escalate).
    VIEW_HAZARD = "hazards.view"
    REGISTER_HAZARD = "hazards.register"
    KEEP_HAZARD = "hazards.keep"
    # Bringing a filled hazard ledger in is the centre's, who keeps the register: a grid
    # worker registers what they find one by one.
    IMPORT_HAZARD_LEDGER = "hazards.import"
    # The daily information report (涉稳信息日报).
    VIEW_BRIEFING = "briefings.view"
    # The care registry (特殊人群服务管理). Reading a file is not a region grant alone:
    # only its care team and the supervisors of its place read it (zongzhi.care.access).
    VIEW_CARE = "care.view"  # the care pages: my files, my visits
    ENROL_CARE = "care.enrol"  # open a file; take a file transferred here
    SUPERVISE_CARE = "care.supervise"  # read the place's files, form teams, close, export
    VIEW_IDENTITY = "care.identity"  # the full identity number, with a stated purpose
    # Analytics (统计分析): figures, dashboards, bulletins for the places one covers;
    # approving a month's figures (审核上报); the scorecard's weights (考评).
    VIEW_ANALYTICS = "analytics.view"
    APPROVE_FIGURES = "analytics.approve"
    CONFIGURE_SCORECARD = "analytics.configure"
    # The 系统状态 page: the worker's and the scheduler's heartbeats, recent task failures.
    VIEW_SYSTEM_STATUS = "core.status"


_EVERYONE = {Action.VIEW_REGION, Action.VIEW_UNIT}

_SCREENING = {Action.VIEW_SCREENING, Action.FILE_SCREENING}
_HAZARDS = {Action.VIEW_HAZARD, Action.REGISTER_HAZARD, Action.KEEP_HAZARD}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.INTAKE_OFFICER: frozenset(
        _EVERYONE
        | _SCREENING
        | _HAZARDS
        | {
            Action.VIEW_CASE,
            Action.REGISTER_CASE,
            Action.TRIAGE_CASE,
            Action.VISIT_CASE,
            Action.LAUNCH_CAMPAIGN,
            Action.VIEW_BRIEFING,
            Action.VIEW_ANALYTICS,
            Action.IMPORT_HAZARD_LEDGER,
            Action.IMPORT_CASE_LEDGER,
        }
    ),
    Role.GRID_WORKER: frozenset(
        _EVERYONE | _SCREENING | _HAZARDS | {Action.VIEW_CASE, Action.REGISTER_CASE}
    ),
    Role.MEDIATOR: frozenset(
        _EVERYONE
        | _SCREENING
        | _HAZARDS
        | {Action.VIEW_CASE, Action.REGISTER_CASE, Action.HANDLE_CASE, Action.MEDIATE_CASE}
    ),
    # A department registers what it finds as a case handed over (部门移交).
    Role.UNIT_HANDLER: frozenset(
        _EVERYONE
        | _SCREENING
        | _HAZARDS
        | {Action.VIEW_CASE, Action.REGISTER_CASE, Action.HANDLE_CASE, Action.MEDIATE_CASE}
    ),
    Role.LEADER: frozenset(
        _EVERYONE
        | {
            Action.VIEW_USER,
            Action.VIEW_CASE,
            Action.SUPERVISE_CASE,
            Action.VIEW_SCREENING,
            Action.LAUNCH_CAMPAIGN,
            Action.VIEW_HAZARD,
            Action.VIEW_BRIEFING,
            Action.VIEW_ANALYTICS,
            Action.APPROVE_FIGURES,
        }
    ),
    # Care workers keep care files; disputes, hazards and screening are not theirs to read.
    Role.CARE_WORKER: frozenset(_EVERYONE | {Action.VIEW_CARE, Action.ENROL_CARE}),
    Role.CARE_SUPERVISOR: frozenset(
        _EVERYONE
        | {Action.VIEW_CARE, Action.ENROL_CARE, Action.SUPERVISE_CARE, Action.VIEW_IDENTITY}
    ),
    Role.ADMINISTRATOR: frozenset(
        _EVERYONE
        | {
            Action.CHANGE_REGION,
            Action.CHANGE_UNIT,
            Action.VIEW_USER,
            Action.MANAGE_USER,
            Action.VIEW_AUDIT,
            Action.CONFIGURE_CASES,
            Action.CONFIGURE_SCORECARD,
            Action.VIEW_SYSTEM_STATUS,
        }
    ),
    Role.CLIENT_SYSTEM: frozenset(_EVERYONE | {Action.REGISTER_CASE}),
}

# Work that a unit owns is done by the unit's own people: a role held at a region watches
# over such a record (views, supervises) but never does the unit's work on it.
UNIT_WORK = frozenset({Action.HANDLE_CASE})


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


def grant_allows(grant: Grant, action: Action, target: Target) -> bool:
    if action not in ROLE_ACTIONS[grant.role]:
        return False
    if action in UNIT_WORK:
        return (
            grant.unit_id is not None
            and target.unit_ids is not None
            and grant.unit_id in target.unit_ids
        )
    return grant_covers(grant, target)


def allows(grants: Iterable[Grant], action: Action, target: Target) -> bool:
    return any(grant_allows(g, action, target) for g in grants)


def acting_units(grants: Iterable[Grant], action: Action, target: Target) -> frozenset[int]:
    """The units through which the grants let their holder do `action` on the target."""
    return frozenset(
        g.unit_id for g in grants if g.unit_id is not None and grant_allows(g, action, target)
    )


# Actions over the whole deployment rather than a place (the audit log holds every sign-in
# and every read of parties; 系统状态 is the servers' health, the county IT office's work):
# held only through a grant at a county or above, not by a township's or a unit's
# administrator.
DEPLOYMENT_WIDE = frozenset({Action.VIEW_AUDIT, Action.VIEW_SYSTEM_STATUS})


def county_wide(grant: Grant) -> bool:
    """Held over a whole county or more, not in a township, a village or a unit."""
    return grant.unit_id is None and len(grant.region_prefix) <= PREFIX_LENGTH[Level.COUNTY]


def grant_holds(grant: Grant, action: Action) -> bool:
    """Whether a grant carries `action` somewhere (for pages and menu entries)."""
    if action not in ROLE_ACTIONS[grant.role]:
        return False
    return action not in DEPLOYMENT_WIDE or county_wide(grant)


def grants_for_action(grants: Iterable[Grant], action: Action) -> list[Grant]:
    return [g for g in grants if action in ROLE_ACTIONS[g.role]]
