"""N cases with their timelines, parties and units, written as the services would have
left them.

Each case gets a life drawn up front — when it is accepted (or rejected), dispatched,
started, closed, visited and archived, in working days after the step before — and then
keeps the steps that happened before today: a recent case is still open, an old one is
archived. A few cases stall where they stand and so run past their deadline (the overdue
ones every dashboard shows red). Every field a step writes (deadlines, dates, outcome,
satisfaction, lead unit and its Assignment row) is set as that step's service sets it, and
every step leaves its CaseEvent with the data the service records.
"""

import multiprocessing
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from itertools import accumulate
from time import process_time
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from zongzhi.benchmarks.loading import (
    Table,
    copying_in_background,
    is_postgres,
    next_id,
    server_cpu_seconds,
    skip_foreign_key_triggers,
)
from zongzhi.benchmarks.places import Province, Township
from zongzhi.cases import deadlines, search
from zongzhi.cases.models import Assignment, Case, CaseEvent, DeadlinePolicy, Party
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.seed import COUNTY_ROUTES, TOWNSHIP_ROUTES
from zongzhi.categories.models import Category
from zongzhi.core.services import CODE_ALPHABET
from zongzhi.demo.case_texts import CHANNEL_WEIGHTS
from zongzhi.demo.people import GIVEN, SURNAMES
from zongzhi.units.models import Unit
from zongzhi.workdays.selectors import current_calendar

MODELS = [Case, CaseEvent, Party, Assignment]
CHUNK = 250_000  # cases per chunk: a unit of work for one process, one commit
DAYS = 730  # registrations over the past two years
GROWTH = 2.0  # the last day sees this many times the cases of the first: use is growing
COUNTY_CENTRE_SHARE = 0.05  # registered at the county centre (hotline, petitions …)
STALL_SHARE = 0.02  # stop at an open status and run late
REJECT_SHARE = 0.04
LATE_ACCEPT_SHARE = 0.03
LATE_CLOSE_SHARE = 0.08
UNSATISFIED_SHARE = 0.05
CO_UNIT_SHARE = 0.05
RESPONDENT_SHARE = 0.6
ARCHIVE_SHARE = 0.9  # of visited cases, eventually
# How often each top-level category comes in: family and neighbours lead everywhere.
CATEGORY_WEIGHTS = {
    "HYJT": 18, "LLJF": 22, "LZJF": 10, "ZDCQ": 4, "SLTD": 9, "FCWY": 8, "YLJF": 3,
    "HJBH": 5, "JJJR": 6, "SFSS": 2, "XF": 6, "JTSG": 4, "QT": 3,
}  # fmt: skip
AMOUNT_CATEGORIES = {"LZJF", "ZDCQ", "JJJR", "JTSG", "YLJF", "FCWY", "XF", "SLTD"}
RISKS = [(Case.Risk.LOW, 70), (Case.Risk.MEDIUM, 22), (Case.Risk.HIGH, 6.5), (Case.Risk.MAJOR, 1.5)]
RISK_REASONS = ["涉及人数较多，情绪激动", "矛盾反复，有激化苗头", "涉及金额较大", "曾有过激言行"]
OUTCOMES = [
    (Case.Outcome.MEDIATED, 55), (Case.Outcome.HANDLED, 18), (Case.Outcome.EXPLAINED, 10),
    (Case.Outcome.PARTLY, 8), (Case.Outcome.NOT_MEDIATED, 6), (Case.Outcome.UNFOUNDED, 3),
]  # fmt: skip
WORK_SECONDS = 9 * 3600  # 08:30–17:30
CASE_FIELDS = [
    "id", "code", "channel", "category_id", "title", "description", "region_id",
    "region_prefix", "address", "centre_id", "centre_prefix", "people_count", "amount",
    "risk_level", "risk_reasons", "threat_of_violence", "threat_of_self_harm", "status",
    "lead_unit_id", "outcome", "outcome_note", "satisfaction", "petition_stage", "policy_id",
    "counting", "accept_days", "handle_days", "warn_days", "due_on", "closed_due_on",
    "registered_at", "registered_by_id", "accepted_on", "closed_on", "updated_at",
    "search_text",
]  # fmt: skip
EVENT_FIELDS = [
    "case_id", "step", "from_status", "to_status", "at", "actor_id", "actor_name", "unit_id",
    "note", "data",
]  # fmt: skip
S = Status


