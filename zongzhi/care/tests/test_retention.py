"""A closed file is kept for its programme's retention period, then de-identified: what
names the person goes, what counts stays."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from zongzhi.care import access, rules, services
from zongzhi.care.models import (
    CareAssessment,
    CareAssistance,
    CareEmergencyAccess,
    CareEvent,
    CareFile,
    CarePlanItem,
    CareTeamMember,
    CareTransfer,
    CareVisit,
)
from zongzhi.care.services import Member
from zongzhi.care.tests.conftest import CareCast, new_file, open_file

PERSON_ID = rules.with_check_digit("53042419750304261")
PERSONAL = {
    "person_name": "赵德顺",
    "phone": "13912345678",
    "address": "右所社区7组33号",
    "guardian_name": "赵玉兰",
    "guardian_phone": "13698765432",
}


def years_after(day: date, years: int) -> date:
    return day.replace(year=day.year + years)


def closed_file(care: CareCast) -> CareFile:
    """A mental-health file with everything a file holds, transferred away and back, then
    closed today."""
    today = timezone.localdate()
    p = care.cast.places
    new = new_file(
        p.v1,
        identity_number=PERSON_ID,
        enrolled_on=today - timedelta(days=200),
        guardian_relation="妻子",
        programme_note="2019年确诊，长期服药",
        assessment_note="赵德顺近期情绪波动",
        team=[
            Member(duty="lead", user=care.worker),
            Member(duty="family", name="赵玉兰", phone="13698765432"),
            Member(duty="doctor", name="王医生", phone="13500000001"),
        ],
        **PERSONAL,
    )
    f = services.care_file_register(by=care.worker, new=new)
    for back, method in ((150, "home"), (120, "phone"), (90, "centre")):
        services.care_file_record_visit(
            by=care.worker,
            file=f,
            visited_on=today - timedelta(days=back),
            method=method,
            seen="赵德顺在家，按时服药",
            needs_raised="需要办理门诊慢病",
            follow_up="联系卫生院王医生",
        )
    services.care_file_assess(
        by=care.worker, file=f, level="1", reasons=["stable_treatment"], note="赵德顺病情稳定"
    )
    services.care_file_add_plan_item(
        by=care.worker, file=f, need="赵德顺需按时服药", measure="家属每日督促", who="赵玉兰"
    )
    services.care_file_add_assistance(
        by=care.worker,
        file=f,
        kind="medical",
        granted_on=today - timedelta(days=60),
        amount=Decimal("800.00"),
        note="赵德顺门诊费用报销",
    )
    declined = services.care_file_propose_transfer(
        by=care.worker, file=f, to_region=p.v2, reason="赵德顺随女儿搬家", new_address="大龙潭村5号"
    )
    services.care_file_decline_transfer(
        by=care.supervisor2, transfer=declined, reason="赵德顺并未在此居住"
    )
    access.grant_emergency(care.supervisor2, f, "赵德顺走失，家属求助")
    services.care_file_close(
        by=care.worker, file=f, reason="long_term_care", note="赵德顺入住托养机构"
    )
    f.refresh_from_db()
    return f


def stored_text() -> str:
    """Every value in every care table, as the database holds it."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("care_"):
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
                values += [str(v) for row in cursor.fetchall() for v in row]
    return " ".join(values)


def test_a_file_is_kept_whole_until_its_retention_period_has_passed(care: CareCast) -> None:
    f = closed_file(care)
    assert f.closed_on is not None
    last_day = years_after(f.closed_on, rules.MENTAL_HEALTH.retention_years)
    assert services.deidentify_expired(last_day) == 0
    kept = CareFile.objects.get(pk=f.pk)
    assert kept.deidentified_at is None
    assert (kept.person_name, kept.phone, kept.guardian_name) == ("赵德顺", "13912345678", "赵玉兰")
    assert kept.full_identity() == PERSON_ID
    assert CareVisit.objects.filter(file=f, seen="赵德顺在家，按时服药").count() == 3
    assert access.find_for_emergency(care.supervisor, PERSON_ID) == kept


