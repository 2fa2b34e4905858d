"""manage.py open311_key NAME: a client system and its key, and nothing else printed."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case
from zongzhi.conftest import Places, rows
from zongzhi.open311.tests.conftest import post
from zongzhi.regions.services import import_divisions


def open311_key(*args: str) -> str:
    out = StringIO()
    call_command("open311_key", *args, stdout=out)
    return out.getvalue()


def test_it_prints_only_a_key_that_works_in_the_single_county(places: Places) -> None:
    printed = open311_key("12345热线平台")

    assert re.fullmatch(r"zz_[A-Za-z0-9_-]{40}\n", printed)
    client = User.objects.get(full_name="12345热线平台")
    assert [(a.role, a.region) for a in client.role_assignments.all()] == [
        (Role.CLIENT_SYSTEM, places.county)
    ]
    assert not client.has_usable_password()
    response = post(printed.strip(), address_id=places.t2.code, lat=None, long=None)
    assert response.status_code == 200
    assert Case.objects.get().centre == places.t2


def test_region_names_where_the_client_registers(places: Places) -> None:
    key = open311_key("宁州街道网格系统", "--region", places.t1.code).strip()

    assert post(key, address_id=places.t2.code).status_code == 403
    assert post(key).status_code == 200


def test_it_asks_for_a_region_when_the_county_is_ambiguous(places: Places) -> None:
    import_divisions(by=SYSTEM, rows=rows(("530425000000", "易门县", "county", "530400000000")))

    with pytest.raises(CommandError, match="--region"):
        open311_key("12345热线平台")
    with pytest.raises(CommandError, match="不存在"):
        open311_key("12345热线平台", "--region", "999999999999")
    with pytest.raises(CommandError, match="县及以下"):
        open311_key("12345热线平台", "--region", "530400000000")
    assert not User.objects.filter(full_name="12345热线平台").exists()
