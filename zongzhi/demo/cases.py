"""The demo county's cases: about three hundred, over the past six months, in every status.

Every case is made through the services, step by step, by the demo user whose scope the
step falls in (the township's intake officer accepts, the unit's handler closes, the
leader supervises …), or by `SYSTEM` where the demo has nobody there. Time is simulated:
`django.utils.timezone.now` is patched while the cases are generated, so every timeline
entry, deadline and automatic order carries the date it would have had. Each case's life
is a *story*, a generator that yields the moment of its next step; the stories and a
daily deadline sweep run interleaved in time order, so what one case does to another (a
duplicate merged into it, a relation to it) lands in both timelines at the same moment.
A story that would go on past now stops where it stands: recent cases are still open.
"""

import heapq
import random
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from zongzhi.accounts.actors import SYSTEM, Actor
from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, ClockPause, Party, SupervisionOrder
from zongzhi.cases.rules import Status
from zongzhi.categories.models import Category
from zongzhi.core.identity import with_check_digit
from zongzhi.demo.case_texts import (
    ACCEPT_NOTES,
    CHANNEL_WEIGHTS,
    DOING,
    ESCALATE_REASONS,
    ESTATES,
    EXTENSION_REASONS,
    FIRMS,
    GOODS,
    ILLNESSES,
    INJURIES,
    MATTERS,
    NOTICES,
    OFFICE_CHANNELS,
    ORGS,
    PAUSE_NOTES,
    PAYING,
    PROGRESS_NOTES,
    PROJECTS,
    PROMISED,
    REJECTIONS,
    RETURN_REASONS,
    ROADS,
    SATISFIED_SHARE,
    SESSION_DONE,
    SESSION_RECORDS,
    STREETS,
    SUPERVISION_ANSWERS,
    SUPERVISION_TEXTS,
    TEXTS,
    TRANSFER_NOTES,
    UNSATISFIED,
    VEHICLES,
    VISIT_NOTES,
    WHISTLE_ANSWERS,
    WHISTLE_KINDS,
    WHISTLE_REASONS,
    _Text,
)
from zongzhi.demo.people import money, party_name, phone
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit
from zongzhi.workdays.rules import WorkCalendar
from zongzhi.workdays.selectors import current_calendar

COUNTY_PREFIX = "530424"
CASES = 290  # and about a dozen duplicates reported again and merged
DAYS = 182  # how far back the first cases go
RECENT_SHARE = 0.2  # of the cases registered in the last RECENT_DAYS: use is growing
RECENT_DAYS = 30

# A case's life: it yields the moment of its next step.
Story = Generator[datetime, None, None]
S = Status
K = Unit.Kind

# --- Who acts ---------------------------------------------------------------------------


class _People:
    """The demo users by where they work; SYSTEM where the demo has nobody."""

    def __init__(self) -> None:
        self.at_region: dict[tuple[int, str], User] = {}
        self.in_unit: dict[int, User] = {}
        for a in RoleAssignment.objects.select_related("user").order_by("user__username", "pk"):
            if a.unit_id is not None and a.role in {Role.UNIT_HANDLER, Role.MEDIATOR}:
                self.in_unit.setdefault(a.unit_id, a.user)
            elif a.region_id is not None:
                self.at_region.setdefault((a.region_id, a.role), a.user)

    def intake(self, centre_id: int) -> Actor:
        return self.at_region.get((centre_id, Role.INTAKE_OFFICER), SYSTEM)

    def leader(self, centre_id: int) -> Actor:
        return self.at_region.get((centre_id, Role.LEADER), SYSTEM)

    def handler(self, unit: Unit | None) -> Actor:
        return self.in_unit.get(unit.pk, SYSTEM) if unit is not None else SYSTEM

    def grid_worker(self, grid_id: int) -> User | None:
        return self.at_region.get((grid_id, Role.GRID_WORKER))


def _name(actor: Actor) -> str:
    return str(getattr(actor, "full_name", "") or "")


# --- Places and units ---------------------------------------------------------------------


@dataclass
class _Places:
    county: Region
    townships: list[Region]
    villages: dict[int, list[Region]]  # by township
    grids: dict[int, list[Region]]  # by village
    units: dict[tuple[int, str], Unit]  # by (region, kind)
    by_pk: dict[int, Region]

    @classmethod
    def load(cls, county: Region) -> "_Places":
        regions = list(
            Region.objects.within(county.prefix)
            .filter(level__in=[Region.Level.TOWNSHIP, Region.Level.VILLAGE, Region.Level.GRID])
            .order_by("code")
        )
        villages: dict[int, list[Region]] = {}
        grids: dict[int, list[Region]] = {}
        for r in regions:
            if r.level == Region.Level.VILLAGE:
                villages.setdefault(r.parent_id or 0, []).append(r)
            elif r.level == Region.Level.GRID:
                grids.setdefault(r.parent_id or 0, []).append(r)
        units: dict[tuple[int, str], Unit] = {}
        in_county = Unit.objects.filter(region__prefix__startswith=county.prefix)
        for u in in_county.order_by("pk"):
            units.setdefault((u.region_id, u.kind), u)
        return cls(
            county=county,
            townships=[r for r in regions if r.level == Region.Level.TOWNSHIP],
            villages=villages,
            grids=grids,
            units=units,
            by_pk={r.pk: r for r in regions},
        )

    def township_of(self, region: Region) -> Region:
        return (
            region
            if region.level == Region.Level.TOWNSHIP
            else self.township_of(self.by_pk[region.parent_id or 0])
        )

    def village_of(self, region: Region) -> Region | None:
        if region.level == Region.Level.GRID:
            return self.by_pk[region.parent_id or 0]
        return region if region.level == Region.Level.VILLAGE else None

    def unit(self, region_id: int, kind: str) -> Unit | None:
        return self.units.get((region_id, kind))


