"""The demo county: 华宁县 (530424), its real townships and villages, and made-up grids,
buildings, units and people on top of them.

Grid boundaries are invented (a jittered lattice inside a rough outline of the county);
everything else keeps the real division codes from shared/data/divisions.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.timezone import get_current_timezone

from zongzhi.accounts.models import ApiToken, RoleAssignment, User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.accounts.tokens import key_digest
from zongzhi.analytics.rollups import rebuild_rollups
from zongzhi.briefings.services import compile_daily_reports
from zongzhi.categories.models import Category
from zongzhi.demo.care import load_care_demo
from zongzhi.demo.cases import CASES as DEMO_CASES
from zongzhi.demo.cases import load_demo_cases
from zongzhi.demo.hazards import load_demo_hazards
from zongzhi.demo.people import person_name
from zongzhi.demo.screening import load_demo_screening
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level
from zongzhi.regions.services import import_divisions
from zongzhi.regions.sources import DivisionRow, read_national_dataset
from zongzhi.units.models import Unit
from zongzhi.units.services import unit_create

COUNTY_PREFIX = "530424"
DEMO_PASSWORD = "Zongzhi@2026"
# The demo's 12345 hotline platform calls the API and Open311 with this key. A real key is
# random and shown once (manage.py open311_key); this one is printed so the demo can be tried.
DEMO_CLIENT_USERNAME = "county_hotline"
DEMO_CLIENT_KEY = "zz_demo-hotline-12345-not-for-production"
GRIDS_TOTAL = 695  # the seeds' figure for 华宁县
# Rough extent of the county (WGS84); grids are laid out inside it.
WEST, EAST, SOUTH, NORTH = 102.70, 103.15, 23.95, 24.45

TOWNSHIP_SLUGS = {
    "530424001": "ningzhou",
    "530424102": "panxi",
    "530424103": "huaxi",
    "530424104": "qinglong",
    "530424201": "tonghongdian",
}

# (kind, name suffix, competent top-level category codes)
COUNTY_UNITS = [
    (Unit.Kind.CENTRE, "综治中心", []),
    (Unit.Kind.POLICE, "公安局", ["JTSG", "JJJR"]),
    (Unit.Kind.JUSTICE, "司法局", ["HYJT", "LLJF"]),
    (Unit.Kind.PETITION, "信访局", ["QT"]),
    (Unit.Kind.HUMAN_RESOURCES, "人力资源和社会保障局", ["LZJF"]),
    (Unit.Kind.HOUSING, "住房和城乡建设局", ["FCWY", "ZDCQ"]),
    (Unit.Kind.NATURAL_RESOURCES, "自然资源局", ["SLTD"]),
    (Unit.Kind.HEALTH, "卫生健康局", ["YLJF"]),
    (Unit.Kind.CIVIL_AFFAIRS, "民政局", ["HYJT"]),
    (Unit.Kind.MARKET_REGULATION, "市场监督管理局", ["XF"]),
    (Unit.Kind.ENVIRONMENT, "生态环境分局", ["HJBH"]),
    (Unit.Kind.SCHOOL, "教育体育局", []),
    (Unit.Kind.COURT, "人民法院", ["SFSS"]),
    (Unit.Kind.MEDIATION_COMMITTEE, "人民调解委员会", ["HYJT", "LLJF", "LZJF", "YLJF"]),
]
TOWNSHIP_UNITS = [
    (Unit.Kind.CENTRE, "综治中心", []),
    (Unit.Kind.POLICE, "派出所", ["JTSG"]),
    (Unit.Kind.JUSTICE, "司法所", ["HYJT", "LLJF"]),
    (Unit.Kind.SCHOOL, "中心学校", []),
    (Unit.Kind.HEALTH_CENTRE, "卫生院", ["YLJF"]),
    (Unit.Kind.MEDIATION_COMMITTEE, "人民调解委员会", ["HYJT", "LLJF", "SLTD"]),
]
COUNTY_HANDLER_SLUGS = {
    Unit.Kind.POLICE: "police",
    Unit.Kind.JUSTICE: "justice",
    Unit.Kind.PETITION: "petition",
    Unit.Kind.HUMAN_RESOURCES: "hr",
    Unit.Kind.HOUSING: "housing",
    Unit.Kind.NATURAL_RESOURCES: "land",
    Unit.Kind.HEALTH: "health",
    Unit.Kind.CIVIL_AFFAIRS: "civil",
    Unit.Kind.MARKET_REGULATION: "market",
    Unit.Kind.ENVIRONMENT: "environment",
    Unit.Kind.SCHOOL: "education",
    Unit.Kind.COURT: "court",
}


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    place: str


def load_demo(divisions_dir: Path, *, cases: int = DEMO_CASES) -> list[Login]:
    """Load the demo county; running it again changes nothing and returns the same logins.

    `cases` is how many cases it gets; tests that look only at places and people pass 0,
    and get no screening, hazards, care files or daily reports either.
    """
    rng = random.Random(530424)
    with transaction.atomic():
        import_divisions(by=SYSTEM, rows=read_national_dataset(divisions_dir, within=COUNTY_PREFIX))
        county = Region.objects.get(prefix=COUNTY_PREFIX)
        if not Region.objects.within(COUNTY_PREFIX).filter(level=Level.GRID).exists():
            import_divisions(by=SYSTEM, rows=_grid_rows(county, rng))
        _load_units(county)
        logins = _load_people(county, rng)
        load_demo_cases(rng, count=cases)
        if cases:
            # Their own generators, so that the cases stay as they were before these came.
            load_demo_screening(random.Random(5304241), county)
            load_demo_hazards(random.Random(5304242), county)
            load_care_demo(random.Random(5304243), county)
            # The last week of daily reports, as the 07:00 job would have made them; not
            # e-mailed (the demo's history, not news).
            _compile_recent_daily_reports(days=7)
            # The figures, as the five-minute refresh would have kept them.
            rebuild_rollups()
        return logins


def _compile_recent_daily_reports(*, days: int) -> None:
    today = timezone.localdate()
    for back in range(days - 1, -1, -1):
        morning = datetime.combine(
            today - timedelta(days=back), time(7), tzinfo=get_current_timezone()
        )
        compile_daily_reports(now=morning, send=False)


def _grid_rows(county: Region, rng: random.Random) -> list[DivisionRow]:
    townships = list(county.children.order_by("code"))
    villages_by_township = {t.pk: list(t.children.order_by("code")) for t in townships}
    village_count = sum(len(v) for v in villages_by_township.values())
    extra = GRIDS_TOTAL - 9 * village_count  # a few big villages get a tenth grid
    rows: list[DivisionRow] = []
    line = 0
    band_width = (EAST - WEST) / len(townships)
    village_index = 0
    for t_index, township in enumerate(townships):
        villages = villages_by_township[township.pk]
        cols = 2 if len(villages) > 6 else 1
        per_col = -(-len(villages) // cols)
        cell_w = band_width / cols
        cell_h = (NORTH - SOUTH) / per_col
        for v_index, village in enumerate(villages):
            x0 = WEST + t_index * band_width + (v_index // per_col) * cell_w
            y0 = SOUTH + (v_index % per_col) * cell_h
            grid_count = 10 if village_index < extra else 9
            village_index += 1
            for g_index, polygon in enumerate(_lattice(x0, y0, cell_w, cell_h, grid_count, rng)):
                code = f"{village.code}{g_index + 1:03d}"
                line += 1
                rows.append(
                    DivisionRow(
                        line=line,
                        code=code,
                        name=f"{village.name}第{g_index + 1}网格",
                        level=str(int(Level.GRID)),
                        parent=village.code,
                        boundary=polygon,
                        official="no",
                    )
                )
                buildings = 2 if (g_index % 2 == 0) else 1
                for b_index in range(buildings):
                    line += 1
                    is_community = village.name.endswith("社区")
                    label = (
                        f"{g_index + 1}-{b_index + 1}号楼"
                        if is_community
                        else f"第{g_index + 1}村民小组{b_index + 1}号院落"
                    )
                    rows.append(
                        DivisionRow(
                            line=line,
                            code=f"{code}{b_index + 1:03d}",
                            name=f"{village.name}{label}",
                            level=str(int(Level.BUILDING)),
                            parent=code,
                            official="no",
                        )
                    )
    return rows


def _lattice(
    x0: float, y0: float, width: float, height: float, count: int, rng: random.Random
) -> list[dict[str, Any]]:
    """Split a rectangle into `count` cells of a jittered lattice (shared edges match)."""
    cols = 3 if count <= 9 else 4
    rows = -(-count // cols)
    margin = 0.06
    xs = [x0 + width * (margin + (1 - 2 * margin) * i / cols) for i in range(cols + 1)]
    ys = [y0 + height * (margin + (1 - 2 * margin) * j / rows) for j in range(rows + 1)]
    jitter_x, jitter_y = width / cols * 0.18, height / rows * 0.18
    point = {}
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            inner = 0 < i < cols and 0 < j < rows
            dx = rng.uniform(-jitter_x, jitter_x) if inner else 0.0
            dy = rng.uniform(-jitter_y, jitter_y) if inner else 0.0
            point[i, j] = (round(x + dx, 6), round(y + dy, 6))
    cells = []
    for n in range(count):
        i, j = n % cols, n // cols
        ring = [point[i, j], point[i + 1, j], point[i + 1, j + 1], point[i, j + 1], point[i, j]]
        if j == rows - 1 and count < cols * rows and i == count % cols - 1:
            # The last row is short: stretch its last cell to the right edge.
            ring = [point[i, j], point[cols, j], point[cols, j + 1], point[i, j + 1], point[i, j]]
        cells.append({"type": "Polygon", "coordinates": [[list(p) for p in ring]]})
    return cells


def _load_units(county: Region) -> None:
    if Unit.objects.filter(region=county).exists():
        return
    categories = {c.code: c for c in Category.objects.select_related("parent")}

    def leaves(codes: list[str]) -> list[Category]:
        return [c for c in categories.values() if c.parent is not None and c.parent.code in codes]

    for kind, suffix, codes in COUNTY_UNITS:
        unit_create(
            by=SYSTEM, name=f"华宁县{suffix}", kind=kind, region=county, categories=leaves(codes)
        )
    for township in county.children.order_by("code"):
        for kind, suffix, codes in TOWNSHIP_UNITS:
            unit_create(
                by=SYSTEM,
                name=f"{township.name}{suffix}",
                kind=kind,
                region=township,
                categories=leaves(codes),
            )
        for village in township.children.order_by("code"):
            unit_create(
                by=SYSTEM,
                name=f"{village.name}人民调解委员会",
                kind=Unit.Kind.MEDIATION_COMMITTEE,
                region=village,
                categories=leaves(["HYJT", "LLJF"]),
            )


def _load_people(county: Region, rng: random.Random) -> list[Login]:
    logins: list[Login] = []
    # One hash for every demo account: hashing is deliberately slow, ~0.4 s each.
    password_hash = make_password(DEMO_PASSWORD)

    # People added after the cases came draw their names from their own generator, so that
    # the cases (drawn from `rng` after the people) stay as they were.
    later = random.Random(5304244)

    def person(
        username: str,
        role: Role,
        *,
        region: Region | None = None,
        unit: Unit | None = None,
        names: random.Random = rng,
    ) -> None:
        # Leaders receive the daily information report by e-mail.
        email = f"{username}@example.org" if role == Role.LEADER else ""
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": person_name(names),
                "password": password_hash,
                "email": email,
            },
        )
        if email and not user.email:  # a demo loaded before leaders had addresses
            user.email = email
            user.save(update_fields=["email"])
        RoleAssignment.objects.get_or_create(user=user, role=role, region=region, unit=unit)
        place = unit.name if unit else region.name if region else ""
        logins.append(
            Login(username=username, role=str(RoleAssignment.Role(role).label), place=place)
        )

    for role, slug in [
        (Role.ADMINISTRATOR, "admin"),
        (Role.LEADER, "leader"),
        (Role.INTAKE_OFFICER, "intake"),
        (Role.CARE_WORKER, "care"),
    ]:
        person(f"county_{slug}", role, region=county)
    person("county_care_sup", Role.CARE_SUPERVISOR, region=county, names=later)
    county_units = {u.kind: u for u in Unit.objects.filter(region=county)}
    person("county_mediator", Role.MEDIATOR, unit=county_units[Unit.Kind.MEDIATION_COMMITTEE])
    for kind, slug in COUNTY_HANDLER_SLUGS.items():
        person(f"county_{slug}", Role.UNIT_HANDLER, unit=county_units[kind])
    _make_staff(User.objects.get(username="county_admin"))
    _load_client_system(county)

    for township in county.children.order_by("code"):
        slug = TOWNSHIP_SLUGS.get(township.prefix, township.prefix)
        units = {u.kind: u for u in Unit.objects.filter(region=township)}
        person(f"{slug}_leader", Role.LEADER, region=township)
        person(f"{slug}_intake", Role.INTAKE_OFFICER, region=township)
        person(f"{slug}_care", Role.CARE_WORKER, region=township)
        person(f"{slug}_care_sup", Role.CARE_SUPERVISOR, region=township, names=later)
        person(f"{slug}_mediator", Role.MEDIATOR, unit=units[Unit.Kind.MEDIATION_COMMITTEE])
        person(f"{slug}_police", Role.UNIT_HANDLER, unit=units[Unit.Kind.POLICE])
        person(f"{slug}_justice", Role.UNIT_HANDLER, unit=units[Unit.Kind.JUSTICE])
        village = township.children.order_by("code").first()
        if village is None:
            continue
        village_unit = Unit.objects.get(region=village, kind=Unit.Kind.MEDIATION_COMMITTEE)
        person(f"{slug}_v1_mediator", Role.MEDIATOR, unit=village_unit)
        person(f"{slug}_v1_care", Role.CARE_WORKER, region=village)
        for grid in village.children.order_by("code")[:2]:
            person(f"{slug}_v1_g{grid.code[-2:]}", Role.GRID_WORKER, region=grid)
    return logins


def _load_client_system(county: Region) -> None:
    """The county's 12345 hotline platform: another system, no password, the demo key."""
    user, created = User.objects.get_or_create(
        username=DEMO_CLIENT_USERNAME, defaults={"full_name": "12345热线平台"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=Role.CLIENT_SYSTEM, region=county)
    ApiToken.objects.get_or_create(
        digest=key_digest(DEMO_CLIENT_KEY),
        defaults={
            "user": user,
            "name": "12345热线对接（演示）",
            "prefix": DEMO_CLIENT_KEY[:10],
            "created_at": timezone.now(),
        },
    )


def _make_staff(user: User) -> None:
    """The county administrator edits reference data in the Django admin."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    reference_data = Q(
        content_type__app_label__in=["regions", "units", "categories", "accounts", "workdays"]
    ) | Q(
        content_type__app_label="cases", content_type__model__in=["routingrule", "deadlinepolicy"]
    )
    user.user_permissions.set(Permission.objects.filter(reference_data))
