"""The generated province is data the app accepts: constraints hold, statuses match
timelines, the figures match the cases, the pages work, and a seed gives the same data."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Max

from zongzhi.accounts.models import User
from zongzhi.analytics import indicators
from zongzhi.analytics.models import COUNTERS, AreaDayTotal, CaseRollup
from zongzhi.analytics.rollups import rebuild_rollups
from zongzhi.benchmarks import cases as generated_cases
from zongzhi.benchmarks.province import PROVINCE, generate_province
from zongzhi.care.models import CareFile
from zongzhi.cases import rules, search
from zongzhi.cases.models import Case, CaseEvent, DeadlineAlert, SupervisionOrder
from zongzhi.cases.selectors import case_list
from zongzhi.cases.services import sweep_deadlines
from zongzhi.core import crypto
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level, check_code
from zongzhi.screening.models import ScreeningReport

TODAY = date(2026, 3, 16)
TINY = {"townships": (2, 2), "villages": (2, 2), "grids": (2, 3)}
CASES = 300

pytestmark = pytest.mark.django_db


def generate(seed: int = 7) -> None:
    generate_province(cases=CASES, counties=2, seed=seed, today=TODAY, shape=TINY)


@pytest.fixture
def province() -> None:
    generate()


def test_it_makes_the_places_with_codes_the_regions_rules_accept(province: None) -> None:
    regions = Region.objects.within(PROVINCE)
    assert regions.filter(level=Level.COUNTY).count() == 2
    assert regions.filter(level=Level.TOWNSHIP).count() == 4
    for region in regions:
        assert check_code(region.code, Level(region.level)) is None, region.code
        assert region.parent is None or region.prefix.startswith(region.parent.prefix)


def test_every_case_has_as_many_events_as_its_life_and_ends_where_its_status_is(
    province: None,
) -> None:
    assert Case.objects.count() == CASES
    last = {}
    for event in CaseEvent.objects.order_by("case_id", "at", "pk"):
        if event.case_id in last:
            assert last[event.case_id].to_status == event.from_status
        else:
            assert event.step == rules.Step.REGISTER
        # Every step is one the state machine allows from where the case stood.
        assert (
            rules.status_after(
                rules.Step(event.step),
                rules.Status(event.from_status) if event.from_status else None,
            )
            == event.to_status
        )
        last[event.case_id] = event
    for case in Case.objects.all():
        assert last[case.pk].to_status == case.status
        if connection.vendor == "postgresql":  # bulk_create stamps auto_now fields itself
            assert case.updated_at == last[case.pk].at


def test_cases_keep_the_fields_the_services_set(province: None) -> None:
    # The database checked the constraints as the rows went in; full_clean adds the
    # choices and lengths (on a sample: it costs a query per constraint and case).
    for case in Case.objects.order_by("pk")[:40]:
        case.full_clean()
    for case in Case.objects.select_related(
        "region", "centre", "lead_unit__region"
    ).prefetch_related("assignments", "parties"):
        assert case.region_prefix == case.region.prefix
        assert case.centre_prefix == case.centre.prefix
        assert case.region_prefix.startswith(case.centre_prefix)
        # An archived case was closed, unless it was rejected (never accepted) first.
        closed = case.status in {"closed", "visited"} or (
            case.status == "archived" and case.accepted_on is not None
        )
        if closed:
            assert case.closed_on is not None and case.outcome and case.closed_due_on
            assert case.due_on is None
        if case.status in rules.OPEN:
            assert case.due_on is not None and case.closed_on is None
        if case.status in {"dispatched", "in_progress", "closed", "visited"} or closed:
            assert case.lead_unit is not None
            assert case.lead_unit.region.prefix.startswith(case.centre_prefix)
            leads = [a.unit_id for a in case.assignments.all() if a.kind == "lead"]
            assert leads == [case.lead_unit_id]
        else:
            assert case.lead_unit is None and not case.assignments.all()
        assert [p.role for p in case.parties.all()].count("applicant") == 1
        # What the search finds it by, as the services would have written it.
        assert case.search_text == search.search_text(
            code=case.code,
            title=case.title,
            description=case.description,
            address=case.address,
            parties=[(p.name, p.phone) for p in case.parties.all()],
        )
        assert all(p.phone_digits == search.digits(p.phone) for p in case.parties.all())


def test_it_makes_every_status_and_some_overdue_cases(province: None) -> None:
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses["archived"] > CASES / 3
    for status in ("registered", "accepted", "in_progress", "closed", "visited"):
        assert statuses[status] > 0, status
    assert CaseEvent.objects.filter(step=rules.Step.REJECT).exists()
    assert CaseEvent.objects.filter(step=rules.Step.VISIT_UNSATISFIED).exists()
    assert Case.objects.overdue(TODAY).exists()


def test_the_figures_equal_counting_the_cases(province: None) -> None:
    start, end = TODAY - timedelta(days=800), TODAY
    for prefix in [PROVINCE, Region.objects.filter(level=Level.TOWNSHIP).first().prefix]:  # type: ignore[union-attr]
        figures = indicators.figures(prefix, start, end, TODAY)
        for counter in COUNTERS:
            direct = (
                indicators.cohort(prefix, start, end).filter(indicators.COUNTER_Q[counter]).count()
            )
            assert indicators.counter_sums(prefix, start, end)[counter] == direct, counter
        assert (
            figures["received"].value
            == Case.objects.filter(region_prefix__startswith=prefix).count()
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL rebuild is PostgreSQL's")
def test_the_sql_rebuild_equals_the_apps_rebuild(province: None) -> None:
    def cells() -> set[tuple[object, ...]]:
        return set(
            CaseRollup.objects.values_list(
                "day", "region_id", "category_id", "channel", "unit_id", *COUNTERS
            )
        ) | set(AreaDayTotal.objects.values_list("depth", "area", "day", *COUNTERS))

    ours = cells()
    rebuild_rollups()
    assert cells() == ours


def test_the_registers_come_in_proportion(province: None) -> None:
    assert Hazard.objects.count() == CASES // 50
    assert CareFile.objects.count() == CASES // 100
    grids = Region.objects.within(PROVINCE).grids().count()
    assert ScreeningReport.objects.count() % grids == 0 and ScreeningReport.objects.exists()
    for care in CareFile.objects.all():
        number = crypto.decrypt(care.identity_encrypted)
        assert crypto.blind_index(number) == care.identity_index


def test_a_township_intake_officer_sees_their_work(province: None) -> None:
    officer = User.objects.filter(
        role_assignments__role="intake_officer", role_assignments__region__level=Level.TOWNSHIP
    ).first()
    assert officer is not None
    assert case_list(officer, todo=False).exists()
    assert (
        User.objects.filter(role_assignments__role="grid_worker").count()
        == Region.objects.within(PROVINCE).grids().count()
    )


def test_the_app_keeps_inserting_after_generation(province: None) -> None:
    region = Region.objects.filter(level=Level.GRID).first()
    assert region is not None
    made = Region.objects.create(
        code=region.code[:-3] + "999",
        prefix=region.prefix[:-3] + "999",
        name="新网格",
        level=Level.GRID,
        parent=region.parent,
    )
    assert made.pk > Region.objects.exclude(pk=made.pk).aggregate(m=Max("pk"))["m"]


def _snapshot() -> list[object]:
    return [
        list(Region.objects.values_list("code", "name").order_by("code")),
        list(
            Case.objects.values_list(
                "code",
                "status",
                "category__code",
                "region__code",
                "registered_at",
                "due_on",
                "lead_unit__name",
                "satisfaction",
            ).order_by("code")
        ),
        list(
            CaseEvent.objects.values_list("case__code", "step", "at", "data").order_by(
                "case__code", "at"
            )
        ),
        list(Hazard.objects.values_list("code", "status").order_by("code")),
        list(CareFile.objects.values_list("code", "identity_index").order_by("code")),
    ]


class _Undo(Exception):
    pass


def test_the_same_seed_gives_the_same_data() -> None:
    try:
        with transaction.atomic():
            generate(seed=3)
            first = _snapshot()
            raise _Undo
    except _Undo:
        pass
    generate(seed=3)
    assert _snapshot() == first


def _index_definitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'cases_%%' ORDER BY indexname"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are rebuilt on PostgreSQL")
def test_the_indexes_dropped_for_the_load_come_back_as_they_were() -> None:
    before = _index_definitions()
    generate_province(
        cases=CASES, counties=1, seed=5, today=TODAY, shape=TINY, rebuild_indexes=True
    )
    assert _index_definitions() == before
    assert Case.objects.count() == CASES


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes on PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # workers see commits only
def test_two_worker_processes_write_the_same_cases_as_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(generated_cases, "CHUNK", 70)  # 300 cases: five chunks
    try:
        with transaction.atomic():
            generate_province(cases=CASES, counties=2, seed=4, today=TODAY, shape=TINY)
            alone = _snapshot()
            raise _Undo
    except _Undo:
        pass
    phases = generate_province(cases=CASES, counties=2, seed=4, today=TODAY, shape=TINY, workers=2)
    assert _snapshot() == alone
    cases_phase = next(p for p in phases if p.name == "cases")
    assert cases_phase.rows["case"] == CASES
    # The children's CPU is counted, not only the parent's (which only waits).
    assert cases_phase.client_cpu > 0.05


def test_the_sweeps_up_to_yesterday_are_done_and_todays_is_left_to_do(province: None) -> None:
    yesterday = TODAY - timedelta(days=1)
    overdue = Case.objects.open().filter(due_on__lt=yesterday, paused_since__isnull=True)
    assert overdue.exists()
    assert SupervisionOrder.objects.filter(automatic=True).count() == overdue.count()
    assert sweep_deadlines(today=yesterday).supervised == 0
    due_yesterday = Case.objects.open().filter(due_on=yesterday).count()
    assert sweep_deadlines(today=TODAY).supervised == due_yesterday
    # Each order has its timeline entry, as the service writes it.
    order = SupervisionOrder.objects.filter(automatic=True).first()
    assert order is not None
    event = CaseEvent.objects.get(case=order.case, step=rules.Step.SUPERVISE)
    assert event.data == {
        "order": order.pk,
        "for_due_on": order.for_due_on.isoformat(),
        "automatic": True,
    }
    assert DeadlineAlert.objects.exists()
