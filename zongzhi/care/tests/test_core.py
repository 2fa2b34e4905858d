"""The core of the registry, end to end through the services."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from zongzhi.care import access, services
from zongzhi.care.models import CareFile, CareTransfer
from zongzhi.care.services import Member
from zongzhi.care.tests.conftest import ADULT_ID, CareCast


def test_an_enrolled_file_is_read_by_its_team_and_its_supervisors_only(care: CareCast) -> None:
    f = care.file
    assert f.identity_masked == ADULT_ID[:4] + "*" * 10 + ADULT_ID[-4:]
    assert f.next_visit_due == timezone.localdate() + timedelta(days=14)
    readers = {u.username for u in [care.worker, care.supervisor, care.county_supervisor]}
    for user in [
        care.worker,
        care.supervisor,
        care.county_supervisor,
        care.worker2,
        care.supervisor2,
        *care.cast.by_role.values(),
        care.cast.outsider,
    ]:
        assert access.may_read(user, f) is (user.username in readers), user.username


def test_the_identity_number_is_never_stored_in_the_clear(care: CareCast) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM care_carefile")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert ADULT_ID not in stored
    assert care.file.full_identity() == ADULT_ID


def test_a_transfer_accepted_moves_the_file_and_its_team(care: CareCast) -> None:
    p = care.cast.places
    t = services.care_file_propose_transfer(
        by=care.worker, file=care.file, to_region=p.v2, reason="搬迁"
    )
    assert access.may_read(care.supervisor2, care.file)
    assert not access.may_read(care.worker2, care.file)
    services.care_file_accept_transfer(
        by=care.worker2, transfer=t, team=[Member(duty="lead", user=care.worker2)]
    )
    f = CareFile.objects.get(pk=care.file.pk)
    assert f.region_prefix == p.v2.prefix and not f.in_transfer
    assert access.may_read(care.worker2, f) and not access.may_read(care.worker, f)
    assert CareTransfer.objects.get(pk=t.pk).status == "accepted"


def test_an_unanswered_transfer_reaches_the_receiving_supervisors_not_the_sending_ones(
    care: CareCast,
) -> None:
    from zongzhi.care import selectors

    p = care.cast.places
    services.care_file_propose_transfer(
        by=care.worker, file=care.file, to_region=p.v2, reason="搬迁"
    )
    services.sweep_care(timezone.now() + timedelta(days=10))
    assert [a.file for a in selectors.escalated_alerts(care.supervisor2)] == [care.file]
    # T1's supervisor still reads the file (it has not left yet) but the alert is not theirs.
    assert access.may_read(care.supervisor, care.file)
    assert list(selectors.escalated_alerts(care.supervisor)) == []


def test_a_transfer_cannot_hand_the_file_to_someone_outside_the_receiving_place(
    care: CareCast,
) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    t = services.care_file_propose_transfer(
        by=care.worker, file=care.file, to_region=care.cast.places.v2, reason="搬迁"
    )
    with pytest.raises(ValidationError):
        services.care_file_accept_transfer(
            by=care.supervisor2, transfer=t, team=[Member(duty="lead", user=care.worker)]
        )
    assert CareTransfer.objects.get(pk=t.pk).status == "pending"


def test_a_retried_submission_adds_each_record_once(care: CareCast) -> None:
    from zongzhi.care.models import CareAssistance, CarePlanItem, CareVisit

    f, w, today = care.file, care.worker, timezone.localdate()
    for _ in range(2):
        services.care_file_record_visit(
            by=w, file=f, visited_on=today, method="home", seen="在家", idempotency_key="v-1"
        )
        services.care_file_add_plan_item(
            by=w, file=f, need="就医", measure="协助办理慢病卡", who="村医", idempotency_key="p-1"
        )
        services.care_file_add_assistance(
            by=w, file=f, kind="temporary", granted_on=today, idempotency_key="a-1"
        )
        services.care_file_add_member(
            by=w, file=f, member=Member(duty="doctor", name="赵医生"), idempotency_key="m-1"
        )
    assert CareVisit.objects.filter(file=f).count() == 1
    assert CarePlanItem.objects.filter(file=f).count() == 1
    assert CareAssistance.objects.filter(file=f).count() == 1
    assert f.team.filter(name="赵医生").count() == 1
    assert f.events.filter(kind__in=["visit", "plan", "assist", "team"]).count() == 4


def test_the_django_admin_is_no_way_round_the_access_log() -> None:
    """Staff open the admin for reference data; no care record is offered there, so every
    read of a file goes through the pages, the API or an export, which log it. Programmes
    live in code: none can be added from any screen."""
    from django.contrib import admin

    assert [m for m in admin.site._registry if m._meta.app_label == "care"] == []
