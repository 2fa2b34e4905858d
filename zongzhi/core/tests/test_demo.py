import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.rules import Role
from zongzhi.core.demo import GRIDS_TOTAL, load_demo
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

# The demo county without its cases (zongzhi/conftest.py) is loaded once for this module;
# its cases are tested in zongzhi/cases/tests/test_demo_cases.py.
pytestmark = pytest.mark.usefixtures("demo_without_cases", "db")


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