def _weighted[T](pairs: Sequence[tuple[T, float]]) -> tuple[list[T], list[float]]:
    return [v for v, _ in pairs], list(accumulate(w for _, w in pairs))


@cache
def opening(day: date) -> datetime:
    """08:30 on `day` in the site's time zone: the office opens, the morning sweep runs."""
    return datetime.combine(day, time(8, 30), timezone.get_current_timezone()).astimezone(UTC)


def tracking_code(day: date, n: int, salt: int) -> str:
    """The date and six characters, distinct for every n below 32⁶: n times an odd number
    modulo 2³⁰ is a permutation, so no two cases share a code and none needs checking."""
    x = (n * 0x2545F491 + salt) & 0x3FFFFFFF
    chars = []
    for _ in range(6):
        chars.append(CODE_ALPHABET[x & 31])
        x >>= 5
    return f"{day:%y%m%d}-{''.join(chars)}"


class _Dates:
    """Working-day arithmetic, remembered: two years hold ~730 days and a handful of
    periods, so each answer is computed once for ten million cases."""

    def __init__(self, today: date) -> None:
        self.calendar = current_calendar()
        self.today = today

    @cache  # noqa: B019 — one instance per generation run
    def deadline(self, start: date, n: int, counting: str) -> date:
        return self.calendar.deadline(start, n, counting)

    @cache  # noqa: B019
    def workdays(self, start: date, n: int) -> date:
        return (
            self.calendar.add_working_days(start, n)
            if n
            else self.calendar.next_workday_from(start)
        )


class _Policies:
    def __init__(self) -> None:
        self.policies = {
            p.pk: p
            for p in DeadlinePolicy.objects.filter(is_active=True).select_related("category")
        }
        self.terms = [
            deadlines.PolicyTerms(
                key=p.pk,
                channel=p.channel,
                category_code=p.category.code if p.category else None,
                urgent=p.urgent,
            )
            for p in self.policies.values()
        ]

    @cache  # noqa: B019
    def choose(self, channel: str, codes: tuple[str, ...], urgent: bool) -> DeadlinePolicy:
        key = deadlines.choose_policy(
            self.terms, channel=channel, category_codes=list(codes), urgent=urgent
        )
        if key is None:
            raise ValueError("no deadline policy applies: the seeded policies are missing")
        return self.policies[key]


class _Life:
    """One case as its steps leave it: the fields the services set, and its timeline."""

    __slots__ = (
        "accepted_on", "assignments", "closed_due_on", "closed_on", "due_on", "events",
        "lead_unit", "outcome", "prev", "satisfaction", "stall_at", "status",
    )  # fmt: skip

    def __init__(self) -> None:
        self.status = S.REGISTERED
        self.due_on: date | None = None
        self.accepted_on: date | None = None
        self.closed_on: date | None = None
        self.closed_due_on: date | None = None
        self.lead_unit: int | None = None
        self.outcome = ""
        self.satisfaction = ""
        self.assignments: list[tuple[int, str, datetime]] = []
        self.events: list[tuple[Any, ...]] = []
        self.stall_at = 99
        self.prev: datetime | None = None


