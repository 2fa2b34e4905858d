import random
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.rules import Role
from zongzhi.care import rules as care_rules
from zongzhi.care import selectors as care_selectors
from zongzhi.care.models import (
    CareAlert,
    CareAssistance,
    CareEmergencyAccess,
    CareFile,
    CarePlanItem,
    CareTransfer,
    CareVisit,
)
from zongzhi.demo.care import load_care_demo
from zongzhi.demo.county import GRIDS_TOTAL, load_demo
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

# The demo county without its cases (zongzhi/conftest.py) is loaded once for this module;
# its cases are tested in zongzhi/demo/tests/test_cases.py.
pytestmark = [
    pytest.mark.usefixtures("demo_without_cases", "db"),
    # `make demo` loads this county on SQLite, and production never loads it: it is tested
    # on SQLite only (a minute and a half of the PostgreSQL run saved; the services it
    # walks are tested on PostgreSQL by their own modules).
    pytest.mark.sqlite,
    pytest.mark.demo_county,
    # One worker loads these places and runs these (make test runs with --dist loadgroup;
    # spread over both, each would load them), while the other loads the whole county for
    # test_cases.py.
    pytest.mark.xdist_group("demo_places"),
]


def test_the_demo_county_has_its_real_townships_and_villages() -> None:
    county = Region.objects.get(code="530424000000")
    assert county.name == "华宁县"
    townships = county.children.order_by("code")
    assert [t.name for t in townships] == [
        "宁州街道",
        "盘溪镇",
        "华溪镇",
        "青龙镇",
        "通红甸彝族苗族乡",
    ]
    assert county.subtree().filter(level=Region.Level.VILLAGE).count() == 77
    grids = county.subtree().filter(level=Region.Level.GRID)
    assert grids.count() == GRIDS_TOTAL
    assert not grids.filter(boundary__isnull=True).exists()
    assert county.subtree().filter(level=Region.Level.BUILDING).count() >= GRIDS_TOTAL


def test_the_demo_has_a_person_for_every_role() -> None:
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == {str(role) for role in Role}
    # Units at county and at every township level, with competences.
    assert Unit.objects.filter(region__level=Region.Level.COUNTY).count() >= 12
    assert Unit.objects.filter(region__level=Region.Level.TOWNSHIP).count() == 5 * 6
    assert Unit.objects.filter(competent_categories__isnull=False).exists()


def test_loading_the_demo_twice_changes_nothing() -> None:
    counts = (Region.objects.count(), Unit.objects.count(), User.objects.count())
    load_demo(settings.ZONGZHI_DIVISIONS_DIR, cases=0)
    assert (Region.objects.count(), Unit.objects.count(), User.objects.count()) == counts


def test_a_township_officer_sees_exactly_their_townships_villages_and_grids() -> None:
    client = Client()
    client.force_login(User.objects.get(username="ningzhou_intake"))
    response = client.get("/regions/")
    assert response.status_code == 302
    assert response["Location"] == "/regions/530424001000/"
    page = client.get(response["Location"]).content.decode()
    ningzhou = Region.objects.get(code="530424001000")
    for village in ningzhou.children.all():
        assert village.name in page
    for other in Region.objects.filter(level=Region.Level.VILLAGE).exclude(parent=ningzhou):
        assert f"/regions/{other.code}/" not in page
    village = ningzhou.children.order_by("code").first()
    assert village is not None
    village_page = client.get(f"/regions/{village.code}/").content.decode()
    for grid in village.children.all():
        assert grid.name in village_page
    elsewhere = Region.objects.get(code="530424102000")  # 盘溪镇
    assert client.get(f"/regions/{elsewhere.code}/").status_code == 404
    some_grid_elsewhere = elsewhere.subtree().filter(level=Region.Level.GRID).first()
    assert some_grid_elsewhere is not None
    assert client.get(f"/regions/{some_grid_elsewhere.code}/").status_code == 404


