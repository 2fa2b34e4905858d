"""A synthetic province for benchmarks: 100 counties of townships, villages and grids,
their units and people, and then (cases.py, registers.py) their cases and registers.

The province's code is 99, which no real province has, so it never meets the real
divisions in shared/data. Codes follow regions.rules: province 2 digits, city 2, county 2,
township 3, village 3, and a grid extends its village by 3. Everything is drawn from one
`random.Random(seed)`, in a fixed order, so a seed always gives the same province.
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from time import perf_counter, process_time

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.rules import Role
from zongzhi.analytics.models import CaseFact, CaseRollup
from zongzhi.benchmarks import cases as generated_cases
from zongzhi.benchmarks.cases import MODELS as CASE_MODELS
from zongzhi.benchmarks.cases import generate_cases
from zongzhi.benchmarks.loading import (
    Table,
    check_foreign_keys,
    create_indexes,
    drop_secondary_indexes,
    foreign_keys_checked_afterwards,
    is_postgres,
    next_id,
    reset_sequences,
    server_cpu_seconds,
    skip_foreign_key_triggers,
    vacuum_and_analyze,
)
from zongzhi.benchmarks.places import County, Place, Province, Township
from zongzhi.benchmarks.registers import MODELS as REGISTER_MODELS
from zongzhi.benchmarks.registers import generate_care, generate_hazards, generate_screening
from zongzhi.benchmarks.rollups import rebuild_facts
from zongzhi.benchmarks.sweeps import MODELS as SWEEP_MODELS
from zongzhi.benchmarks.sweeps import generate_sweeps
from zongzhi.categories.models import Category
from zongzhi.demo.county import COUNTY_UNITS, TOWNSHIP_UNITS
from zongzhi.demo.people import person_name
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

PROVINCE = "99"
# From this many cases on, building the case tables' indexes after the load beats keeping
# them up to date row by row (measured: see the note).
REBUILD_INDEXES_FROM = 100_000
PASSWORD = "Bench@2026"  # noqa: S105 — synthetic accounts on a benchmark database
COUNTIES_PER_CITY = 10
TOWNSHIPS = (8, 20)
VILLAGES = (8, 25)
GRIDS = (3, 10)
# Made-up place names: two syllables and the level's word.
SYLLABLES = (
    "安宝北昌成崇丰福阜光广桂海和河红华怀黄嘉江金锦靖乐黎利连临龙隆鹿罗茂梅明南宁平启庆仁荣"
    "瑞山尚盛石寿顺泰桃天通同万文武西祥新兴秀阳宜永玉元云长兆正中竹"
)
K = Unit.Kind


def _place_name(rng: random.Random) -> str:
    return rng.choice(SYLLABLES) + rng.choice(SYLLABLES)


def generate_places(
    rng: random.Random,
    *,
    counties: int,
    townships: tuple[int, int] = TOWNSHIPS,
    villages: tuple[int, int] = VILLAGES,
    grids: tuple[int, int] = GRIDS,
) -> tuple[Place, list[County]]:
    """The regions: province, cities, counties, townships, villages and grids."""
    if Region.objects.filter(prefix=PROVINCE).exists():
        raise ValueError(f"province {PROVINCE} already exists: generate into an empty database")
    table = Table(
        Region, ["id", "code", "prefix", "name", "level", "parent_id", "code_is_official"]
    )
    ids = iter(range(next_id(Region), 1 << 62))
    L = Region.Level

    def region(prefix: str, name: str, level: int, parent: int | None) -> int:
        pk = next(ids)
        table.write(
            (
                pk,
                prefix.ljust(max(12, len(prefix)), "0"),
                prefix,
                name,
                level,
                parent,
                level < L.GRID,
            )
        )
        return pk

    root = Place(region(PROVINCE, "基准省", L.PROVINCE, None), PROVINCE, "基准省")
    result: list[County] = []
    city_id = 0
    city_prefix = ""
    for c in range(counties):
        if c % COUNTIES_PER_CITY == 0:
            city_prefix = f"{PROVINCE}{c // COUNTIES_PER_CITY + 1:02d}"
            city_id = region(city_prefix, _place_name(rng) + "市", L.CITY, root.id)
        prefix = f"{city_prefix}{c % COUNTIES_PER_CITY + 1:02d}"
        name = _place_name(rng) + "县"
        county = County(region(prefix, name, L.COUNTY, city_id), prefix, name)
        result.append(county)
        for t in range(rng.randint(*townships)):
            t_prefix = f"{prefix}{t + 1:03d}"
            t_name = _place_name(rng) + ("街道" if t < 2 else rng.choice("镇镇乡"))
            township = Township(
                region(t_prefix, t_name, L.TOWNSHIP, county.id), t_prefix, t_name, county
            )
            county.townships.append(township)
            urban = t_name.endswith("街道")
            for v in range(rng.randint(*villages)):
                v_prefix = f"{t_prefix}{v + 1:03d}"
                v_name = _place_name(rng) + ("社区" if urban else "村")
                village = Place(region(v_prefix, v_name, L.VILLAGE, township.id), v_prefix, v_name)
                township.villages.append(village)
                for g in range(rng.randint(*grids)):
                    g_prefix = f"{v_prefix}{g + 1:03d}"
                    g_name = f"{v_name}第{g + 1}网格"
                    grid = Place(region(g_prefix, g_name, L.GRID, village.id), g_prefix, g_name)
                    township.grids.append(grid)
                    township.village_of_grid[grid.id] = village
    table.flush()
    return root, result


def _leaves(codes: list[str], categories: dict[str, list[int]]) -> list[int]:
    return [pk for code in codes for pk in categories.get(code, [])]


def generate_units(counties: list[County]) -> int:
    """The units the demo county has, in every county, township and village, competent
    for the categories the demo gives them."""
    categories: dict[str, list[int]] = {}
    for pk, parent_code in Category.objects.filter(parent__isnull=False).values_list(
        "pk", "parent__code"
    ):
        categories.setdefault(parent_code, []).append(pk)
    units = Table(Unit, ["id", "name", "kind", "region_id", "phone", "is_active"])
    competent = Table(Unit.competent_categories.through, ["unit_id", "category_id"])
    ids = iter(range(next_id(Unit), 1 << 62))

    def unit(name: str, kind: str, region: int, codes: list[str]) -> int:
        pk = next(ids)
        units.write((pk, name, kind, region, "", True))
        for category in _leaves(codes, categories):
            competent.write((pk, category))
        return pk

    for county in counties:
        for kind, suffix, codes in COUNTY_UNITS:
            county.units[kind] = unit(f"{county.name}{suffix}", kind, county.id, codes)
        for township in county.townships:
            for kind, suffix, codes in TOWNSHIP_UNITS:
                township.units[kind] = unit(f"{township.name}{suffix}", kind, township.id, codes)
            for village in township.villages:
                township.village_units[village.id] = unit(
                    f"{village.name}人民调解委员会",
                    K.MEDIATION_COMMITTEE,
                    village.id,
                    ["HYJT", "LLJF"],
                )
    units.flush()
    competent.flush()
    return units.count


# The county's unit handlers: the departments cases are routed to (demo.county's list).
COUNTY_HANDLED: list[str] = [
    k for k, _, _ in COUNTY_UNITS if k not in {K.CENTRE, K.MEDIATION_COMMITTEE}
]
TOWNSHIP_HANDLED: list[str] = [K.POLICE, K.JUSTICE]


def generate_people(
    rng: random.Random, root: Place, counties: list[County], now: datetime
) -> Province:
    """One person per role where the demo county has one: the county's administrator,
    leader, intake officer, care worker and supervisor, mediator and a handler in every
    department; each township's the same; a mediator and a care worker in every village,
    a grid worker in every grid. Every account shares one password hash (hashing is slow
    on purpose)."""
    password = make_password(PASSWORD)
    users = Table(
        User,
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "full_name",
            "phone",
        ],
    )
    roles = Table(RoleAssignment, ["user_id", "role", "region_id", "unit_id", "created_at"])
    ids = iter(range(next_id(User), 1 << 62))
    province = Province(
        root=root, counties=counties, handler={}, grid_worker={}, village_care={}, user_names={}
    )

    def person(
        username: str, role: str, *, region: int | None = None, unit: int | None = None
    ) -> int:
        pk = next(ids)
        name = person_name(rng)
        email = f"{username}@example.org" if role == Role.LEADER else ""
        users.write((pk, password, False, username, "", "", email, False, True, now, name, ""))
        roles.write((pk, role, region, unit, now))
        province.user_names[pk] = name
        if unit is not None:
            province.handler.setdefault(unit, pk)
        return pk

    for county in counties:
        p = county.prefix
        person(f"{p}_admin", Role.ADMINISTRATOR, region=county.id)
        county.leader = person(f"{p}_leader", Role.LEADER, region=county.id)
        county.intake = person(f"{p}_intake", Role.INTAKE_OFFICER, region=county.id)
        county.care = person(f"{p}_care", Role.CARE_WORKER, region=county.id)
        person(f"{p}_care_sup", Role.CARE_SUPERVISOR, region=county.id)
        person(f"{p}_mediator", Role.MEDIATOR, unit=county.units[K.MEDIATION_COMMITTEE])
        for kind in COUNTY_HANDLED:
            person(f"{p}_{kind}", Role.UNIT_HANDLER, unit=county.units[kind])
        for township in county.townships:
            p = township.prefix
            township.leader = person(f"{p}_leader", Role.LEADER, region=township.id)
            township.intake = person(f"{p}_intake", Role.INTAKE_OFFICER, region=township.id)
            township.care = person(f"{p}_care", Role.CARE_WORKER, region=township.id)
            person(f"{p}_care_sup", Role.CARE_SUPERVISOR, region=township.id)
            person(f"{p}_mediator", Role.MEDIATOR, unit=township.units[K.MEDIATION_COMMITTEE])
            for kind in TOWNSHIP_HANDLED:
                person(f"{p}_{kind}", Role.UNIT_HANDLER, unit=township.units[kind])
            for village in township.villages:
                p = village.prefix
                person(f"{p}_mediator", Role.MEDIATOR, unit=township.village_units[village.id])
                province.village_care[village.id] = person(
                    f"{p}_care", Role.CARE_WORKER, region=village.id
                )
            for grid in township.grids:
                province.grid_worker[grid.id] = person(
                    f"{grid.prefix}_grid", Role.GRID_WORKER, region=grid.id
                )
    users.flush()
    roles.flush()
    province.counts["users"] = users.count
    return province


@dataclass
class Phase:
    name: str
    rows: dict[str, int]
    seconds: float
    client_cpu: float  # this process's CPU seconds
    server_cpu: float | None  # the database backend's, when it can be read


class Phases:
    """Times each phase; a phase commits on its own (a ten-million-case load is not one
    transaction to roll back, and the rollups read what the phases before wrote)."""

    def __init__(self, report: Callable[[Phase], None] | None) -> None:
        self.done: list[Phase] = []
        self._report = report

    @contextmanager
    def phase(self, name: str, *, atomic: bool = True) -> Iterator["Rows"]:
        rows = Rows()
        started, cpu, server = perf_counter(), process_time(), server_cpu_seconds()
        with transaction.atomic() if atomic else nullcontext():
            yield rows
        server_after = server_cpu_seconds()
        if not rows.same_backend:
            server_cpu = rows.other_server_cpu
        elif server is None or server_after is None:
            server_cpu = None
        else:
            server_cpu = server_after - server + (rows.other_server_cpu or 0)
        self.done.append(
            Phase(
                name,
                dict(rows),
                perf_counter() - started,
                process_time() - cpu + rows.other_cpu,
                server_cpu,
            )
        )
        if self._report is not None:
            self._report(self.done[-1])


class Rows(dict[str, int]):
    """A phase's rows per table, and the CPU seconds other processes spent on it (worker
    processes, and their database backends; None when those cannot be read)."""

    other_cpu = 0.0
    other_server_cpu: float | None = 0.0
    same_backend = True  # False when the phase reconnected: its backend's clock restarted


def generate_province(
    *,
    cases: int,
    counties: int = 100,
    seed: int = 1,
    today: date | None = None,
    shape: dict[str, tuple[int, int]] | None = None,
    report: Callable[[Phase], None] | None = None,
    rebuild_indexes: bool | None = None,
    workers: int = 1,
) -> list[Phase]:
    """Generate the province, `cases` cases with their timelines, the registers in
    proportion (hazards N/50, care files N/100, screening capped), and the rollups. Run it
    on a database without province 99. `shape` overrides the townships per county,
    villages per township and grids per village (tests use a tiny province). The case
    tables' plain indexes are dropped for the load and built again after it from
    REBUILD_INDEXES_FROM cases on, or as `rebuild_indexes` says. `workers` processes
    write the cases (PostgreSQL); the data is the same for any number."""
    rng = random.Random(seed)  # noqa: S311 — synthetic data, reproducible by design
    today = today or timezone.localdate()

    # Each part draws from its own generator, so that changing one part (more hazards,
    # say) leaves the others as they were for the seed.
    def part(n: int) -> random.Random:
        return random.Random(seed * 7919 + n)  # noqa: S311

    phases = Phases(report)
    with foreign_keys_checked_afterwards():
        _generate(
            phases,
            rng,
            part,
            cases=cases,
            counties=counties,
            today=today,
            shape=shape,
            rebuild_indexes=cases >= REBUILD_INDEXES_FROM
            if rebuild_indexes is None
            else rebuild_indexes,
            workers=workers,
        )
        with phases.phase("rollups") as rows:
            rows.update(rebuild_facts())
    if is_postgres():
        with phases.phase("analyze", atomic=False):
            vacuum_and_analyze([CASE_MODELS[0]])
    with phases.phase("foreign keys"):
        check_foreign_keys(
            [
                Region,
                Unit,
                Unit.competent_categories.through,
                User,
                RoleAssignment,
                *CASE_MODELS,
                *SWEEP_MODELS,
                *REGISTER_MODELS,
                CaseFact,
                CaseRollup,
            ]
        )
    return phases.done


def _generate(
    phases: Phases,
    rng: random.Random,
    part: Callable[[int], random.Random],
    *,
    cases: int,
    counties: int,
    today: date,
    shape: dict[str, tuple[int, int]] | None,
    rebuild_indexes: bool,
    workers: int,
) -> None:
    with phases.phase("places") as rows:
        root, made = generate_places(rng, counties=counties, **(shape or {}))
        townships = [t for c in made for t in c.townships]
        rows.update(
            counties=len(made),
            townships=len(townships),
            villages=sum(len(t.villages) for t in townships),
            grids=sum(len(t.grids) for t in townships),
        )
    with phases.phase("units") as rows:
        rows["units"] = generate_units(made)
    with phases.phase("people") as rows:
        province = generate_people(rng, root, made, timezone.now())
        rows.update(province.counts)
    # In one process the cases and their indexes are one transaction: the indexes come
    # back, or the load never happened. Worker processes commit their own chunks, so then
    # the indexes are dropped for good first, and put back whatever happens.
    # CHUNK is read when called, not imported: a test makes the chunks small.
    parallel = workers > 1 and cases > generated_cases.CHUNK and is_postgres()
    with nullcontext() if parallel else transaction.atomic():
        with phases.phase("cases", atomic=not parallel) as rows:
            dropped = drop_secondary_indexes(CASE_MODELS) if rebuild_indexes else []
            try:
                written = generate_cases(
                    part(1), province, count=cases, today=today, workers=workers
                )
            except BaseException:
                if parallel:
                    create_indexes(dropped)
                raise
            rows.update(written)
            rows.other_cpu, rows.other_server_cpu = written.workers_cpu, written.servers_cpu
            if parallel:
                rows.same_backend = False
                skip_foreign_key_triggers()  # the parent reconnected: its session is new
        with phases.phase("indexes"):
            create_indexes(dropped)
    with phases.phase("sweeps") as rows:
        rows.update(generate_sweeps(today=today))
    with phases.phase("hazards") as rows:
        rows.update(generate_hazards(part(2), province, count=cases // 50, today=today))
    with phases.phase("screening") as rows:
        rows.update(generate_screening(part(3), province, cases=cases, today=today))
    with phases.phase("care") as rows:
        rows.update(generate_care(part(4), province, count=cases // 100, today=today))
    with phases.phase("sequences"):
        reset_sequences(
            [Region, Unit, User, RoleAssignment, *CASE_MODELS, *SWEEP_MODELS, *REGISTER_MODELS]
        )
