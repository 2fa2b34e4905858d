"""The reference data: places by parent within the caller's scope, the category tree and
units. (The code lists a case uses are tested with the cases API.)"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.categories.models import Category
from zongzhi.conftest import Cast, rows
from zongzhi.regions.services import import_divisions

REF = "/api/reference"


def test_places_come_by_parent_and_only_inside_the_callers_scope(cast: Cast) -> None:
    intake = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    roots = intake.get(f"{REF}/regions").json()
    assert roots == [
        {
            "code": cast.places.t1.code,
            "name": "宁州街道",
            "level": {"code": "4", "name": "乡镇/街道"},
            "parent": cast.places.county.code,
            "has_children": True,
        }
    ]
    villages = intake.get(f"{REF}/regions", {"parent": cast.places.t1.code}).json()
    assert [v["code"] for v in villages] == [cast.places.v1.code]
    grids = intake.get(f"{REF}/regions", {"parent": cast.places.g1.code}).json()
    assert [(g["code"], g["has_children"]) for g in grids] == [(cast.places.b1.code, False)]
    for outside in (cast.places.t2.code, cast.places.county.code, "nothing"):
        assert_error(intake.get(f"{REF}/regions", {"parent": outside}), 404, "not_found")


def test_units_are_those_in_scope(cast: Cast) -> None:
    intake = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    names = [u["name"] for u in intake.get(f"{REF}/units").json()]
    assert names == ["宁州派出所", "右所社区调委会"]
    in_v1 = intake.get(f"{REF}/units", {"region": cast.places.v1.code}).json()
    assert [(u["name"], u["kind"]["code"]) for u in in_v1] == [
        ("右所社区调委会", "mediation_committee")
    ]
    assert_error(intake.get(f"{REF}/units", {"region": "0"}), 400, "invalid", "region")
    outsider = KeyClient(cast.outsider)
    assert [u["name"] for u in outsider.get(f"{REF}/units").json()] == [
        "盘溪派出所",
        "大龙潭村调委会",
    ]


def test_the_category_tree_holds_the_active_categories_in_two_levels(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    Category.objects.filter(code="LLJF02").update(is_active=False)
    with CaptureQueriesContext(connection) as queries:
        tree = api.get(f"{REF}/categories").json()
    assert len(queries) <= 4
    first_level = {c["code"]: c for c in tree}
    total = Category.objects.filter(parent__isnull=True, is_active=True).count()
    assert len(first_level) == total
    children = [c["code"] for c in first_level["LLJF"]["children"]]
    assert "LLJF01" in children and "LLJF02" not in children


def test_the_regions_list_costs_the_same_queries_however_many_children(cast: Cast) -> None:
    intake = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    intake.get(f"{REF}/regions")

    def queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as q:
            assert intake.get(f"{REF}/regions", params).status_code == 200
        return len(q)

    one_child = queries({"parent": cast.places.v1.code})
    import_divisions(
        by=SYSTEM,
        rows=rows(
            *[
                (f"530424001001{n:03}", f"右所社区第{n}网格", "grid", cast.places.v1.code)
                for n in range(2, 8)
            ]
        ),
    )
    assert len(intake.get(f"{REF}/regions", {"parent": cast.places.v1.code}).json()) == 7
    assert queries({"parent": cast.places.v1.code}) == one_child <= 5