def test_after_the_retention_period_the_person_can_no_longer_be_named(care: CareCast) -> None:
    f = closed_file(care)
    assert f.closed_on is not None
    assert "赵德顺" in stored_text()
    visits_before = list(CareVisit.objects.filter(file=f).values_list("visited_on", "method"))
    day = years_after(f.closed_on, rules.MENTAL_HEALTH.retention_years) + timedelta(days=1)

    assert services.deidentify_expired(day) == 1

    gone = CareFile.objects.get(pk=f.pk)
    assert gone.deidentified_at is not None
    assert gone.person_name == "（已去标识化）"
    assert gone.identity_encrypted == gone.identity_index == gone.identity_masked == ""
    assert gone.full_identity() == "" and gone.birth_date() is None
    assert gone.minor_until is None
    assert gone.gender == gone.phone == gone.address == ""
    assert gone.guardian_name == gone.guardian_relation == gone.guardian_phone == ""
    assert gone.programme_note == gone.closing_note == ""
    assert not CareVisit.objects.filter(file=f).exclude(seen="", needs_raised="", follow_up="")
    assert not CarePlanItem.objects.filter(file=f).exclude(need="—", measure="", who="")
    assert not CareAssessment.objects.filter(file=f).exclude(note="")
    assert not CareAssistance.objects.filter(file=f).exclude(note="")
    assert not CareEmergencyAccess.objects.filter(file=f).exclude(reason="")
    transfer = CareTransfer.objects.get(file=f)
    assert (transfer.person_name, transfer.identity_masked) == ("（已去标识化）", "")
    assert transfer.reason == transfer.new_address == ""
    family = CareTeamMember.objects.get(file=f, duty="family")
    assert (family.name, family.phone) == ("—", "")

    # Nothing that names the person is left anywhere in the registry's tables.
    stored = stored_text()
    for value in [*PERSONAL.values(), PERSON_ID, "妻子", "大龙潭村5号", "长期服药"]:
        assert value not in stored, value

    # What counts stays: the programme, the place, the dates, the levels, the visits.
    assert (gone.programme, gone.region_id, gone.region_prefix) == (
        f.programme,
        f.region_id,
        f.region_prefix,
    )
    assert (gone.enrolled_on, gone.closed_on, gone.closing_reason) == (
        f.enrolled_on,
        f.closed_on,
        "long_term_care",
    )
    assert gone.level == "1"
    assert sorted(CareAssessment.objects.filter(file=f).values_list("level", flat=True)) == [
        "1",
        "2",
    ]
    assert list(CareVisit.objects.filter(file=f).values_list("visited_on", "method")) == (
        visits_before
    )
    assistance = CareAssistance.objects.get(file=f)
    assert (assistance.kind, assistance.amount) == ("medical", Decimal("800.00"))
    assert transfer.status == CareTransfer.Status.DECLINED
    assert CareEvent.objects.filter(file=f, kind=CareEvent.Kind.DEIDENTIFY).count() == 1

    # The blind index no longer finds the person, nor does the file's code.
    assert access.find_for_emergency(care.supervisor, PERSON_ID) is None
    assert access.find_for_emergency(care.supervisor, f.code) is None

    # Run again: nothing new.
    assert services.deidentify_expired(day + timedelta(days=400)) == 0
    assert CareEvent.objects.filter(file=f, kind=CareEvent.Kind.DEIDENTIFY).count() == 1


def test_each_programme_keeps_its_files_for_its_own_period(care: CareCast) -> None:
    today = timezone.localdate()
    health = closed_file(care)  # kept 10 years
    justice = open_file(
        care.worker,
        care.cast.places.v1,
        programme="corrections",
        level="low",
        level_reasons=["compliant"],
        identity_number=rules.with_check_digit("53042419900101333"),
    )
    services.care_file_close(by=care.worker, file=justice, reason="term_ended")
    assert rules.COMMUNITY_CORRECTIONS.retention_years == 5
    day = years_after(today, 5) + timedelta(days=1)
    assert services.deidentify_expired(day) == 1
    assert CareFile.objects.get(pk=justice.pk).deidentified_at is not None
    assert CareFile.objects.get(pk=health.pk).person_name == "赵德顺"


def test_an_open_file_is_never_deidentified_however_old(care: CareCast) -> None:
    today = timezone.localdate()
    old = open_file(
        care.worker,
        care.cast.places.v1,
        identity_number=PERSON_ID,
        enrolled_on=today - timedelta(days=365 * 30),
        **PERSONAL,
    )
    assert services.deidentify_expired(years_after(today, 100)) == 0
    for f in (old, care.file):
        kept = CareFile.objects.get(pk=f.pk)
        assert kept.deidentified_at is None and kept.identity_index != ""
    assert CareFile.objects.get(pk=old.pk).person_name == "赵德顺"
    assert not CareEvent.objects.filter(kind=CareEvent.Kind.DEIDENTIFY).exists()
    assert access.find_for_emergency(care.supervisor, PERSON_ID) == old