# --- Simulated time ---------------------------------------------------------------------

WORK_START, WORK_END = time(8, 30), time(17, 30)
SWEEP_AT = time(19, 30)


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at.astimezone(UTC)


@dataclass
class _Sim:
    rng: random.Random
    clock: _Clock
    end: datetime
    calendar: WorkCalendar
    people: _People
    places: _Places
    categories: dict[str, Category]
    made: int = 0

    @property
    def today(self) -> date:
        return timezone.localtime(self.clock.at).date()

    def _workday_at(self, day: date, earliest: time = WORK_START) -> datetime:
        tz = timezone.get_current_timezone()
        start = datetime.combine(day, earliest, tz)
        end = datetime.combine(day, WORK_END, tz)
        span = max(int((end - start).total_seconds() // 60), 1)
        return start + timedelta(minutes=self.rng.randint(5, span))

    def at_work(self, moment: datetime) -> datetime:
        """`moment` if it falls in working hours, else a while after the next opening."""
        local = timezone.localtime(moment)
        day = local.date()
        if self.calendar.is_workday(day) and WORK_START <= local.time() < WORK_END:
            return local
        if not (self.calendar.is_workday(day) and local.time() < WORK_START):
            day = self.calendar.next_workday_from(day + timedelta(days=1))
        tz = timezone.get_current_timezone()
        return datetime.combine(day, WORK_START, tz) + timedelta(minutes=self.rng.randint(5, 90))

    def minutes(self, lo: int, hi: int) -> datetime:
        return self.clock.at + timedelta(minutes=self.rng.randint(lo, hi))

    def hours(self, lo: float, hi: float) -> datetime:
        return self.at_work(self.clock.at + timedelta(hours=self.rng.uniform(lo, hi)))

    def workdays(self, lo: int, hi: int) -> datetime:
        n = self.rng.randint(lo, hi)
        if n == 0:
            return self.hours(0.5, 4)
        return self._workday_at(self.calendar.add_working_days(self.today, n))

    def on(self, day: date) -> datetime:
        """Some time on `day` (or the next working day), and never before tomorrow."""
        day = max(day, self.today + timedelta(days=1))
        return self._workday_at(self.calendar.next_workday_from(day))


# --- One case's plan --------------------------------------------------------------------


@dataclass
class _Plan:
    at: datetime
    text: _Text
    new: services.NewCase
    values: dict[str, str]
    stop: Status
    outcome: str
    registrar: Actor
    reject: bool = False
    duplicate: bool = False
    village_committee: Unit | None = None
    return_first: bool = False
    transfer: bool = False
    escalate: str = ""  # "early" (before dispatch) or "late" (after the township tried)
    whistle: int = 0
    whistle_unanswered: bool = False
    supervise: bool = False
    extension: str = ""  # "grant", "refuse" or "pending"
    pause: bool = False
    slow: bool = False
    unsatisfied: bool = False
    relate: bool = False
    sessions: int = 0
    agreement: bool = False

    @property
    def top(self) -> str:
        return self.text.code.rstrip("0123456789")


def _org(rng: random.Random, kind: str, values: dict[str, str]) -> str:
    return rng.choice(ORGS[kind]).format(f=rng.choice(FIRMS), project=values["project"])


def _where(rng: random.Random, places: _Places, channel: str, people: _People) -> Region:
    """A township weighted by its villages, a village (the demo users' first villages a
    little more often), then usually one of its grids; grid reports often come from the
    grids that have a demo grid worker."""
    township = rng.choices(
        places.townships, weights=[8 + len(places.villages[t.pk]) for t in places.townships]
    )[0]
    villages = places.villages[township.pk]
    village = villages[0] if rng.random() < 0.15 else rng.choice(villages)
    grids = places.grids.get(village.pk, [])
    if channel == Case.Channel.GRID:
        staffed = [g for g in places.grids.get(villages[0].pk, []) if people.grid_worker(g.pk)]
        if staffed and rng.random() < 0.35:
            return rng.choice(staffed)
        return rng.choice(grids) if grids else village
    roll = rng.random()
    if roll < 0.7 and grids:
        return rng.choice(grids)
    return village if roll < 0.97 else township


def _address(rng: random.Random, region: Region, village: Region | None) -> str:
    if village is None:
        return ""
    if village.name.endswith("社区"):
        return f"{rng.choice(STREETS)}{rng.randint(1, 180)}号"
    return f"第{rng.randint(1, 12)}村民小组"


def _point(rng: random.Random, grid: Region) -> tuple[float | None, float | None]:
    """A point inside a grid: a convex combination of the corners of its (convex) cell."""
    if not grid.boundary or grid.boundary.get("type") != "Polygon":
        return None, None
    corners = grid.boundary["coordinates"][0][:-1]
    weights = [rng.uniform(0.2, 1.0) for _ in corners]
    total = sum(weights)
    lng = sum(w * c[0] for w, c in zip(weights, corners, strict=True)) / total
    lat = sum(w * c[1] for w, c in zip(weights, corners, strict=True)) / total
    return round(lng, 6), round(lat, 6)


def _values(
    rng: random.Random, text: _Text, region: Region, village: Region | None
) -> dict[str, str]:
    spouses = text.code == "HYJT01"  # a wife reporting her husband
    a = party_name(rng, woman=True if spouses else None)
    b_surname = a[0] if text.respondent == "relative" else ""
    amount = rng.randint(*text.amount) // 100 * 100 if text.amount else 0
    values = {
        "a": a,
        "v": (village or region).name,
        "grp": "",
        "n": "",
        "amt": money(amount) if amount else "",
        "amount": str(amount),
        "small": str(rng.choice((300, 500, 600, 800, 1000, 1500, 2000, 3000))),
        "k": str(rng.randint(2, 6)),
        "k2": str(rng.randint(7, 11)),
        "m": str(rng.randint(2, 14)),
        "y": str(rng.randint(1, 3)),
        "day": str(rng.choice((5, 10, 15, 20, 25))),
        "age": str(rng.randint(68, 89)),
        "area": str(rng.choice((12, 18, 25, 36, 48, 60, 85, 120))),
        "rent": str(rng.choice((600, 800, 1000, 1200))),
        "grade": rng.choice("七八九十"),
        "project": rng.choice(PROJECTS),
        "xq": rng.choice(ESTATES),
        "goods": rng.choice(GOODS),
        "injury": rng.choice(INJURIES),
        "vehicle": rng.choice(VEHICLES),
        "road": rng.choice(ROADS),
        "illness": rng.choice(ILLNESSES),
        "matter": rng.choice(MATTERS),
        "place": rng.choice(("大箐", "后山", "河边", "坝子", "老林", "水库边")),
        "deadline": "",  # set when the terms are written
    }
    values["b"] = (
        party_name(rng, b_surname, woman=False if spouses else None)
        if text.respondent in {"person", "relative", "none"}
        else _org(rng, text.respondent, values)
    )
    return values


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


def _terms(sim: _Sim, plan: "_Plan", template: str) -> str:
    if not plan.values["deadline"]:
        day = sim.today + timedelta(days=sim.rng.randint(10, 40))
        plan.values["deadline"] = f"{day.month}月{day.day}日"
    return _fill(template, plan.values)


# --- Choosing what happens to each case -------------------------------------------------

# Where a case stops, by how many days ago it was registered: old cases are mostly done,
# recent ones still open. (Besides these, about one case in twenty is rejected and then
# archived, see _decide.)
FATES: list[tuple[float, dict[Status, int]]] = [
    (60, {S.ARCHIVED: 88, S.VISITED: 5, S.CLOSED: 1, S.IN_PROGRESS: 3, S.REJECTED: 1}),
    (
        20,
        {
            S.ARCHIVED: 48,
            S.VISITED: 18,
            S.CLOSED: 7,
            S.IN_PROGRESS: 18,
            S.DISPATCHED: 2,
            S.ACCEPTED: 1,
            S.REJECTED: 5,
        },
    ),
    (
        5,
        {
            S.ARCHIVED: 8,
            S.VISITED: 18,
            S.CLOSED: 18,
            S.IN_PROGRESS: 40,
            S.DISPATCHED: 6,
            S.ACCEPTED: 3,
            S.REJECTED: 5,
        },
    ),
    (
        0,
        {
            S.CLOSED: 8,
            S.IN_PROGRESS: 35,
            S.DISPATCHED: 20,
            S.ACCEPTED: 15,
            S.REGISTERED: 15,
            S.REJECTED: 5,
        },
    ),
]
# At least this many cases stop in these statuses, taken from the most recent cases that
# are old enough (in working days) to have got there.
AT_LEAST = [(S.REGISTERED, 3, 0), (S.ACCEPTED, 3, 2), (S.DISPATCHED, 3, 3)]


def _fate(rng: random.Random, age_days: float) -> Status:
    for floor, weights in FATES:
        if age_days >= floor:
            return rng.choices(list(weights), weights=list(weights.values()))[0]
    raise AssertionError("the last band starts at 0")


def _registration_times(
    rng: random.Random, now: datetime, calendar: WorkCalendar, count: int
) -> list[tuple[datetime, str]]:
    times: list[tuple[datetime, str]] = []
    for _ in range(count):
        days = rng.uniform(0, RECENT_DAYS if rng.random() < RECENT_SHARE else DAYS)
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        day = timezone.localtime(now - timedelta(days=days)).date()
        by_day = channel in OFFICE_CHANNELS or channel == Case.Channel.GRID
        if by_day:  # at the office, or out on the grid, in working hours
            minute = rng.randint(8 * 60 + 40, 17 * 60)
        else:  # phoned, typed or pushed in at any hour, mostly by day
            minute = rng.choice((rng.randint(7 * 60, 22 * 60), rng.randint(0, 24 * 60 - 1)))
        tz = timezone.get_current_timezone()
        moment = datetime.combine(day, time(minute // 60, minute % 60), tz)
        while moment >= now - timedelta(minutes=30) or (
            by_day and not calendar.is_workday(moment.date())
        ):
            moment -= timedelta(days=1)
        times.append((moment, channel))
    return sorted(times)


def _plans(sim: _Sim, now: datetime, count: int) -> list[_Plan]:
    rng, calendar = sim.rng, sim.calendar
    plans = []
    for at, channel in _registration_times(rng, now, calendar, count):
        age = (now - at).total_seconds() / 86400
        plans.append(_plan(sim, at, channel, _fate(rng, age)))
    today = timezone.localdate(now)
    for status, least, workdays_old in AT_LEAST:
        have = sum(p.stop == status for p in plans)
        for plan in reversed(plans):
            if have >= least:
                break
            old_enough = calendar.working_days_between(plan.at.date(), today) >= workdays_old
            if old_enough and plan.stop in {S.IN_PROGRESS, S.CLOSED} and not plan.duplicate:
                plan.stop = status
                plan.reject = False
                have += 1
    return plans


def _plan(sim: _Sim, at: datetime, channel: str, stop: Status) -> _Plan:
    rng, places, people = sim.rng, sim.places, sim.people
    text = rng.choices(TEXTS, weights=[t.weight for t in TEXTS])[0]
    region = _where(rng, places, channel, people)
    village = places.village_of(region)
    values = _values(rng, text, region, village)
    values["grp"] = _address(rng, region, village)
    people_count = rng.randint(*text.people)
    values["n"] = str(people_count)
    values["detail"] = _fill(rng.choice(text.details), values)
    amount = int(values["amount"]) or None

    parties = [
        services.NewParty(role=Party.Role.APPLICANT, name=values["a"], phone=phone(rng)),
    ]
    if people_count >= 5 and text.respondent != "none":
        parties.append(  # a second representative of the group
            services.NewParty(role=Party.Role.APPLICANT, name=party_name(rng), phone=phone(rng))
        )
    if text.respondent != "none":
        is_org = text.respondent in ORGS
        parties.append(
            services.NewParty(
                role=Party.Role.RESPONDENT,
                name=values["b"],
                kind=Party.Kind.ORGANISATION if is_org else Party.Kind.PERSON,
                phone="" if is_org and rng.random() < 0.5 else phone(rng),
            )
        )
    risk, reasons = _risk(rng, text, people_count, amount)
    lng = lat = None
    if region.level == Region.Level.GRID and (
        channel in {Case.Channel.GRID, Case.Channel.SCREENING, Case.Channel.API}
        or rng.random() < 0.3
    ):
        lng, lat = _point(rng, region)
    address = f"{values['v']}{values['grp']}" if values["grp"] else ""
    new = services.NewCase(
        channel=channel,
        category=sim.categories[text.code],
        title=_fill(text.title, values)[:100],
        description=_fill(text.description, values),
        region=region,
        parties=parties,
        address=address,
        lng=lng,
        lat=lat,
        people_count=people_count,
        amount=Decimal(amount) if amount else None,
        risk_level=risk,
        risk_reasons=reasons,
        threat_of_violence=text.urgent == "violence",
        threat_of_self_harm=text.urgent == "self_harm",
    )
    plan = _Plan(
        at=at,
        text=text,
        new=new,
        values=values,
        stop=stop,
        outcome=_outcome(rng, text),
        registrar=_registrar(people, channel, region, places),
    )
    _decide(rng, plan, people_count, village, places)
    return plan


def _registrar(people: _People, channel: str, region: Region, places: _Places) -> Actor:
    """Who types it in: the portal or the API itself, the grid worker on their own grid,
    otherwise the township's intake officer."""
    if channel in {Case.Channel.ONLINE, Case.Channel.API}:
        return SYSTEM
    if channel == Case.Channel.GRID:
        worker = people.grid_worker(region.pk)
        if worker is not None:
            return worker
    return people.intake(places.township_of(region).pk)


def _risk(
    rng: random.Random, text: _Text, people_count: int, amount: int | None
) -> tuple[str, str]:
    reasons = []
    if text.urgent == "violence":
        reasons.append("当事人有暴力倾向")
    if text.urgent == "self_harm":
        reasons.append("当事人有自伤自杀倾向")
    if people_count >= 5:
        reasons.append(f"涉及{people_count}人，属群体性事项")
    if amount and amount >= 500_000:
        reasons.append(f"涉及金额{money(amount)}，数额较大")
    if text.risk:
        reasons.append(text.risk)
    if text.urgent:
        level = Case.Risk.MAJOR if rng.random() < 0.4 else Case.Risk.HIGH
    elif people_count >= 30 and text.risk and rng.random() < 0.5:
        level = Case.Risk.MAJOR
    elif people_count >= 5 and (text.risk or (amount or 0) >= 500_000) and rng.random() < 0.6:
        level = Case.Risk.HIGH
    elif people_count >= 5 or (amount or 0) >= 100_000 or text.risk:
        level = Case.Risk.HIGH if rng.random() < 0.1 and reasons else Case.Risk.MEDIUM
    else:
        level = Case.Risk.MEDIUM if rng.random() < 0.12 else Case.Risk.LOW
    if level != Case.Risk.LOW and not reasons:
        reasons.append(rng.choice(("当事人情绪激动，多次反映", "双方积怨较深，曾多次发生争吵")))
    return level, "；".join(reasons)


def _outcome(rng: random.Random, text: _Text) -> str:
    o = Case.Outcome
    weights = {
        "mediate": {
            o.MEDIATED: 60,
            o.PARTLY: 14,
            o.NOT_MEDIATED: 12,
            o.EXPLAINED: 9,
            o.UNFOUNDED: 5,
        },
        "handle": {o.HANDLED: 72, o.EXPLAINED: 20, o.UNFOUNDED: 8},
        "advise": {o.EXPLAINED: 50, o.HANDLED: 50},
    }[text.kind]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _decide(
    rng: random.Random, plan: _Plan, people_count: int, village: Region | None, places: _Places
) -> None:
    """The side paths this case takes, as likely as they are in practice."""
    text, stop = plan.text, plan.stop
    group = people_count >= 5
    if stop == S.REJECTED:
        plan.reject = True
        return
    if rng.random() < 0.05 and not text.urgent:
        plan.reject = True
        plan.stop = S.ARCHIVED
        return
    plan.duplicate = rng.random() < (0.12 if group else 0.03)
    plan.relate = rng.random() < (0.15 if group else 0.05)
    small_dispute = text.code[:4] in {"HYJT", "LLJF"} and not group and not text.urgent
    if small_dispute and village is not None:
        committee = places.unit(village.pk, K.MEDIATION_COMMITTEE)
        first = places.villages[village.parent_id or 0][0].pk == village.pk
        if committee is not None and rng.random() < (0.7 if first else 0.35):
            plan.village_committee = committee
    plan.return_first = rng.random() < 0.06
    if rng.random() < text.escalate:
        plan.escalate = "early" if rng.random() < 0.4 else "late"
    if not plan.escalate:
        plan.transfer = rng.random() < 0.05
        if rng.random() < text.whistle:
            plan.whistle = rng.choice((1, 1, 2))
            plan.whistle_unanswered = rng.random() < 0.3
    plan.supervise = rng.random() < (0.45 if group or text.urgent else 0.05)
    if text.urgent:  # handled within days: no time for appraisals or extensions
        plan.sessions = 1 if text.kind == "mediate" else 0
        plan.agreement = plan.sessions > 0 and plan.outcome == Case.Outcome.MEDIATED
        return
    plan.pause = bool(text.pause) and rng.random() < 0.4
    plan.extension = rng.choices(["", "grant", "refuse"], weights=[88, 8, 4])[0]
    plan.slow = rng.random() < (0.3 if stop == S.IN_PROGRESS else 0.1)
    plan.unsatisfied = rng.random() < 0.08
    mediated = plan.outcome in {Case.Outcome.MEDIATED, Case.Outcome.PARTLY}
    if text.kind == "mediate" and plan.outcome != Case.Outcome.UNFOUNDED:
        plan.sessions = rng.choice((1, 1, 1, 2)) if mediated else 2
        plan.agreement = mediated and text.respondent != "none"
    if stop == S.IN_PROGRESS and rng.random() < 0.3 and not plan.extension:
        plan.extension = "pending"


# --- A case's life ----------------------------------------------------------------------


def _story(sim: _Sim, plan: _Plan) -> Story:
    rng, people = sim.rng, sim.people
    case = services.case_register(by=plan.registrar, new=plan.new)
    sim.made += 1
    if plan.stop == S.REGISTERED:
        return
    urgent = case.is_urgent

    def later(lo: int, hi: int) -> datetime:
        """A few working days on; an urgent case is worked on within hours."""
        return sim.hours(1, 8) if urgent else sim.workdays(lo, hi)

    yield sim.minutes(10, 40) if urgent else sim.hours(0.3, 10)
    intake = people.intake(case.centre_id)
    if not urgent and not plan.reject and rng.random() < 0.04 and case.due_on is not None:
        # Left lying past the acceptance limit: the sweep raises an order the centre answers.
        yield sim.on(case.due_on + timedelta(days=2))

    if plan.reject:
        reason = REJECTIONS.get(plan.top, REJECTIONS[""])
        services.case_reject(by=intake, case=case, reason=reason, notice=rng.choice(NOTICES))
        if plan.stop == S.REJECTED:
            return
        yield sim.workdays(1, 5)
        services.case_archive(by=intake, case=case, note="不予受理告知书已送达，材料归档。")
        return

    _answer_orders(sim, case)  # accepted late: the centre answers the automatic order first
    services.case_accept(by=intake, case=case, note=rng.choice(ACCEPT_NOTES))
    _front_desk(sim, case, intake)
    if plan.relate:
        yield sim.minutes(5, 30)
        _relate(sim, case, intake)
    if plan.escalate == "early":
        yield sim.hours(0.5, 6)
        services.case_escalate(by=intake, case=case, reason=rng.choice(ESCALATE_REASONS))
        intake = people.intake(case.centre_id)
    if plan.stop == S.ACCEPTED:
        return
    yield sim.minutes(10, 40) if urgent else sim.hours(0.3, 8)

    if plan.return_first and not urgent:
        wrong = _wrong_unit(sim, case)
        services.case_dispatch(by=intake, case=case, lead_unit=wrong)
        yield sim.workdays(0, 2)
        services.case_return(by=people.handler(wrong), case=case, reason=_return_reason(wrong))
        yield sim.hours(0.5, 6)
    lead = _dispatch(sim, plan, case, intake)
    if plan.stop == S.DISPATCHED:
        return
    yield sim.minutes(10, 60) if urgent else sim.hours(0.5, 16)
    services.case_start(by=people.handler(lead), case=case, note="已签收，指定专人办理。")

    if plan.transfer:
        yield sim.workdays(1, 3)
        other = _transfer_target(sim, case)
        if other is not None:
            note = TRANSFER_NOTES.get(other.kind, f"转{other.name}办理。")
            services.case_transfer(by=intake, case=case, lead_unit=other, note=note)
            yield sim.hours(0.5, 8)
            services.case_start(by=people.handler(other), case=case)

    yield sim.hours(1, 20)
    handler = people.handler(case.lead_unit)
    services.case_record_progress(by=handler, case=case, note=rng.choice(PROGRESS_NOTES))
    _facts_found(sim, case, handler)

    if plan.escalate == "late":
        yield later(1, 4)
        services.case_escalate(by=intake, case=case, reason=rng.choice(ESCALATE_REASONS))
        intake = people.intake(case.centre_id)
        yield sim.hours(0.5, 8)
        lead = _dispatch(sim, plan, case, intake)
        yield sim.hours(0.5, 12)
        services.case_start(by=people.handler(lead), case=case, note="已签收，指定专人办理。")

    if plan.duplicate:
        yield later(0, 3)
        yield from _duplicate(sim, plan, case)

    if plan.whistle:
        yield later(0, 2)
        summoned = _whistle(sim, plan, case, intake)
        for i, unit in enumerate(summoned):
            if plan.whistle_unanswered and i == len(summoned) - 1:
                break
            yield sim.hours(2, 20)
            services.case_answer_whistle(
                by=people.handler(unit), case=case, answer=rng.choice(WHISTLE_ANSWERS)
            )

    handler = people.handler(case.lead_unit)
    if plan.pause:
        yield later(1, 3)
        until = sim.today + timedelta(days=rng.randint(10, 25))
        reason = plan.text.pause
        note = PAUSE_NOTES.get(reason, PAUSE_NOTES[ClockPause.Reason.OTHER])
        services.case_pause(by=handler, case=case, reason=reason, until=until, note=note)
        if rng.random() < 0.5:  # the result came early
            yield sim.on(sim.today + timedelta(days=rng.randint(4, 9)))
            case.refresh_from_db()
            if case.paused_since is not None:
                services.case_resume(by=handler, case=case, note="鉴定结论已出，恢复计时。")
        else:  # the sweep resumes it on the day it was set for
            yield sim.on(until + timedelta(days=1))

    if plan.supervise:
        yield later(1, 4)
        services.case_supervise(
            by=people.leader(case.centre_id), case=case, text=rng.choice(SUPERVISION_TEXTS)
        )
        if plan.stop != S.IN_PROGRESS or rng.random() < 0.5:
            yield later(1, 3)
            _answer_orders(sim, case)

    records = rng.sample(SESSION_RECORDS, len(SESSION_RECORDS))  # each meeting its own
    for i in range(plan.sessions - 1):
        yield later(1, 4)
        _session(sim, plan, case, records[i % len(records)])

    if plan.extension:
        yield later(1, 3)
        days = rng.choice((5, 10, 15)) if not case.is_petition else rng.choice((15, 30))
        services.case_request_extension(
            by=handler, case=case, days=days, reason=rng.choice(EXTENSION_REASONS)
        )
        if plan.extension != "pending":
            yield later(0, 2)
            leader = people.leader(case.centre_id)
            if plan.extension == "grant":
                told = "已电话告知信访人延期理由和期限" if case.is_petition else ""
                services.case_grant_extension(
                    by=leader, case=case, note="同意延期，请抓紧办理。", applicant_told_by=told
                )
            else:
                services.case_refuse_extension(
                    by=leader, case=case, note="延期理由不充分，请按期办结。"
                )

    if plan.slow:  # it drags on past its deadline; the sweep raises an order
        case.refresh_from_db()
        due = case.due_on or sim.today
        yield sim.on(due + timedelta(days=rng.randint(3, 20)))
        _answer_orders(sim, case)
    if plan.stop == S.IN_PROGRESS:
        return

    yield later(1, 5)
    _answer_orders(sim, case)
    if plan.sessions:
        last = SESSION_DONE if plan.agreement else records[(plan.sessions - 1) % len(records)]
        _session(sim, plan, case, last)
    # A committee writes the agreement; none is on the case if it was transferred away.
    if plan.agreement and _mediator_for(sim, case)[1].kind == K.MEDIATION_COMMITTEE:
        yield sim.minutes(20, 90)
        _agreement(sim, plan, case)
    yield sim.hours(0.5, 6)
    _close(sim, plan, case)
    if plan.stop == S.CLOSED:
        return

    yield sim.workdays(1, 6)
    intake = people.intake(case.centre_id)
    if plan.unsatisfied:  # reopened, worked on again, closed again
        complaint, progress, closing = UNSATISFIED[plan.outcome in PROMISED]
        services.case_visit(
            by=intake, case=case, satisfaction=Case.Satisfaction.UNSATISFIED, note=complaint
        )
        yield sim.workdays(1, 3)
        handler = people.handler(case.lead_unit)
        services.case_record_progress(by=handler, case=case, note=progress)
        yield sim.workdays(2, 6)
        services.case_close(by=handler, case=case, outcome=plan.outcome, note=closing)
        yield sim.workdays(1, 4)
    pleased = SATISFIED_SHARE.get(plan.outcome, 55)
    satisfaction = rng.choices(
        [Case.Satisfaction.SATISFIED, Case.Satisfaction.BASICALLY], weights=[pleased, 100 - pleased]
    )[0]
    services.case_visit(
        by=intake, case=case, satisfaction=satisfaction, note=rng.choice(VISIT_NOTES[satisfaction])
    )
    if plan.stop == S.VISITED:
        return
    yield sim.workdays(1, 12)
    services.case_archive(by=intake, case=case, note=rng.choice(("", "材料齐全，归档。")))


# 更正 and the parties, on a few cases picked by their number (not by the simulation's
# random stream, so adding them left every other case as it was).


def _front_desk(sim: _Sim, case: Case, intake: Actor) -> None:
    """At acceptance the centre records the applicant's address and identity number, or
    raises the risk it has learnt of."""
    local = random.Random(sim.made)  # noqa: S311 (invented data)
    if sim.made % 9 == 0:
        applicant = case.parties.filter(role=Party.Role.APPLICANT).first()
        if applicant is not None:
            born = date(local.randint(1955, 2000), local.randint(1, 12), local.randint(1, 28))
            first17 = f"{case.region.code[:6]}{born:%Y%m%d}{local.randint(100, 999)}"
            details = services.PartyDetails(
                role=applicant.role,
                kind=applicant.kind,
                name=applicant.name,
                phone=applicant.phone,
                address=case.address or case.region.name,
                identity_number=with_check_digit(first17),
            )
            services.case_edit_party(by=intake, case=case, party=applicant, details=details)
    if sim.made % 8 == 0 and case.risk_level == Case.Risk.LOW:
        services.case_correct(
            by=intake,
            case=case,
            changes={"risk_level": Case.Risk.MEDIUM, "risk_reasons": "受理时了解到双方曾发生口角"},
            note="受理时核实情况，调整风险等级",
        )


def _facts_found(sim: _Sim, case: Case, handler: Actor) -> None:
    """The lead unit corrects what it found on the spot, or adds a party it met there."""
    if sim.made % 7 == 0:
        services.case_correct(
            by=handler,
            case=case,
            changes={"people_count": case.people_count + 1},
            note="经现场核实，涉及人数有误",
        )
    if sim.made % 11 == 5:
        services.case_attach(
            by=handler, case=case, uploads=[_site_photo(sim.made)], note="现场核实时拍摄"
        )
    if sim.made % 10 == 3:
        local = random.Random(sim.made)  # noqa: S311 (invented data)
        services.case_add_party(
            by=handler,
            case=case,
            details=services.PartyDetails(
                role=Party.Role.OTHER, name=party_name(local), phone=phone(local)
            ),
        )


def _site_photo(n: int) -> SimpleUploadedFile:
    """A small invented photo from the spot (a drawn scene, the same for the same case)."""
    local = random.Random(n)  # noqa: S311 (invented data)
    image = Image.new("RGB", (640, 480), (200, 210, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 480), fill=(120, 110, 100))  # the ground
    for _ in range(6):  # what was piled up or built there
        x, y = local.randint(20, 560), local.randint(180, 380)
        colour = (local.randint(60, 200), local.randint(60, 200), local.randint(60, 200))
        draw.rectangle((x, y, x + local.randint(40, 120), y + local.randint(30, 90)), fill=colour)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile("现场照片.jpg", buffer.getvalue(), content_type="image/jpeg")


def _centre_unit(sim: _Sim, case: Case, kind: str) -> Unit | None:
    return sim.places.unit(case.centre_id, kind)


def _dispatch(sim: _Sim, plan: _Plan, case: Case, intake: Actor) -> Unit:
    """派单 to the suggested unit (or the village's committee, or the justice station)."""
    lead: Unit | None = None
    at_township = case.centre_id != sim.places.county.pk
    if at_township and plan.village_committee is not None:
        lead = plan.village_committee
    elif at_township and plan.text.lead:
        lead = _centre_unit(sim, case, plan.text.lead)
    lead = lead or services.suggested_unit(case) or _centre_unit(sim, case, K.JUSTICE)
    assert lead is not None
    co: list[Unit] = []
    committee = _centre_unit(sim, case, K.MEDIATION_COMMITTEE)
    if plan.agreement and lead.kind != K.MEDIATION_COMMITTEE and committee is not None:
        co.append(committee)
    police = _centre_unit(sim, case, K.POLICE)
    needs_police = case.is_group or case.is_urgent
    if needs_police and police is not None and lead != police and sim.rng.random() < 0.5:
        co.append(police)
    note = "" if not co else "请主办单位牵头，协办单位配合。"
    services.case_dispatch(by=intake, case=case, lead_unit=lead, co_units=co, note=note)
    return lead


def _wrong_unit(sim: _Sim, case: Case) -> Unit:
    right = services.suggested_unit(case)
    kind = K.JUSTICE if right is not None and right.kind == K.POLICE else K.POLICE
    unit = _centre_unit(sim, case, kind)
    assert unit is not None
    return unit


def _return_reason(unit: Unit) -> str:
    return RETURN_REASONS.get(unit.kind, "该事项不属于本单位职责范围，退回重新派单。")


def _transfer_target(sim: _Sim, case: Case) -> Unit | None:
    lead = case.lead_unit
    kind = K.POLICE if lead is not None and lead.kind == K.JUSTICE else K.JUSTICE
    other = _centre_unit(sim, case, kind)
    return other if other is not None and other != lead else None


def _whistle(sim: _Sim, plan: _Plan, case: Case, intake: Actor) -> list[Unit]:
    county = sim.places.county.pk
    on_case = case.unit_ids()
    kinds = WHISTLE_KINDS.get(plan.top, [K.JUSTICE])[: plan.whistle]
    units = [u for k in kinds if (u := sim.places.unit(county, k)) and u.pk not in on_case]
    if not units:
        return []
    dept = "、".join(u.name for u in units)
    reason = sim.rng.choice(WHISTLE_REASONS).format(dept=dept)
    services.case_whistle(by=intake, case=case, units=units, reason=reason)
    return units


def _answer_orders(sim: _Sim, case: Case) -> None:
    """Answer the open orders: the centre before dispatch, the lead unit after."""
    case.refresh_from_db()
    if case.status in {S.REGISTERED, S.ACCEPTED}:
        handler = sim.people.intake(case.centre_id)
    elif case.status in {S.DISPATCHED, S.IN_PROGRESS}:
        handler = sim.people.handler(case.lead_unit)
    else:
        return
    for order in SupervisionOrder.objects.filter(case=case, answered_at__isnull=True):
        services.case_answer_supervision(
            by=handler, case=case, order=order, answer=sim.rng.choice(SUPERVISION_ANSWERS)
        )


def _mediator_for(sim: _Sim, case: Case) -> tuple[Actor, Unit]:
    """Who mediates: the lead unit's person, or the committee's on the case beside it."""
    lead = case.lead_unit
    assert lead is not None
    if lead.kind != K.MEDIATION_COMMITTEE:
        committee = _centre_unit(sim, case, K.MEDIATION_COMMITTEE)
        if committee is not None and committee.pk in case.unit_ids():
            return sim.people.handler(committee), committee
    return sim.people.handler(lead), lead


def _mediators(sim: _Sim, actor: Actor) -> str:
    return "、".join(n for n in (_name(actor), party_name(sim.rng)) if n)


def _session(sim: _Sim, plan: _Plan, case: Case, record: str) -> None:
    actor, unit = _mediator_for(sim, case)
    village = plan.values["v"]
    office = f"{village}{'居委会' if village.endswith('社区') else '村委会'}会议室"
    services.case_record_session(
        by=actor,
        case=case,
        held_on=sim.today,
        place=sim.rng.choice((f"{unit.name}调解室", office, "纠纷现场")),
        mediators=_mediators(sim, actor),
        parties_present="、".join(p.name for p in case.parties.all()[:4]),
        record=_fill(record, plan.values),
    )


def _performance(terms: str) -> tuple[str, ...]:
    return PAYING if "{amt}" in terms or "{small}" in terms else DOING


def _agreement(sim: _Sim, plan: _Plan, case: Case) -> None:
    actor, _ = _mediator_for(sim, case)
    services.case_make_agreement(
        by=actor,
        case=case,
        facts=case.description,
        terms=_terms(sim, plan, plan.text.terms) + "。",
        performance=_terms(sim, plan, sim.rng.choice(_performance(plan.text.terms))),
        mediators=_mediators(sim, actor),
        made_on=sim.today,
    )


def _close(sim: _Sim, plan: _Plan, case: Case) -> None:
    o = Case.Outcome
    lead = case.lead_unit
    assert lead is not None
    court = "申请劳动仲裁" if plan.top == "LZJF" else "向人民法院起诉"
    terms = _terms(sim, plan, plan.text.terms)
    handled = _terms(sim, plan, plan.text.handled) if plan.text.handled else "已依法处理"
    note = {
        o.MEDIATED: f"经{lead.name}组织调解，双方自愿达成协议：{terms}。",
        o.PARTLY: f"经调解，双方就主要争议达成部分共识：{terms}；"
        f"其余诉求已告知当事人可依法{court}。",
        o.NOT_MEDIATED: f"经{max(plan.sessions, 1)}次调解，双方分歧较大未能达成协议，"
        f"已告知当事人可依法{court}。",
        o.HANDLED: handled + "。",
        o.EXPLAINED: "已向当事人解释相关政策和法律规定，当事人表示理解。",
        o.UNFOUNDED: "经现场核查，反映情况与事实不符，已向反映人反馈核查结果。",
    }[o(plan.outcome)]
    services.case_close(by=sim.people.handler(lead), case=case, outcome=plan.outcome, note=note)


def _relate(sim: _Sim, case: Case, intake: Actor) -> None:
    """关联 the last earlier case of the same kind from the same village, else from the
    same township."""
    same_kind = (
        Case.objects.filter(
            registered_at__lt=case.registered_at,
            category__parent_id=case.category.parent_id,
            centre_prefix=case.centre_prefix,
        )
        .exclude(status=S.MERGED)
        .exclude(pk=case.pk)
        .order_by("-registered_at")
    )
    village = case.region_prefix[:12]
    other = len(village) == 12 and same_kind.filter(region_prefix__startswith=village).first()
    note = "同村（社区）此前发生过同类纠纷，关联查看。"
    if not other:
        other = same_kind.first()
        note = "与该事项起因相近，关联办理。"
    if other:
        services.case_relate(by=intake, case=case, other=other, note=note)


def _duplicate(sim: _Sim, plan: _Plan, case: Case) -> Story:
    """The same matter reported again by someone else; the centre merges it."""
    rng = sim.rng
    channel = rng.choice((Case.Channel.HOTLINE, Case.Channel.PHONE, Case.Channel.ONLINE))
    who = party_name(rng)
    parties = [services.NewParty(role=Party.Role.APPLICANT, name=who, phone=phone(rng))]
    parties += [
        services.NewParty(role=p.role, name=p.name, kind=p.kind, phone=p.phone)
        for p in case.parties.filter(role=Party.Role.RESPONDENT)
    ]
    new = services.NewCase(
        channel=channel,
        category=case.category,
        title=case.title,
        description=f"{who}通过{Case.Channel(channel).label}反映：{case.description}",
        region=case.region,
        parties=parties,
        address=case.address,
        people_count=case.people_count,
        amount=case.amount,
        risk_level=case.risk_level,
        risk_reasons=case.risk_reasons,
    )
    registrar = _registrar(sim.people, channel, case.region, sim.places)
    duplicate = services.case_register(by=registrar, new=new)
    sim.made += 1
    yield sim.hours(0.3, 5)
    services.case_merge(
        by=sim.people.intake(case.centre_id),
        case=duplicate,
        into=case,
        note=f"与{case.code}反映的是同一事项，合并办理。",
    )


def _sweeps(sim: _Sim, first: date) -> Story:
    """The scheduled deadline sweep, every evening of the simulated months (the real one
    runs hourly; once a day, after office hours, gives the same orders and warnings without
    warning about every case that came in overnight and is accepted first thing)."""
    tz = timezone.get_current_timezone()
    day = first
    while True:
        yield datetime.combine(day, SWEEP_AT, tz)
        services.sweep_deadlines()
        day += timedelta(days=1)


# --- Running it -------------------------------------------------------------------------


def _run(sim: _Sim, stories: list[tuple[datetime, Story]]) -> None:
    """Run the stories interleaved, each step at its moment, until now."""
    queue: list[tuple[datetime, int, Story]] = []
    for seq, (at, story) in enumerate(stories):
        queue.append((at, seq, story))
    heapq.heapify(queue)
    seq = len(queue)
    while queue:
        at, _, story = heapq.heappop(queue)
        if at >= sim.end:  # the rest of this story has not happened yet
            story.close()
            continue
        sim.clock.at = at
        try:
            after = next(story)
        except StopIteration:
            continue
        seq += 1
        heapq.heappush(queue, (max(after, at), seq, story))


def load_demo_cases(rng: random.Random, *, now: datetime | None = None, count: int = CASES) -> int:
    """Give the demo county its cases; return how many were made (0 when it has some).

    `now` is the moment the six months end (the present unless given), so that the demo
    can be built as it would have looked on another day. `count` is how many cases come
    in (duplicates reported again come on top).
    """
    county = Region.objects.get(prefix=COUNTY_PREFIX)
    if count == 0 or Case.objects.filter(region_prefix__startswith=county.prefix).exists():
        return 0
    now = timezone.localtime(now or timezone.now())
    sim = _Sim(
        rng=rng,
        clock=_Clock(now),
        end=now,
        calendar=current_calendar(),
        people=_People(),
        places=_Places.load(county),
        categories={c.code: c for c in Category.objects.select_related("parent")},
    )
    plans = _plans(sim, now, count)
    first = min(p.at for p in plans).date()
    stories: list[tuple[datetime, Story]] = [(p.at, _story(sim, p)) for p in plans]
    stories.append((datetime.combine(first, SWEEP_AT, now.tzinfo), _sweeps(sim, first)))
    # The services read the time from `timezone.now` (`localdate` asks it too).
    with mock.patch("django.utils.timezone.now", sim.clock.now):
        _run(sim, stories)
        # Today's sweep: what is overdue now has its order, what is near its warning.
        sim.clock.at = now
        services.sweep_deadlines(today=timezone.localdate(now))
    return sim.made