class _CaseGenerator:
    def __init__(self, province: Province, today: date, salt: int) -> None:
        self.rng = random.Random()  # noqa: S311 — set per chunk
        # Phones and addresses (what the search finds) from their own stream, so that the
        # cases' places, categories and lives stay what they were before those existed.
        self.side = random.Random()  # noqa: S311 — set per chunk
        self.p = province
        self.dates = _Dates(today)
        self.policies = _Policies()
        self.cases = Table(Case, CASE_FIELDS)
        self.events = Table(CaseEvent, EVENT_FIELDS)
        self.parties = Table(
            Party,
            [
                "case_id", "kind", "role", "name", "phone", "phone_digits", "address",
                "identity_encrypted", "identity_masked",
            ],
        )  # fmt: skip
        self.assignments = Table(Assignment, ["case_id", "unit_id", "kind", "since"])
        self.tables = [self.cases, self.events, self.parties, self.assignments]
        self.townships = province.townships
        self.township_weights = list(accumulate(len(t.grids) for t in self.townships))
        leaves = list(
            Category.objects.filter(parent__isnull=False)
            .order_by("code")
            .values_list("pk", "name", "code", "parent__code")
        )
        per_top: dict[str, int] = {}
        for *_, top in leaves:
            per_top[top] = per_top.get(top, 0) + 1
        self.leaves, self.leaf_weights = _weighted(
            [(leaf, CATEGORY_WEIGHTS.get(leaf[3], 1) / per_top[leaf[3]]) for leaf in leaves]
        )
        self.channels, self.channel_weights = _weighted(list(CHANNEL_WEIGHTS.items()))
        self.risks, self.risk_weights = _weighted(RISKS)
        self.outcomes, self.outcome_weights = _weighted(OUTCOMES)
        first = today - timedelta(days=DAYS)
        self.days = [first + timedelta(days=i) for i in range(DAYS)]
        self.day_weights = list(accumulate(1 + (GROWTH - 1) * i / DAYS for i in range(DAYS)))
        self.salt = salt
        self.unit_names = dict(
            Unit.objects.filter(region__prefix__startswith=province.root.prefix).values_list(
                "pk", "name"
            )
        )

    def run(self, chunk: "Chunk") -> dict[str, int]:
        """Write one chunk of cases; returns the rows written per table."""
        self.rng.seed(chunk.seed)
        self.side.seed(chunk.seed + 1)
        before = [t.count for t in self.tables]
        for n in range(chunk.start, chunk.start + chunk.count):
            self.one(chunk.first_id + n, n)
            if n % 20_000 == 19_999:
                # Parents before children: the cases' batch goes out first.
                for table in self.tables:
                    table.flush()
        for table in self.tables:
            table.flush()
        return {
            str(t.model._meta.model_name): t.count - b
            for t, b in zip(self.tables, before, strict=True)
        }

    def pick[T](self, values: Sequence[T], weights: Sequence[float]) -> T:
        return values[bisect(weights, self.rng.random() * weights[-1])]

    def between(self, low: int, high: int) -> int:
        """randint without its argument checks: a third of the generator's time went there."""
        return low + int(self.rng.random() * (high - low + 1))

    def name(self) -> str:
        r = self.rng.random
        return (
            SURNAMES[int(r() * len(SURNAMES))]
            + GIVEN[int(r() * len(GIVEN))]
            + GIVEN[int(r() * len(GIVEN))]
        )

    def one(self, pk: int, n: int) -> None:
        rng = self.rng
        random_ = rng.random
        # Where, what, through which door.
        township: Township = self.pick(self.townships, self.township_weights)
        at_county = random_() < COUNTY_CENTRE_SHARE
        village_unit = None
        if at_county:
            county = township.county
            region_id, region_prefix, place = county.id, county.prefix, county.name
            centre_id, centre_prefix, intake = county.id, county.prefix, county.intake
        else:
            r = random_()
            if r < 0.7:
                grid = township.grids[int(random_() * len(township.grids))]
                region_id, region_prefix, place = grid.id, grid.prefix, grid.name
                village_unit = township.village_units[township.village_of_grid[grid.id].id]
            elif r < 0.9:
                village = township.villages[int(random_() * len(township.villages))]
                region_id, region_prefix, place = village.id, village.prefix, village.name
                village_unit = township.village_units[village.id]
            else:
                region_id, region_prefix, place = township.id, township.prefix, township.name
            centre_id, centre_prefix, intake = township.id, township.prefix, township.intake
        category_id, category_name, category_code, top = self.pick(self.leaves, self.leaf_weights)
        channel = self.pick(self.channels, self.channel_weights)
        urgent = random_() < 0.01
        violence = urgent and random_() < 0.6
        risk = self.pick(self.risks, self.risk_weights)
        if urgent and risk == Case.Risk.LOW:
            risk = Case.Risk.HIGH
        risk_reasons = rng.choice(RISK_REASONS) if risk in {Case.Risk.HIGH, Case.Risk.MAJOR} else ""
        r = random_()
        people = 1 if r < 0.6 else self.between(2, 4) if r < 0.92 else self.between(5, 60)
        amount = (
            Decimal(self.between(5, 5000) * 100)
            if top in AMOUNT_CATEGORIES and random_() < 0.7
            else None
        )
        petition = channel == Case.Channel.PETITION
        policy = self.policies.choose(
            Case.Channel.PETITION if petition else channel, (category_code, top), urgent
        )
        reg_day = self.pick(self.days, self.day_weights)
        registered_by = (
            self.p.grid_worker.get(region_id, intake) if channel == Case.Channel.GRID else intake
        )
        life = _Life()
        if random_() < STALL_SHARE:
            life.stall_at = self.between(0, 3)  # the steps it takes before it stalls
        reg_at = self._at(reg_day, None)
        life.prev = reg_at
        life.due_on = self.dates.deadline(reg_day, policy.accept_days, policy.counting)
        data: dict[str, Any] = {"policy": policy.name, "due_on": str(life.due_on)}
        if urgent:
            data["care_referral_offered"] = True
        life.events.append((Step.REGISTER, "", S.REGISTERED, reg_at, registered_by, None, "", data))
        lead, co = self._route(township, at_county, top, village_unit)
        self._timeline(life, policy, reg_day, intake, lead, co)

        applicant = self.name()
        respondent = self.name() if random_() < RESPONDENT_SHARE else ""
        # Most applicants leave a mobile number; the search finds them by it.
        side = self.side.random
        phone = ""
        if side() < 0.8:
            phone = f"1{'3578'[int(side() * 4)]}{int(side() * 1e9):09d}"
        address = f"{place}{1 + int(side() * 300)}号" if side() < 0.5 else ""
        code = tracking_code(reg_day, n, self.salt)
        title = f"{place}{category_name}"
        description = f"{applicant}反映{place}{category_name}问题，涉及{people}人。"
        parties = [(applicant, phone)] + ([(respondent, "")] if respondent else [])
        self.cases.write((
            pk, code, channel, category_id, title, description,
            region_id, region_prefix, address, centre_id, centre_prefix, people, amount, risk,
            risk_reasons, violence, urgent and not violence, life.status, life.lead_unit,
            life.outcome, "已办结" if life.closed_on else "", life.satisfaction,
            Case.PetitionStage.ORIGINAL if petition else "", policy.pk, policy.counting,
            policy.accept_days, policy.handle_days, policy.warn_days, life.due_on,
            life.closed_due_on, reg_at, registered_by, life.accepted_on, life.closed_on,
            life.events[-1][3],
            search.search_text(
                code=code, title=title, description=description, address=address,
                parties=parties,
            ),
        ))  # fmt: skip
        self.parties.write(
            (pk, Party.Kind.PERSON, Party.Role.APPLICANT, applicant, phone, phone, "", "", "")
        )
        if respondent:
            self.parties.write(
                (pk, Party.Kind.PERSON, Party.Role.RESPONDENT, respondent, "", "", "", "", "")
            )
        for unit, kind, since in life.assignments:
            self.assignments.write((pk, unit, kind, since))
        names = self.p.user_names
        for step, before, after, at, actor, unit, note, data in life.events:
            self.events.write(
                (pk, step, before, after, at, actor, names.get(actor, "系统"), unit, note, data)
            )

    def _route(
        self, township: Township, at_county: bool, top: str, village_unit: int | None
    ) -> tuple[int, int | None]:
        """The lead unit the routing rules suggest at the centre (a village's own mediation
        committee takes half of its family and neighbour disputes), and now and then a
        co-unit."""
        if at_county:
            return township.county.units[COUNTY_ROUTES.get(top, Unit.Kind.PETITION)], None
        kind = TOWNSHIP_ROUTES.get(top, Unit.Kind.JUSTICE)
        lead = township.units[kind]
        if kind == Unit.Kind.MEDIATION_COMMITTEE and village_unit is not None:
            lead = village_unit if self.rng.random() < 0.5 else lead
        co = None
        if self.rng.random() < CO_UNIT_SHARE:
            other = Unit.Kind.JUSTICE if kind == Unit.Kind.POLICE else Unit.Kind.POLICE
            co = township.units[other]
        return lead, co

    def _at(self, day: date, after: datetime | None) -> datetime:
        """A moment in working hours on `day`, and after `after`."""
        at = opening(day) + timedelta(seconds=int(self.rng.random() * WORK_SECONDS))
        if after is not None and at <= after:
            at = after + timedelta(minutes=self.between(5, 90))
        return at

    def _happen(self, life: _Life, day: date) -> datetime | None:
        """The moment of the next step on `day`; None when that is not in the past or the
        case has stalled."""
        if day >= self.dates.today or len(life.events) > life.stall_at:
            return None
        life.prev = self._at(day, life.prev)
        return life.prev

    def _step(
        self, life: _Life, step: Step, to: Status, at: datetime, actor: int | None,
        unit: int | None = None, note: str = "", data: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        life.events.append((step, life.status, to, at, actor, unit, note, data or {}))
        life.status = to

    def _timeline(
        self,
        life: _Life,
        policy: DeadlinePolicy,
        reg_day: date,
        intake: int,
        lead: int,
        co: int | None,
    ) -> None:
        """The steps after registration, each some working days after the one before, up
        to the first that has not happened yet."""
        rng, dates = self.rng, self.dates
        counting, accept_days, handle_days = policy.counting, policy.accept_days, policy.handle_days
        # 受理 (or 不予受理), now and then later than the limit.
        if rng.random() < LATE_ACCEPT_SHARE:
            lag = self.between(accept_days + 1, accept_days + 3)
        else:
            lag = self.between(0, accept_days)
        day = dates.workdays(reg_day, lag)
        if rng.random() < REJECT_SHARE:
            if (at := self._happen(life, day)) is None:
                return
            life.due_on = None
            self._step(life, Step.REJECT, S.REJECTED, at, intake, note="不属于受理范围",
                       data={"notice": "当面告知"})  # fmt: skip
            if (at := self._happen(life, dates.workdays(day, self.between(3, 10)))) is not None:
                self._step(life, Step.ARCHIVE, S.ARCHIVED, at, intake)
            return
        if (at := self._happen(life, day)) is None:
            return
        life.accepted_on = day
        life.due_on = dates.deadline(day, handle_days, counting)
        self._step(
            life, Step.ACCEPT, S.ACCEPTED, at, intake, data={"due_on": life.due_on.isoformat()}
        )
        # 派单.
        day = dates.workdays(day, self.between(0, 1))
        if (at := self._happen(life, day)) is None:
            return
        life.lead_unit = lead
        life.assignments.append((lead, Assignment.Kind.LEAD, at))
        if co is not None:
            life.assignments.append((co, Assignment.Kind.CO, at))
        names = self.unit_names
        self._step(life, Step.DISPATCH, S.DISPATCHED, at, intake, data={
            "lead_unit": names[lead], "co_units": [names[co]] if co else [],
            "suggested_unit": names[lead],
        })  # fmt: skip
        handler = self.p.handler.get(lead)
        # 签收.
        day = dates.workdays(day, self.between(0, 1))
        if (at := self._happen(life, day)) is None:
            return
        self._step(life, Step.START, S.IN_PROGRESS, at, handler, lead)
        for round_ in range(2):  # a second round only after an unsatisfied visit
            # 办结, mostly within the handling limit.
            due = life.due_on
            assert due is not None
            if rng.random() < LATE_CLOSE_SHARE:
                day = dates.workdays(due, self.between(1, 15))
            else:
                span = max((due - day).days * 5 // 7, 1)
                day = min(dates.workdays(day, self.between(1, span)), due)
            if (at := self._happen(life, day)) is None:
                return
            life.outcome = self.pick(self.outcomes, self.outcome_weights)
            life.closed_on, life.closed_due_on, life.due_on = day, due, None
            self._step(
                life, Step.CLOSE, S.CLOSED, at, handler, lead, "已办结", {"outcome": life.outcome}
            )
            # 回访: 不满意 sends it back with a fresh handling period.
            day = dates.workdays(day, self.between(1, 5))
            if (at := self._happen(life, day)) is None:
                return
            if round_ == 0 and rng.random() < UNSATISFIED_SHARE:
                life.satisfaction = Case.Satisfaction.UNSATISFIED
                life.closed_on = life.closed_due_on = None
                life.outcome = ""
                life.due_on = dates.deadline(day, handle_days, counting)
                data = {"satisfaction": life.satisfaction, "due_on": life.due_on.isoformat()}
                self._step(life, Step.VISIT_UNSATISFIED, S.IN_PROGRESS, at, intake,
                           note="对处理结果不满意", data=data)  # fmt: skip
                continue
            life.satisfaction = (
                Case.Satisfaction.SATISFIED if rng.random() < 0.84 else Case.Satisfaction.BASICALLY
            )
            self._step(life, Step.VISIT_SATISFIED, S.VISITED, at, intake,
                       data={"satisfaction": life.satisfaction})  # fmt: skip
            break
        # 归档.
        if rng.random() >= ARCHIVE_SHARE:
            return
        if (at := self._happen(life, dates.workdays(day, self.between(3, 20)))) is not None:
            self._step(life, Step.ARCHIVE, S.ARCHIVED, at, intake)


@dataclass(frozen=True)
class Chunk:
    """Cases n = start … start + count - 1, with ids first_id + n, drawn from their own
    seed: the data depends on the seed alone, not on how many processes wrote it."""

    first_id: int
    start: int
    count: int
    seed: int


def chunks(rng: random.Random, count: int, first_id: int) -> list[Chunk]:
    return [
        Chunk(first_id, start, min(CHUNK, count - start), rng.getrandbits(63))
        for start in range(0, count, CHUNK)
    ]


class CaseRows(dict[str, int]):
    """Rows written per table, and the CPU seconds the worker processes and their
    database backends spent (the parent's own are timed by the phase)."""

    workers_cpu = 0.0
    servers_cpu: float | None = 0.0

    def add(self, written: dict[str, int]) -> None:
        for name, n in written.items():
            self[name] = self.get(name, 0) + n


def generate_cases(
    rng: random.Random, province: Province, *, count: int, today: date, workers: int = 1
) -> CaseRows:
    """`count` cases over the province. With `workers` > 1 on PostgreSQL the chunks are
    written by that many forked processes, each committing its own chunks: the generator
    is Python-bound, so this is how it uses the second core. The caller must then not be
    inside a transaction (the children cannot see uncommitted rows)."""
    salt = rng.getrandbits(30)
    work = chunks(rng, count, next_id(Case))
    rows = CaseRows()
    if workers > 1 and len(work) > 1 and is_postgres():
        _in_processes(province, today, salt, work, workers, rows)
        return rows
    generator = _CaseGenerator(province, today, salt)
    with copying_in_background():
        for chunk in work:
            rows.add(generator.run(chunk))
    return rows


def _in_processes(
    province: Province, today: date, salt: int, work: list[Chunk], workers: int, rows: CaseRows
) -> None:
    # Forked children inherit the province (a quarter of a million places) without
    # pickling it; each opens its own connection, so the parent's is closed first.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, _start_worker, (province, today, salt)) as pool:
        for written, client, server in pool.imap_unordered(_run_chunk, work):
            rows.add(written)
            rows.workers_cpu += client
            if server is None or rows.servers_cpu is None:
                rows.servers_cpu = None
            else:
                rows.servers_cpu += server
        pool.close()
        pool.join()


_worker: _CaseGenerator | None = None


def _start_worker(province: Province, today: date, salt: int) -> None:
    global _worker
    connections.close_all()
    skip_foreign_key_triggers()
    _worker = _CaseGenerator(province, today, salt)


def _run_chunk(chunk: Chunk) -> tuple[dict[str, int], float, float | None]:
    assert _worker is not None
    cpu, server = process_time(), server_cpu_seconds()
    with transaction.atomic(), copying_in_background():
        written = _worker.run(chunk)
    server_after = server_cpu_seconds()
    return (
        written,
        process_time() - cpu,
        None if server is None or server_after is None else server_after - server,
    )
