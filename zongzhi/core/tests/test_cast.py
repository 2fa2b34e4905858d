"""The shared cast written again from its rows is the cast the services build."""

from typing import Any

import pytest
from django.apps import apps
from django.db import transaction

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.conftest import PASSWORD, CastRows
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit


def _rows() -> dict[str, Any]:
    """Every table's row count, and the cast's rows by their names rather than their ids."""
    counts = {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed}
    regions = {
        r.code: (r.name, r.level, r.prefix, r.parent.code if r.parent else "", r.boundary)
        for r in Region.objects.select_related("parent")
    }
    units = {u.name: (u.kind, u.region.code) for u in Unit.objects.select_related("region")}
    users = {
        u.username: (u.full_name, u.is_active, u.check_password(PASSWORD))
        for u in User.objects.all()
    }
    roles = sorted(
        (a.user.username, a.role, a.region.code if a.region else "", a.unit.name if a.unit else "")
        for a in RoleAssignment.objects.select_related("user", "region", "unit")
    )
    return {"counts": counts, "regions": regions, "units": units, "users": users, "roles": roles}


@pytest.mark.django_db
def test_the_written_cast_has_the_rows_and_objects_of_a_built_one() -> None:
    cast_rows = CastRows()
    with transaction.atomic():
        first = cast_rows.cast(cast_rows.places())  # built through the services
        built = _rows()
        transaction.set_rollback(True)
    with transaction.atomic():
        again = cast_rows.cast(cast_rows.places())  # written from the rows
        assert again.places.t1.pk == first.places.t1.pk
        assert _rows() == built
        # New objects for each test, wired as the services wire them.
        assert again.by_role.keys() == first.by_role.keys()
        assert all(again.by_role[r] is not first.by_role[r] for r in first.by_role)
        assert again.units.t1_station.region is again.places.t1
        assert again.outsider.username == "t2_intake"
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_when_a_row_id_is_taken_the_cast_is_built_through_the_services() -> None:
    cast_rows = CastRows()
    with transaction.atomic():
        first = cast_rows.cast(cast_rows.places())
        transaction.set_rollback(True)
    places = cast_rows.places()
    taken = Unit.objects.create(
        pk=first.units.county_bureau.pk, name="别的单位", kind=Unit.Kind.POLICE, region=places.t2
    )
    cast = cast_rows.cast(places)
    assert cast.units.county_bureau.pk != taken.pk
    assert Unit.objects.count() == 6
    assert cast.by_role and cast.outsider.username == "t2_intake"
