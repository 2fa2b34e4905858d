"""The shared cast for tests: a small county, and one person per role inside it.

The county 530424 has two townships. Everyone in the cast works in township T1 (or a
unit or grid inside it); township T2 and everything in it is "outside" for all of them.
"""

import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from _pytest.nodeid import NodeId
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.test import Client
from hypothesis import settings

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.core.testing import built_without_migrations, run_migration_data
from zongzhi.regions.models import Region
from zongzhi.regions.services import import_divisions
from zongzhi.regions.sources import DivisionRow
from zongzhi.units.models import Unit
from zongzhi.units.services import unit_create

# How hard the property tests look, chosen by HYPOTHESIS_PROFILE: "ci" (the default, what
# `make test` and CI run: a few examples each, different ones every run) or "thorough" (ten
# times as many, for a local run after touching a rule). Tests state no counts of their own.
# No deadline: speed is measured by `make bench`, and a slow shared CI machine must not turn
# a correct property into a failure.
settings.register_profile("ci", deadline=None, max_examples=10)
settings.register_profile("thorough", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PASSWORD = "Test-pass-2026"


@receiver(post_migrate, dispatch_uid="zongzhi-tests-migration-data")
def _write_the_migrations_data(sender: Any, using: str, **kwargs: Any) -> None:
    """A test database built from the models (config.test_settings) gets what the
    migrations write besides tables: seeds, extensions, the search index. Once per build,
    after every table exists (post_migrate comes after all of them are made)."""
    if sender.label == "cases" and built_without_migrations(using):
        run_migration_data(using)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep `xdist_group` working under `--dist loadgroup`. pytest-xdist 3.8 names a test's
    group by rewriting `item._nodeid`, which pytest 9.2 no longer reads (a node's id is
    `item._id`), so every group was silently spread over the workers and the demo county
    loaded once on each. Remove this once pytest-xdist sets the id pytest reads."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        mark = item.get_closest_marker("xdist_group")
        if mark is None or "@" in item.nodeid:
            continue
        group = mark.args[0] if mark.args else mark.kwargs.get("name", "default")
        item._id = NodeId.parse(f"{item.nodeid}@{group}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield
    if _empties_the_database(item):
        # What the migrations wrote (categories, …) is gone with the rest; the cast's
        # services write it again, its saved rows would not.
        _CAST_ROWS.forget()
    return result


def _empties_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool(
        {"transactional_db", "live_server", "django_db_reset_sequences"}
        & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """A test that commits (transaction=True) must also say serialized_rollback=True.
    Otherwise its flush re-creates the content types under new ids, and every later
    serialized test on that worker fails to put the migrations' rows back (duplicate
    content types) — an error far from its cause, seen only in some orders."""
    careless = [
        item.nodeid
        for item in session.items
        if _empties_the_database(item)
        and not (item.get_closest_marker("django_db") or pytest.mark.django_db).kwargs.get(
            "serialized_rollback"
        )
    ]
    if careless:
        raise pytest.UsageError(
            "transactional tests without serialized_rollback=True: " + ", ".join(careless)
        )


def square(lng: float, lat: float, size: float = 0.01) -> dict[str, object]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def rows(*items: tuple[str, str, str, str]) -> list[DivisionRow]:
    return [
        DivisionRow(line=i, code=code, name=name, level=level, parent=parent)
        for i, (code, name, level, parent) in enumerate(items, start=2)
    ]


@dataclass
class Places:
    county: Region
    t1: Region
    t2: Region
    v1: Region
    v2: Region
    g1: Region
    g2: Region
    b1: Region
    b2: Region


@dataclass
class Units:
    county_bureau: Unit
    t1_station: Unit
    t2_station: Unit
    v1_committee: Unit
    v2_committee: Unit


def build_places() -> Places:
    import_divisions(by=SYSTEM, rows=CAST_DIVISIONS)
    get = Region.objects.get
    return Places(
        county=get(code="530424000000"),
        t1=get(code="530424001000"),
        t2=get(code="530424102000"),
        v1=get(code="530424001001"),
        v2=get(code="530424102201"),
        g1=get(code="530424001001001"),
        g2=get(code="530424102201001"),
        b1=get(code="530424001001001001"),
        b2=get(code="530424102201001001"),
    )


CAST_DIVISIONS = [
    *rows(
        ("530000000000", "云南省", "province", ""),
        ("530400000000", "玉溪市", "city", "530000000000"),
        ("530424000000", "华宁县", "county", "530400000000"),
        ("530424001000", "宁州街道", "township", "530424000000"),
        ("530424102000", "盘溪镇", "township", "530424000000"),
        ("530424001001", "右所社区", "village", "530424001000"),
        ("530424102201", "大龙潭村", "village", "530424102000"),
    ),
    DivisionRow(
        30,
        "530424001001001",
        "右所社区第1网格",
        "grid",
        "530424001001",
        boundary=square(102.9, 24.2),
    ),
    DivisionRow(
        31,
        "530424102201001",
        "大龙潭村第1网格",
        "grid",
        "530424102201",
        boundary=square(102.95, 24.2),
    ),
    *rows(
        ("530424001001001001", "1号楼", "building", "530424001001001"),
        ("530424102201001001", "1号院落", "building", "530424102201001"),
    ),
]


def build_units(places: Places) -> Units:
    def make(name: str, kind: str, region: Region) -> Unit:
        return unit_create(by=SYSTEM, name=name, kind=kind, region=region)

    return Units(
        county_bureau=make("华宁县人社局", Unit.Kind.HUMAN_RESOURCES, places.county),
        t1_station=make("宁州派出所", Unit.Kind.POLICE, places.t1),
        t2_station=make("盘溪派出所", Unit.Kind.POLICE, places.t2),
        v1_committee=make("右所社区调委会", Unit.Kind.MEDIATION_COMMITTEE, places.v1),
        v2_committee=make("大龙潭村调委会", Unit.Kind.MEDIATION_COMMITTEE, places.v2),
    )


def make_user(
    username: str, role: Role, *, region: Region | None = None, unit: Unit | None = None
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    RoleAssignment.objects.create(user=user, role=role, region=region, unit=unit)
    return user


@dataclass
class Cast:
    places: Places
    units: Units
    # One person per role, each working inside township T1.
    by_role: dict[Role, User]
    # Someone working in township T2: outside every member of `by_role`.
    outsider: User

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture(autouse=True)
def chinese_first() -> Iterator[None]:
    """Every test starts in the interface's first language, whatever an earlier test on
    this worker switched to (the active language is per thread, not per request)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo county with its cases, loaded once for a test module and rolled back at
    the module's end (it takes half a minute: some three thousand steps through the
    services). Each test runs in its own savepoint inside it."""
    from django.conf import settings
    from django.db import transaction

    from zongzhi.demo.county import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(settings.ZONGZHI_DIVISIONS_DIR)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo_without_cases(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo county's places, units and people, without the cases (a few seconds)."""
    from django.conf import settings
    from django.db import transaction

    from zongzhi.demo.county import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(settings.ZONGZHI_DIVISIONS_DIR, cases=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def places(db: None) -> Places:
    return _CAST_ROWS.places()


@pytest.fixture
def cast(places: Places) -> Cast:
    return _CAST_ROWS.cast(places)


def build_cast(places: Places) -> Cast:
    units = build_units(places)
    by_role = {
        Role.INTAKE_OFFICER: make_user("t1_intake", Role.INTAKE_OFFICER, region=places.t1),
        Role.GRID_WORKER: make_user("g1_grid", Role.GRID_WORKER, region=places.g1),
        Role.MEDIATOR: make_user("v1_mediator", Role.MEDIATOR, unit=units.v1_committee),
        Role.UNIT_HANDLER: make_user("t1_police", Role.UNIT_HANDLER, unit=units.t1_station),
        Role.LEADER: make_user("t1_leader", Role.LEADER, region=places.t1),
        Role.CARE_WORKER: make_user("v1_care", Role.CARE_WORKER, region=places.v1),
        Role.CARE_SUPERVISOR: make_user("t1_care_sup", Role.CARE_SUPERVISOR, region=places.t1),
        Role.ADMINISTRATOR: make_user("t1_admin", Role.ADMINISTRATOR, region=places.t1),
        Role.CLIENT_SYSTEM: make_user("t1_hotline", Role.CLIENT_SYSTEM, region=places.t1),
    }
    outsider = make_user("t2_intake", Role.INTAKE_OFFICER, region=places.t2)
    return Cast(places=places, units=units, by_role=by_role, outsider=outsider)


class CastRows:
    """The cast built once per test process through the services, then written again for
    each test from the rows it left (four INSERTs instead of some eighty queries: most of
    the suite's tests take the cast, and building it was a tenth of the suite's time).

    The copies are the same rows (same ids, same password hashes) a fresh build writes —
    `test_cast.py` compares every table — and each test gets new Python objects. When
    the rows cannot be written as they were (a test's own fixture already took one of
    their ids or names), the cast is built through the services as before."""

    def __init__(self) -> None:
        self._regions: list[Region] | None = None
        self._codes: dict[str, str] = {}
        self._rest: tuple[list[Unit], list[User], list[RoleAssignment]] | None = None
        self._roles: dict[Role, int] = {}
        self._outsider = 0
        self._forgotten = False

    def forget(self) -> None:
        """Build through the services from now on in this process (the database was
        emptied: pytest-django runs the tests that do so last)."""
        self._regions = None
        self._rest = None
        self._forgotten = True

    def places(self) -> Places:
        if self._regions is not None and self._write(self._regions):
            return self._places(copy.deepcopy(self._regions))
        built = build_places()
        if self._regions is None and not self._forgotten:
            codes = [row.code for row in CAST_DIVISIONS]
            self._regions = list(Region.objects.filter(code__in=codes).order_by("pk"))
            self._codes = {name: getattr(built, name).code for name in Places.__dataclass_fields__}
        return built

    def cast(self, places: Places) -> Cast:
        if self._rest is not None and self._restored(places) and self._write(*self._rest):
            units, users, _ = copy.deepcopy(self._rest)
            by_pk = {r.pk: r for r in vars(places).values()}
            for unit in units:
                if unit.region_id in by_pk:
                    unit.region = by_pk[unit.region_id]
            user = {u.pk: u for u in users}
            return Cast(
                places=places,
                units=Units(*units),
                by_role={role: user[pk] for role, pk in self._roles.items()},
                outsider=user[self._outsider],
            )
        built = build_cast(places)
        if self._rest is None and self._regions is not None:
            units = [getattr(built.units, n) for n in Units.__dataclass_fields__]
            people = [*built.by_role.values(), built.outsider]
            self._rest = (
                list(Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("pk")),
                list(User.objects.filter(pk__in=[u.pk for u in people]).order_by("pk")),
                list(RoleAssignment.objects.filter(user__in=people).order_by("pk")),
            )
            assert [u.pk for u in self._rest[0]] == [u.pk for u in units]
            self._roles = {role: user.pk for role, user in built.by_role.items()}
            self._outsider = built.outsider.pk
        return built

    def _restored(self, places: Places) -> bool:
        """Whether these places are the snapshot's rows (the units point at them)."""
        ids = {r.pk for r in self._regions or []}
        return all(region.pk in ids for region in vars(places).values())

    def _places(self, regions: list[Region]) -> Places:
        by_code = {r.code: r for r in regions}
        return Places(**{name: by_code[code] for name, code in self._codes.items()})

    @staticmethod
    def _write(*groups: list[Any]) -> bool:
        from django.db import IntegrityError, transaction

        try:
            with transaction.atomic():
                for rows in groups:
                    type(rows[0]).objects.bulk_create(copy.deepcopy(rows))
        except IntegrityError:
            return False
        return True


_CAST_ROWS = CastRows()


from zongzhi.browser import chromium_endpoint, phone_page  # noqa: E402, F401  (browser tests)
