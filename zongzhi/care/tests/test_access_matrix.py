"""Who reads a care file, through every read path.

A file is read by its care team and by the supervisors of its place (a child's file only
by supervisors at the township or closer; during a transfer also by the receiving place's
supervisors; with an emergency grant, for a few hours). Everyone else gets a 404 from the
page and the API, and the export leaves the file out (or refuses them outright)."""

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action, Role
from zongzhi.care import access, exports, rules, services
from zongzhi.care.models import CareAccess, CareEmergencyAccess, CareFile, CareTeamMember
from zongzhi.care.services import Member
from zongzhi.care.tests.conftest import CareCast, open_file
from zongzhi.care.tests.reading import child_file, client_for, data_rows, sheet_of, v2_file
from zongzhi.conftest import make_user
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level


@dataclass
class Matrix:
    files: dict[str, CareFile]
    users: dict[str, User]
    readers: dict[str, set[str]]  # file → the users who read it


@pytest.fixture
def matrix(care: CareCast) -> Matrix:
    cast = care.cast
    p = cast.places
    adult = care.file  # V1, led by the V1 care worker
    child = child_file(care)  # V1, a left-behind child, led by the V1 care worker
    other = v2_file(care)  # V2 (township T2), led by the V2 care worker
    member = make_user("v1_social", Role.CARE_WORKER, region=p.v1)
    services.care_file_add_member(
        by=care.worker, file=adult, member=Member(duty="social_worker", user=member)
    )
    former = make_user("v1_former", Role.CARE_WORKER, region=p.v1)
    joined = services.care_file_add_member(
        by=care.supervisor, file=adult, member=Member(duty="volunteer", user=former)
    )
    services.care_file_remove_member(by=care.supervisor, member=joined)
    users: dict[str, User] = {role.value: user for role, user in cast.by_role.items()}
    users.update(
        outsider=cast.outsider,
        worker2=care.worker2,
        supervisor2=care.supervisor2,
        county_supervisor=care.county_supervisor,
        member=member,
        former_member=former,
    )
    worker, supervisor = Role.CARE_WORKER.value, Role.CARE_SUPERVISOR.value
    return Matrix(
        files={"adult": adult, "child": child, "v2": other},
        users=users,
        readers={
            "adult": {worker, supervisor, "county_supervisor", "member"},
            # A county supervisor is too far from a child's file; the non-lead member of the
            # adult's team is on no team of the child's.
            "child": {worker, supervisor},
            "v2": {"worker2", "supervisor2", "county_supervisor"},
        },
    )


def test_who_reads_each_file(matrix: Matrix) -> None:
    assert set(matrix.users) >= {r.value for r in Role}
    for (user_key, user), (file_key, file) in itertools.product(
        matrix.users.items(), matrix.files.items()
    ):
        expected = user_key in matrix.readers[file_key]
        assert access.may_read(user, file) is expected, (user_key, file_key)


def test_the_list_agrees_with_the_check_for_everyone(matrix: Matrix) -> None:
    for key, user in matrix.users.items():
        listed = set(access.readable_files(user))
        assert listed == {f for f in matrix.files.values() if access.may_read(user, f)}, key
        expected = {f for k, f in matrix.files.items() if key in matrix.readers[k]}
        assert listed == expected, key


def test_the_page_refuses_every_non_reader(matrix: Matrix) -> None:
    for (user_key, user), (file_key, file) in itertools.product(
        matrix.users.items(), matrix.files.items()
    ):
        response = client_for(user).get(reverse("care:detail", args=[file.code]))
        expected = 200 if user_key in matrix.readers[file_key] else 404
        assert response.status_code == expected, (user_key, file_key)
        if expected == 404:
            assert file.person_name not in response.content.decode()
    page_reads = CareAccess.objects.filter(via="page", what="file")
    assert page_reads.count() == sum(len(r) for r in matrix.readers.values())


def test_the_api_refuses_every_non_reader(matrix: Matrix) -> None:
    for (user_key, user), (file_key, file) in itertools.product(
        matrix.users.items(), matrix.files.items()
    ):
        client = client_for(user)
        response = client.get(f"/api/care/files/{file.code}", {"purpose": "supervision"})
        expected = 200 if user_key in matrix.readers[file_key] else 404
        assert response.status_code == expected, (user_key, file_key)
        listed = {row["code"] for row in client.get("/api/care/files").json()["items"]}
        assert (file.code in listed) is (expected == 200), (user_key, file_key)
    for key, readers in matrix.readers.items():
        logged = CareAccess.objects.filter(file=matrix.files[key], via="api", what="file")
        assert {a.user.username for a in logged} == {matrix.users[r].username for r in readers}