def test_region_and_unit_pages_take_a_fixed_number_of_queries() -> None:
    client = Client()
    client.force_login(User.objects.get(username="county_leader"))
    client.get("/")  # warm the session
    for url, most in [
        ("/regions/530424000000/", 12),
        ("/regions/530424001001/", 12),
        ("/units/", 10),
        ("/", 12),
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= most, (url, [q["sql"] for q in queries])


def test_the_home_page_counts_only_the_units_a_person_can_see() -> None:
    client = Client()
    client.force_login(User.objects.get(username="ningzhou_police"))
    page = client.get("/").content.decode()
    assert '<span class="n">1</span>单位' in page
    client.force_login(User.objects.get(username="ningzhou_leader"))
    page = client.get("/").content.decode()
    ningzhou_units = Unit.objects.filter(region__prefix__startswith="530424001").count()
    assert f'<span class="n">{ningzhou_units}</span>单位' in page


def test_chinese_is_shown_whatever_the_browser_asks_for_until_english_is_chosen() -> None:
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    client.force_login(User.objects.get(username="ningzhou_leader"))
    assert "区划与网格" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Regions and grids" in client.get("/").content.decode()


def test_the_county_administrator_edits_routing_rules_and_deadline_policies_not_cases() -> None:
    client = Client()
    client.force_login(User.objects.get(username="county_admin"))
    assert client.get("/admin/cases/routingrule/").status_code == 200
    assert client.get("/admin/cases/deadlinepolicy/").status_code == 200
    # Cases change only through their pages' steps, never in the admin.
    assert client.get("/admin/cases/case/").status_code == 404


def test_the_demo_has_a_care_supervisor_for_the_county_and_each_township() -> None:
    supervisors = RoleAssignment.objects.filter(role=Role.CARE_SUPERVISOR)
    county = Region.objects.get(code="530424000000")
    assert {a.region for a in supervisors} == {county, *county.children.all()}
    assert set(supervisors.values_list("user__username", flat=True)) == {
        "county_care_sup",
        "ningzhou_care_sup",
        "panxi_care_sup",
        "huaxi_care_sup",
        "qinglong_care_sup",
        "tonghongdian_care_sup",
    }


def test_the_demo_care_registry_has_every_programme_and_work_to_do() -> None:
    county = Region.objects.get(code="530424000000")
    assert load_care_demo(random.Random(5304243), county) == 80

    files = CareFile.objects.all()
    assert set(files.values_list("programme", flat=True)) == set(care_rules.PROGRAMMES)
    townships = {f.region_prefix[:9] for f in files}
    assert len(townships) == 5
    today = timezone.localdate()
    for f in files.select_related("region"):
        number = f.full_identity()
        assert care_rules.identity_error(number) is None and number.startswith("530424")
        born = f.birth_date()
        assert born is not None and born == care_rules.birth_date_of(number)
        if f.prog.for_minors:
            assert date(2010, 1, 1) <= born <= date(2020, 12, 31)
        else:
            assert not care_rules.is_minor(born, today)
        lead = f.team.get(active=True, duty="lead")
        assert lead.user is not None
        # Led by the care worker of its place (a village's own, else the township's).
        assert f.region_prefix.startswith(lead.user.role_assignments.get().region.prefix)
    open_files = files.filter(closed_on__isnull=True)
    assert 3 <= files.filter(closed_on__isnull=False).count() <= 7
    assert CareVisit.objects.filter(visited_on__lt=today - timedelta(days=60)).exists()
    assert CarePlanItem.objects.count() >= files.count()
    assert CareAssistance.objects.count() >= files.count()
    grades = {f.level for f in files.filter(programme="mental_health")}
    assert grades >= {"0", "1", "2"} and grades & {"3", "4", "5"}
    assert {f.level for f in files.exclude(programme="mental_health")} == {"high", "medium", "low"}

    # Overdue visits, raised to the team and (past the grace days) to the supervisors.
    overdue = open_files.filter(next_visit_due__lt=today)
    assert overdue.count() >= 10
    village_worker = User.objects.get(username="ningzhou_v1_care")
    counts = care_selectors.home_counts(village_worker, today)
    assert counts is not None and counts.overdue >= 1
    assert care_selectors.visits_due(village_worker, today).exists()
    escalated = CareAlert.objects.filter(kind="visit_escalated", cleared_at__isnull=True)
    assert escalated.exists()
    supervisor_sees = [
        care_selectors.escalated_alerts(User.objects.get(username=f"{slug}_care_sup")).count()
        for slug in ["ningzhou", "panxi", "huaxi", "qinglong", "tonghongdian"]
    ]
    assert sum(supervisor_sees) >= escalated.count() and max(supervisor_sees) > 0

    # Transfers between townships: three waiting (one past its date, with the receiving
    # supervisors), two accepted, one declined.
    transfers = CareTransfer.objects.all()
    by_status = {s: transfers.filter(status=s).count() for s in CareTransfer.Status.values}
    assert by_status == {"pending": 3, "accepted": 2, "declined": 1}
    for t in transfers:
        assert t.from_prefix[:9] != t.to_prefix[:9]
    late = transfers.get(escalated_at__isnull=False)
    assert late.status == "pending" and late.answer_due_on < today
    assert CareAlert.objects.filter(file=late.file, kind="transfer_unanswered").exists()
    receiving = User.objects.get(
        role_assignments__role=Role.CARE_SUPERVISOR,
        role_assignments__region__prefix=late.to_prefix[:9],
    )
    assert care_selectors.escalated_alerts(receiving).filter(file=late.file).exists()
    assert open_files.exclude(transfer_to_prefix="").count() == 3

    # One emergency read by a supervisor of another township, waiting for review.
    emergency = CareEmergencyAccess.objects.get()
    assert emergency.reviewed_at is None
    own = User.objects.get(
        role_assignments__role=Role.CARE_SUPERVISOR,
        role_assignments__region__prefix=emergency.file.region_prefix[:9],
    )
    assert list(care_selectors.emergencies_to_review(own)) == [emergency]

    # Loading it again opens nothing.
    assert load_care_demo(random.Random(5304243), county) == 0
    assert CareFile.objects.count() == files.count()
