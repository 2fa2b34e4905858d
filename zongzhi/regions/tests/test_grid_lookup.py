import pytest
from django.core.exceptions import PermissionDenied

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast, Places
from zongzhi.regions import geo
from zongzhi.regions.selectors import grid_at
from zongzhi.regions.services import set_grid_boundary


def test_a_point_is_placed_in_the_grid_that_holds_it(places: Places) -> None:
    assert grid_at(lng=102.905, lat=24.205) == places.g1
    assert grid_at(lng=102.955, lat=24.205) == places.g2


def test_a_point_between_grids_is_in_none(places: Places) -> None:
    assert grid_at(lng=102.93, lat=24.205) is None


def test_a_point_on_a_shared_edge_goes_to_one_grid_every_time(places: Places) -> None:
    ring = [[102.91, 24.2], [102.92, 24.2], [102.92, 24.21], [102.91, 24.21], [102.91, 24.2]]
    set_grid_boundary(
        by=SYSTEM, grid=places.g2, boundary={"type": "Polygon", "coordinates": [ring]}
    )
    assert grid_at(lng=102.91, lat=24.205) == places.g1  # the smaller code wins


def test_the_search_can_be_kept_inside_a_subtree(places: Places) -> None:
    assert grid_at(lng=102.905, lat=24.205, within=places.t2) is None


def test_swapped_coordinates_are_refused_with_a_hint(places: Places) -> None:
    with pytest.raises(geo.BoundaryError, match="经纬度是否填反"):
        grid_at(lng=24.205, lat=102.905)


def test_the_locate_page_only_reveals_grids_in_scope(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    inside = client.get("/regions/locate/", {"lng": 102.905, "lat": 24.205}).content.decode()
    assert "右所社区第1网格" in inside
    outside = client.get("/regions/locate/", {"lng": 102.955, "lat": 24.205}).content.decode()
    assert "大龙潭村第1网格" not in outside
    assert "您的范围内没有包含该点的网格" in outside


def test_only_an_administrator_in_scope_redraws_a_grid(cast: Cast) -> None:
    ring = [[102.80, 24.1], [102.81, 24.1], [102.81, 24.11], [102.80, 24.11], [102.80, 24.1]]
    polygon = {"type": "Polygon", "coordinates": [ring]}
    with pytest.raises(PermissionDenied):
        set_grid_boundary(by=cast.by_role[Role.LEADER], grid=cast.places.g1, boundary=polygon)
    with pytest.raises(PermissionDenied):
        set_grid_boundary(
            by=cast.by_role[Role.ADMINISTRATOR], grid=cast.places.g2, boundary=polygon
        )
    assert grid_at(lng=102.805, lat=24.105) is None
    set_grid_boundary(by=cast.by_role[Role.ADMINISTRATOR], grid=cast.places.g1, boundary=polygon)
    assert grid_at(lng=102.805, lat=24.105) == cast.places.g1
    assert grid_at(lng=102.905, lat=24.205) is None