def test_the_export_leaves_out_every_file_its_exporter_does_not_read(matrix: Matrix) -> None:
    for user_key, user in matrix.users.items():
        client = client_for(user)
        if not holds(user, Action.SUPERVISE_CARE):
            assert client.get(reverse("care:export")).status_code == 403, user_key
            continue
        for region in exports.export_regions(user).filter(level__lte=Level.TOWNSHIP):
            response = client.post(
                reverse("care:export"), {"region": region.pk, "purpose": "statistics"}
            )
            assert response.status_code == 200
            exported = {row[1] for row in data_rows(sheet_of(response.content))}
            expected = {
                f.code
                for k, f in matrix.files.items()
                if user_key in matrix.readers[k] and f.region_prefix.startswith(region.prefix)
            }
            assert exported == expected, (user_key, region.name)
    exporters = {a.user.username for a in CareAccess.objects.filter(via="export")}
    assert exporters == {"t1_care_sup", "t2_care_sup", "county_care_sup"}


# --- The rule, over random situations -----------------------------------------------------

ROLES = [Role.CARE_SUPERVISOR, Role.CARE_WORKER, Role.INTAKE_OFFICER, Role.LEADER]
PLACES = ["county", "t1", "t2", "v1", "v2", "g1"]
FILE_KEYS = ["adult", "child", "v2", "moving", "teen", "closed"]


@st.composite
def situations(draw: Any) -> dict[str, Any]:
    return {
        "roles": draw(
            st.lists(
                st.tuples(st.sampled_from(ROLES), st.sampled_from(PLACES)), max_size=3, unique=True
            )
        ),
        "team": draw(
            st.dictionaries(st.sampled_from(FILE_KEYS), st.sampled_from(["active", "left"]))
        ),
        "emergency": draw(
            st.dictionaries(st.sampled_from(FILE_KEYS), st.sampled_from(["live", "expired"]))
        ),
    }


def _teen_identity() -> str:
    """A 16-year-old's number: a minor in an adults' programme."""
    year = timezone.localdate().year - 16
    return rules.with_check_digit(f"530424{year}0101003")


@pytest.fixture
def world(care: CareCast) -> dict[str, CareFile]:
    """Files of every kind, built once for all the examples of a property."""
    p = care.cast.places
    moving = open_file(care.worker, p.v1, person_name="搬家的人", identity_number="")
    services.care_file_propose_transfer(by=care.worker, file=moving, to_region=p.v2, reason="搬家")
    teen = open_file(
        care.worker2, p.v2, lead=care.worker2, person_name="少年", identity_number=_teen_identity()
    )
    closed = open_file(
        care.worker2, p.g2, lead=care.worker2, person_name="结案", identity_number=""
    )
    services.care_file_close(by=care.worker2, file=closed, reason="recovered")
    files = {
        "adult": care.file,
        "child": child_file(care),
        "v2": v2_file(care),
        "moving": CareFile.objects.get(pk=moving.pk),
        "teen": CareFile.objects.get(pk=teen.pk),
        "closed": closed,
    }
    today = timezone.localdate()
    assert files["teen"].is_minor(today) and not files["teen"].prog.for_minors
    assert files["moving"].in_transfer
    return files


def _expected(
    situation: dict[str, Any], places: dict[str, Region], key: str, file: CareFile
) -> bool:
    """The rule, written out again from the product's words."""
    if situation["team"].get(key) == "active" or situation["emergency"].get(key) == "live":
        return True
    minor = file.is_minor(timezone.localdate())
    for role, place_key in situation["roles"]:
        place = places[place_key]
        if role != Role.CARE_SUPERVISOR or (minor and place.level < Level.TOWNSHIP):
            continue
        if file.region_prefix.startswith(place.prefix):
            return True
        if file.transfer_to_prefix and file.transfer_to_prefix.startswith(place.prefix):
            return True
    return False


@pytest.mark.django_db
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(situation=situations())
def test_the_list_is_exactly_the_files_the_check_allows(
    care: CareCast, world: dict[str, CareFile], situation: dict[str, Any]
) -> None:
    files = world
    with transaction.atomic():
        places = {k: getattr(care.cast.places, k) for k in PLACES}
        places["g2"] = care.cast.places.g2
        now = timezone.now()
        user = User.objects.create_user(username="someone", full_name="某人")
        for role, place_key in situation["roles"]:
            RoleAssignment.objects.create(user=user, role=role, region=places[place_key])
        for key, state in situation["team"].items():
            CareTeamMember.objects.create(
                file=files[key],
                user=user,
                name="某人",
                duty="volunteer",
                active=state == "active",
                joined_on=now.date(),
            )
        for key, state in situation["emergency"].items():
            CareEmergencyAccess.objects.create(
                file=files[key],
                user=user,
                user_name="某人",
                reason="测试",
                granted_at=now - timedelta(hours=1),
                expires_at=now + timedelta(hours=1 if state == "live" else -0.5),
            )
        listed = set(access.readable_files(user).values_list("pk", flat=True))
        checked = {f.pk for f in files.values() if access.may_read(user, f)}
        expected = {f.pk for k, f in files.items() if _expected(situation, places, k, f)}
        assert listed == checked == expected, situation
        transaction.set_rollback(True)
